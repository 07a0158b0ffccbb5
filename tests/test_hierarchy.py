"""Issue 21's hierarchy: the busiest pages have one primary action, the next thing to do, and
the course's row of actions is a group that folds into "More…" on a phone."""

import re
from pathlib import Path

import pytest

from tests.factories import make_course, make_session, signed_in
from tests.world import another_client

pytestmark = pytest.mark.django_db


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def primaries(html: str) -> list[str]:
    """The text of each element of <main> marked as the page's primary action."""
    found = re.findall(
        r'<(a|button)\b[^>]*class="[^"]*\bbutton-primary\b[^"]*"[^>]*>(.*?)</\1>',
        main_of(html),
        re.S,
    )
    return [re.sub(r"<[^>]+>|\s+", " ", text).strip() for _tag, text in found]


def test_the_clinicians_main_pages_have_one_primary_action(world):
    course = make_course(world.amara)
    session = make_session(course, world.alice)
    browser = signed_in(world.alice)
    expected = {
        f"/clients/{world.amara.pk}/": "New course",
        f"/courses/{course.pk}/": "Schedule a session",
        f"/sessions/{session.pk}/": "Save draft",
        f"/clients/{world.amara.pk}/timeline/": "Add a life event",
        f"/clients/{world.amara.pk}/inventory/": "Add a person",
    }
    for path, action in expected.items():
        response = browser.get(path)
        assert response.status_code == 200, path
        assert primaries(response.content.decode()) == [action], path
    # The caseload is a list to choose from: its filter is not the page's primary action.
    assert primaries(browser.get("/caseload/").content.decode()) == []


def test_a_supervisor_who_only_reads_is_offered_no_primary_action(world):
    course = make_course(world.amara)
    browser = signed_in(world.sue)
    for path in (f"/clients/{world.amara.pk}/", f"/courses/{course.pk}/"):
        assert primaries(browser.get(path).content.decode()) == [], path


def test_the_portal_home_makes_the_first_thing_to_do_its_primary_action(world):
    html = signed_in(world.portal).get("/portal/").content.decode()
    assert primaries(html) == ["Write today's mood diary"]


def test_the_course_actions_fold_into_more_on_a_phone(world):
    course = make_course(world.amara)
    html = main_of(signed_in(world.alice).get(f"/courses/{course.pk}/").content.decode())
    group = html[html.index('<div class="button-group">') :]
    group = group[: group.index("</details>")]
    wide = re.findall(r'class="button button-secondary group-wide" href="([^"]+)"', group)
    # Three beside the primary on a wide screen; those three fold on a phone, and the rest of
    # the course's pages are under "More…" at every width.
    folded = re.findall(r'<li class="fold-phone"><a href="([^"]+)"', group)
    always = re.findall(r"<li><a href=", group)
    assert len(wide) == 3 and folded == wide and len(always) == 3
    assert "More…" in group


def test_the_records_two_long_actions_fold_into_more_on_a_phone_only(world):
    """Found by the crawl's rule: at 360 px "New course", "Details and consents" and "Invite to
    the portal" wrapped into three lines. Wide, both sit beside the primary; on a phone they are
    under a "More…" that is shown on a phone alone."""
    bare = another_client(world, "Bea")
    for record, folded in ((bare, 2), (world.amara, 1)):
        html = main_of(signed_in(world.alice).get(f"/clients/{record.pk}/").content.decode())
        group = html[html.index('<div class="button-group">') :]
        group = group[: group.index("</details>")]
        wide = re.findall(r'class="button button-secondary group-wide" href="([^"]+)"', group)
        phone = re.findall(r'<li class="fold-phone"><a href="([^"]+)"', group)
        assert len(wide) == folded and phone == wide
        assert '<details class="group-more phone-only" data-menu>' in group


def test_every_page_of_the_record_offers_its_next_step_as_the_one_primary_action(world):
    """Issue 21, the pass over every other page: a form's submit is the primary action of a page
    made for that form; a page of several equal tools (loss and change, communication, role play)
    marks none of them, and neither does a list to choose from."""
    course = make_course(world.amara)
    session = make_session(course, world.alice)
    client, k = world.amara.pk, course.pk
    expected = {
        "/": ["Open the caseload"],
        "/caseload/": [],
        "/calendar/": [],
        "/calendar/?day=2026-11-12": [],
        "/calendar/book/": ["Schedule"],
        f"/sessions/{session.pk}/move/": ["Move"],
        "/calendar/feed/": ["Make a link"],
        f"/clients/{client}/measures/": ["Start"],
        f"/clients/{client}/attachment/": ["Start the ECR-RS"],
        f"/clients/{client}/loss-and-change/": [],
        f"/clients/{client}/communication/": [],
        f"/clients/{client}/role-play/": [],
        f"/clients/{client}/tasks/": ["Assign"],
        f"/clients/{client}/safety-plan/": ["Save the plan"],
        f"/clients/{client}/courses/new/": ["Create course"],
        f"/clients/{client}/edit/": ["Save details"],
        f"/clients/{client}/inventory/new/": ["Save"],
        f"/clients/{client}/timeline/events/new/": ["Add"],
        f"/clients/{client}/timeline/episodes/new/": ["Add"],
        f"/clients/{client}/communication/styles/": ["Save reflection"],
        f"/clients/{client}/communication/exchanges/new/": ["Save"],
        "/communication/statement/": ["Look at it"],
        f"/courses/{k}/sessions/new/": ["Schedule"],
        f"/courses/{k}/formulation/": ["Save"],
        # No focus agreed yet: the page says to agree it first and offers no form.
        f"/courses/{k}/goals/": [],
        f"/courses/{k}/edit/": ["Save"],
        f"/courses/{k}/measure-schedule/": ["Save schedule"],
        f"/courses/{k}/relapse-plan/": ["Save plan"],
        f"/courses/{k}/summary/": [],
        f"/sessions/{session.pk}/process-note/": ["Save"],
    }
    browser = signed_in(world.alice)
    for path, actions in expected.items():
        response = browser.get(path)
        assert response.status_code == 200, path
        assert primaries(response.content.decode()) == actions, path


