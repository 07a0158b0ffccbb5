"""Issue 21's hierarchy: the busiest pages have one primary action, the next thing to do, and
the course's row of actions is a group that folds into "More…" on a phone."""

import re

import pytest

from tests.factories import make_course, make_session, signed_in

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
