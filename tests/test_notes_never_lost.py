"""Notes are never lost (issue 22, part 4; ADR 0042): a note posted after the session ended
comes back into the form after signing in again on the session's page (never a 405); the draft
saves itself while it is typed (JSON, with its version); signing asks for confirmation and warns
of risk signals the risk review should answer; last session's plan is a prompt, not text."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client as Browser
from django.utils import timezone

from gentle.audit.models import AuditEvent
from gentle.courses.models import NoteStatus, ProgressNote, Session
from gentle.measures.models import Administration
from gentle.safety.models import Alert
from tests.factories import add_to_team, make_course, make_session, signed_in, totp_code
from tests.test_hierarchy import primaries
from tests.world import World

pytestmark = pytest.mark.django_db

PASSPHRASE = "correct horse battery staple on a quiet river morning"
KEPT_NOTICE = "Your session ended before this note was saved."
AUTOSAVE = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # used authenticator codes and rate limits
    yield
    cache.clear()


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2026, 3, 3, 9, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def session(world: World) -> Session:
    add_to_team(world.amara, world.bob)
    course = make_course(world.amara, status="active")
    return make_session(course, world.alice, starts_at=timezone.now() + timedelta(hours=1))


def page(session: Session) -> str:
    return f"/sessions/{session.pk}/"


def save_url(session: Session) -> str:
    return f"/sessions/{session.pk}/note/"


def autosave_url(session: Session) -> str:
    return f"/sessions/{session.pk}/note/autosave/"


def sign_url(session: Session) -> str:
    return f"/sessions/{session.pk}/note/sign/"


def typed(version: int | None = None, **changes) -> dict:
    data = {
        "version": "" if version is None else version,
        "mood": 4,
        "interval_events": "Long talk with her mother",
        "focus_work": "Twenty minutes of careful work on the role dispute",
        "risk_review": "Denies thoughts of self harm",
        "plan": "Practise the request to her mother",
        "text": "Words typed over a long session",
        "sign": "0",
    }
    data.update(changes)
    return data


def sign_in(browser: Browser, person, next_path: str) -> str:
    """Sign in with password and authenticator code from the sign-in page ``next`` names;
    the address signing in lands on."""
    person.set_password(PASSPHRASE)
    person.save()
    login = f"/accounts/login/?next={quote(next_path)}"
    response = browser.post(login, {"login": person.email, "password": PASSPHRASE})
    assert response.status_code == 302, response.content.decode()
    if response["Location"].startswith("/accounts/2fa/authenticate/"):
        response = browser.post(response["Location"], {"code": totp_code(person)})
    assert response.status_code == 302, response.content.decode()
    return response["Location"]


# The session ended while the note was typed -----------------------------------------------------


def test_a_note_saved_after_the_idle_limit_comes_back_after_signing_in_on_the_session_page(
    world, session, clock, caplog
):
    """Finding (a): "Save draft" after the staff idle limit sent the person to sign in with
    next=<the POST-only note address>, and signing in landed on a 405; the text was lost."""
    browser = Browser()
    sign_in(browser, world.alice, page(session))
    assert browser.get(page(session)).status_code == 200

    clock.shift(16 * 60)  # typing for longer than the staff idle limit
    response = browser.post(save_url(session), typed())

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={page(session)}"
    assert not ProgressNote.objects.exists()  # nobody signed in: nothing saved
    # Kept on the server: not in the address, the cookie or the logs.
    for where in (response["Location"], str(browser.cookies), caplog.text):
        assert "Words typed" not in where and "careful work" not in where
    landed = sign_in(browser, world.alice, page(session))
    assert landed == page(session)
    response = browser.get(landed)
    html = response.content.decode()
    assert response.status_code == 200  # not 405
    assert KEPT_NOTICE in html
    assert "Words typed over a long session" in html
    assert "Twenty minutes of careful work on the role dispute" in html
    assert not ProgressNote.objects.exists()  # back in the form, not saved behind their back

    # Shown once: the next visit shows the saved note (none yet), not the kept text again.
    assert "Words typed over a long session" not in browser.get(page(session)).content.decode()


def test_a_note_posted_after_signing_out_elsewhere_comes_back_with_its_version(world, session):
    browser = signed_in(world.alice)
    browser.post(save_url(session), typed(text="First draft"))
    other_tab = Browser()
    other_tab.cookies = browser.cookies
    assert other_tab.post("/accounts/logout/").status_code == 302  # signed out in another tab

    response = browser.post(save_url(session), typed(1, text="Typed after signing out"))
    assert response["Location"] == f"/accounts/login/?next={page(session)}"
    assert sign_in(browser, world.alice, page(session)) == page(session)
    html = browser.get(page(session)).content.decode()
    assert KEPT_NOTICE in html
    assert "Typed after signing out" in html
    assert 'name="version" value="1"' in html  # still based on the version it was typed over
    assert ProgressNote.objects.get().text == "First draft"

    response = browser.post(save_url(session), typed(1, text="Typed after signing out"))
    assert response.status_code == 302
    assert ProgressNote.objects.get().text == "Typed after signing out"


def test_the_kept_text_is_for_the_person_who_typed_it_and_dies_with_signing_out(
    world, session, clock
):
    browser = Browser()
    sign_in(browser, world.alice, page(session))
    clock.shift(16 * 60)
    browser.post(save_url(session), typed(text="Alice's unsaved words"))

    # Bob, on Alice's care team, signs in on the same computer: not his text.
    assert sign_in(browser, world.bob, page(session)) == page(session)
    assert "Alice's unsaved words" not in browser.get(page(session)).content.decode()

    clock.shift(16 * 60)
    browser.post(save_url(session), typed(text="Alice's second try"))
    browser.post("/accounts/logout/")
    sign_in(browser, world.alice, page(session))
    assert "Alice's second try" not in browser.get(page(session)).content.decode()


def test_a_kept_post_to_any_other_page_does_not_keep_text_and_next_is_never_post_only(
    world, session, clock
):
    browser = Browser()
    sign_in(browser, world.alice, page(session))
    clock.shift(16 * 60)
    response = browser.post(
        f"/sessions/{session.pk}/agenda/",
        {"done": ["focus"]},
        HTTP_REFERER=f"http://testserver{page(session)}",
    )
    assert response["Location"] == f"/accounts/login/?next={page(session)}"
    assert "gentle_kept_post" not in browser.session
    # No page to go back to: home, never the POST-only address.
    sign_in(browser, world.alice, "/")
    clock.shift(16 * 60)
    response = browser.post(f"/sessions/{session.pk}/attendance/", {"attendance": "attended"})
    assert response["Location"] == "/accounts/login/?next=/"


def test_an_autosave_after_the_idle_limit_keeps_the_text_and_tells_the_script(
    world, session, clock
):
    browser = Browser()
    sign_in(browser, world.alice, page(session))
    clock.shift(16 * 60)
    response = browser.post(autosave_url(session), typed(text="Autosaved too late"), **AUTOSAVE)
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/login/"
    assert sign_in(browser, world.alice, page(session)) == page(session)
    assert "Autosaved too late" in browser.get(page(session)).content.decode()


# Autosave ---------------------------------------------------------------------------------------


def test_autosave_saves_the_draft_and_answers_its_version_and_time(world, session, clock):
    browser = signed_in(world.alice)
    response = browser.post(autosave_url(session), typed(), **AUTOSAVE)
    assert response.status_code == 200
    assert response.json() == {"saved": True, "version": 1, "message": "Draft saved at 09:00"}
    response = browser.post(autosave_url(session), typed(1, text="More words"), **AUTOSAVE)
    assert response.json()["version"] == 2
    note = ProgressNote.objects.get()
    assert (note.text, note.version, note.status) == ("More words", 2, NoteStatus.DRAFT)
    assert [e.action for e in AuditEvent.objects.filter(object_type="note")] == [
        "note.create",
        "note.update",
    ]
    html = browser.get(page(session)).content.decode()
    assert 'role="status" aria-live="polite">Draft saved at 09:00' in html
    assert f'data-note-autosave="{autosave_url(session)}"' in html


def test_autosave_while_typing_keeps_the_session_alive(world, session, clock):
    """Decided in ADR 0042: an autosave follows the person's keystrokes, so it is activity,
    unlike a poll marked X-Gentle-Background."""
    browser = Browser()
    sign_in(browser, world.alice, page(session))
    version = None
    for minute in range(10, 40, 10):  # typing on and off for 30 minutes
        clock.shift(10 * 60)
        response = browser.post(
            autosave_url(session), typed(version, text=f"At {minute}"), **AUTOSAVE
        )
        assert response.status_code == 200, minute
        version = response.json()["version"]
    assert browser.get(page(session)).status_code == 200
    assert ProgressNote.objects.get().text == "At 30"


def test_autosave_refuses_bad_input_and_changes_nothing(world, session):
    browser = signed_in(world.alice)
    browser.post(autosave_url(session), typed(), **AUTOSAVE)
    response = browser.post(autosave_url(session), typed(1, mood=11, text="Changed"), **AUTOSAVE)
    assert response.status_code == 400
    assert response.json()["message"] == (
        "Not saved: Mood today (0–10): Ensure this value is less than or equal to 10."
    )
    assert (ProgressNote.objects.get().text, ProgressNote.objects.get().version) == (
        "Words typed over a long session",
        1,
    )


def test_autosave_is_refused_to_a_supervisor_and_another_clinics_clinician(world, session):
    signed_in(world.alice).post(autosave_url(session), typed(), **AUTOSAVE)
    for person in (world.sue, world.far_clinician):
        response = signed_in(person).post(autosave_url(session), typed(1, text="Not mine"))
        assert response.status_code == 404
    assert (ProgressNote.objects.get().version, ProgressNote.objects.get().text) == (
        1,
        "Words typed over a long session",
    )


def test_two_tabs_autosaving_one_note_conflict_with_a_clear_message_and_lose_nothing(
    world, session
):
    first, second = signed_in(world.alice), signed_in(world.alice)
    first.post(autosave_url(session), typed(text="Opened in two tabs"), **AUTOSAVE)
    assert (
        first.post(autosave_url(session), typed(1, text="Tab one"), **AUTOSAVE).status_code == 200
    )
    response = second.post(autosave_url(session), typed(1, text="Tab two"), **AUTOSAVE)
    assert response.status_code == 409
    assert "Press “Save draft” to see both versions: nothing is lost." in response.json()["message"]
    assert ProgressNote.objects.get().text == "Tab one"

    response = second.post(save_url(session), typed(1, text="Tab two"))  # "Save draft"
    html = response.content.decode()
    assert response.status_code == 409
    mine, current = html.split("The current version", 1)
    assert "Tab two" in mine and "Tab one" in current


def test_autosave_of_a_signed_note_is_refused(world, session):
    browser = signed_in(world.alice)
    browser.post(save_url(session), typed(sign="1"))
    browser.post(sign_url(session), {"version": 1})
    response = browser.post(autosave_url(session), typed(2, text="After signing"), **AUTOSAVE)
    assert response.status_code == 409
    assert ProgressNote.objects.get().text == "Words typed over a long session"


# Signing ----------------------------------------------------------------------------------------


def test_the_confirmation_has_one_primary_action_and_is_refused_to_others(world, session):
    browser = signed_in(world.alice)
    browser.post(save_url(session), typed(sign="1"))
    html = browser.get(sign_url(session)).content.decode()
    assert primaries(html) == ["Sign"]
    assert primaries(browser.get(page(session)).content.decode()) == ["Save draft"]
    for person in (world.sue, world.far_clinician):
        assert signed_in(person).get(sign_url(session)).status_code == 404
        assert signed_in(person).post(sign_url(session), {"version": 1}).status_code == 404
    assert ProgressNote.objects.get().status == NoteStatus.DRAFT


def test_signing_without_a_version_is_refused_and_signs_nothing(world, session):
    browser = signed_in(world.alice)
    browser.post(save_url(session), typed())
    response = browser.post(sign_url(session), {"version": "x"})
    assert response.status_code == 400
    assert "The page was out of date" in response.content.decode()
    assert ProgressNote.objects.get().status == NoteStatus.DRAFT


def test_there_is_nothing_to_confirm_without_a_draft(world, session):
    response = signed_in(world.alice).get(sign_url(session))
    assert response["Location"] == page(session)


def test_the_confirmation_warns_of_an_open_alert_and_quotes_the_risk_review(world, session):
    browser = signed_in(world.alice)
    browser.post(save_url(session), typed())
    assert "Check the risk review" not in browser.get(sign_url(session)).content.decode()

    Alert.objects.create(
        client=world.amara,
        source="administration",
        source_id="1",
        rule_id="phq9_item9_some",
        severity="high",
        reason="PHQ-9 item 9: thoughts of being better off dead",
    )
    html = browser.get(sign_url(session)).content.decode()
    assert "Check the risk review before you sign" in html
    assert "There is an open high alert for this client" in html
    assert "PHQ-9 item 9: thoughts of being better off dead" in html
    assert "Your risk review says:" in html
    assert "Denies thoughts of self harm" in html
    assert primaries(html) == ["Sign"]  # a warning, not a block
    assert browser.post(sign_url(session), {"version": 1}).status_code == 302
    assert ProgressNote.objects.get().status == NoteStatus.SIGNED


def test_the_confirmation_warns_of_a_risk_answer_given_that_day(world, session):
    Administration.objects.create(
        client=world.amara,
        instrument_id="phq9",
        instrument_version=1,
        mode="in_session",
        status="submitted",
        answers={f"phq9_{n}": 1 for n in range(1, 10)},
        submitted_at=session.starts_at,
        submitted_by=world.alice,
        created_by=world.alice,
    )
    Alert.objects.all().delete()  # acknowledged or not, the answer itself is warned of
    browser = signed_in(world.alice)
    browser.post(save_url(session), typed(risk_review=""))
    html = browser.get(sign_url(session)).content.decode()
    assert "PHQ-9 (depression) on" in html
    assert "Your risk review is empty." in html


# Last session's plan ----------------------------------------------------------------------------


def test_last_sessions_plan_is_a_prompt_beside_the_field_never_the_new_notes_text(world, session):
    earlier = make_session(
        session.course, world.alice, starts_at=session.starts_at - timedelta(days=7)
    )
    browser = signed_in(world.alice)
    browser.post(save_url(earlier), typed(plan="Ask her sister for a weekly call"))
    html = browser.get(page(session)).content.decode()
    assert "Last session&#x27;s plan: “Ask her sister for a weekly call”" in html
    field = html.split('name="interval_events"', 1)[1].split("</textarea>", 1)[0]
    assert field.endswith(">\n")  # empty: not copied into the new note
    plan = html.split('name="plan"', 1)[1].split("</textarea>", 1)[0]
    assert "Ask her sister" not in plan
    browser.post(save_url(session), typed(interval_events="", plan=""))
    assert ProgressNote.objects.get(session=session).plan == ""


def test_the_notes_autosave_is_not_marked_as_background():
    """The other half of the decision above: gentle.js sends the note's autosave as the
    person's own request (polls carry X-Gentle-Background; this must not)."""
    script = (Path(__file__).resolve().parents[1] / "gentle/static/gentle/gentle.js").read_text()
    note = script[script.index("form[data-note-autosave]") :]
    note = note[: note.index("})();")]
    assert "fetch(url, {" in note
    assert "X-Gentle-Background" not in note


def test_text_kept_for_a_note_signed_meanwhile_is_shown_beside_it_for_an_addendum(
    world, session, clock
):
    browser = Browser()
    sign_in(browser, world.alice, page(session))
    browser.post(save_url(session), typed(text="Saved before the break"))
    clock.shift(16 * 60)
    browser.post(save_url(session), typed(1, text="Typed after the break"))
    bob = signed_in(world.bob)
    bob.post(sign_url(session), {"version": 1})
    assert ProgressNote.objects.get().is_signed

    sign_in(browser, world.alice, page(session))
    response = browser.get(page(session))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This note was signed meanwhile" in html
    mine, current = html.split("The current version", 1)
    assert "Typed after the break" in mine
    assert "Saved before the break" in current
    assert f'action="/sessions/{session.pk}/note/addendum/"' in current