def test_a_supervisor_is_offered_no_primary_action_anywhere_in_the_record(world):
    course = make_course(world.amara)
    session = make_session(course, world.alice)
    client, k = world.amara.pk, course.pk
    browser = signed_in(world.sue)
    for path in (
        "/",
        f"/clients/{client}/measures/",
        f"/clients/{client}/timeline/",
        f"/clients/{client}/inventory/",
        f"/clients/{client}/attachment/",
        f"/clients/{client}/loss-and-change/",
        f"/clients/{client}/communication/",
        f"/clients/{client}/role-play/",
        f"/clients/{client}/tasks/",
        f"/clients/{client}/safety-plan/",
        f"/courses/{k}/formulation/",
        f"/courses/{k}/goals/",
        f"/courses/{k}/summary/",
        f"/sessions/{session.pk}/",
    ):
        response = browser.get(path)
        assert response.status_code == 200, path
        assert primaries(response.content.decode()) == [], path


def test_the_administrators_pages_have_one_primary_action_or_none(world):
    expected = {
        "/clinic/people/": ["Invite someone"],
        "/clinic/invitations/": ["Create invitation"],
        "/clinic/clients/": ["Create record"],
        "/clinic/crisis-text/": ["Save"],
        "/clinic/safety/": ["Save"],
        "/clinic/role-play/": ["Save"],
        "/clinic/public-pages/": ["Save"],
        "/clinic/audit/": [],
        "/clinic/break-glass/": [],
        f"/clinic/people/{world.alice.pk}/": [],
    }
    browser = signed_in(world.admin)
    for path, actions in expected.items():
        response = browser.get(path)
        assert response.status_code == 200, path
        assert primaries(response.content.decode()) == actions, path


def test_the_portal_pages_have_one_primary_action(world):
    expected = {
        "/portal/diary/": ["Save"],
        "/portal/people/": ["Add"],
        "/portal/record/": ["Prepare a copy"],
        "/portal/role-play/": ["Use this example"],
        "/portal/communication/statement/": ["Look at it"],
        "/portal/questionnaires/": [],
        "/portal/progress/": [],
    }
    browser = signed_in(world.portal)
    for path, actions in expected.items():
        response = browser.get(path)
        assert response.status_code == 200, path
        assert primaries(response.content.decode()) == actions, path


def test_a_visitor_is_led_to_sign_in_or_to_reach_out(world, client):
    slug = world.clinic.slug
    expected = {
        "/": ["Sign in"],
        "/accounts/login/": ["Sign in"],
        f"/c/{slug}/": ["Reach out to us"],
        f"/c/{slug}/reach-out/": ["Send"],
    }
    for path, actions in expected.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert primaries(response.content.decode()) == actions, path


RANKS = ("button-primary", "button-secondary", "button-quiet", "button-danger", "link-button")
TAG = re.compile(r"<(button|a|summary)\b((?:\{%.*?%\}|\{\{.*?\}\}|[^>])*)>", re.S)


def test_every_button_of_gentles_pages_says_its_rank():
    """A bare <button> or .button is drawn filled, as loud as the primary action: every button in
    Gentle's page templates says which it is, so a page's hierarchy is what its template says.
    (The header and footer in base.html sit outside <main>; allauth's pages draw their buttons
    with gentle/templates/allauth/elements/button.html, tested below.)"""
    root = Path(__file__).resolve().parents[1] / "gentle"
    unranked = []
    for template in root.glob("**/templates/**/*.html"):
        if template.relative_to(root).as_posix() == "templates/base.html":
            continue
        for tag, attributes in TAG.findall(template.read_text(encoding="utf-8")):
            classes = re.search(r'class="([^"]*)"', attributes)
            names = classes.group(1) if classes else ""
            is_button = tag == "button" or re.search(r"(^|\s)button(\s|$)", names)
            if is_button and not any(rank in names for rank in RANKS):
                unranked.append(f"{template.relative_to(root)}: <{tag}{attributes[:60]}>")
    assert not unranked, "\n".join(unranked)


def test_allauths_pages_draw_their_buttons_in_gentles_ranks(world, client):
    """allauth's two-factor page drew four bare buttons, each filled like a primary action."""
    from gentle.accounts.models import Role
    from tests.factories import make_person, totp_code

    browser = signed_in(world.alice)
    page = browser.get("/accounts/2fa/").content.decode()
    assert primaries(page) == []
    two_factor = main_of(page)
    assert "button button-secondary" in two_factor
    # Its actions sit in a row of buttons, not a bulleted list of one button each.
    assert '<div class="actions">' in two_factor and "<li>" not in two_factor
    assert not re.search(r"<(a|button)\b(?![^>]*class=)[^>]*>", two_factor)
    # The code step of signing in: its one action is the primary.
    person = make_person(world.clinic, Role.CLINICIAN, password="quiet harbour lanterns")
    client.post("/accounts/login/", {"login": person.email, "password": "quiet harbour lanterns"})
    code_step = client.get("/accounts/2fa/authenticate/").content.decode()
    assert primaries(code_step) == ["Sign In"]
    assert totp_code(person)  # the person has an authenticator, so the step is the code's
