"""Notes are never lost (issue 22, part 4), in Chromium on a phone and a desktop: the draft
saves itself as it is typed and says when; the session ends (its cookie is gone, as after the
idle limit or signing out elsewhere) while the clinician types on; "Save draft" asks them to
sign in, and signing in brings them back to the session page with every word in the form;
signing asks for confirmation and says it cannot be undone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from gentle.accounts.models import Role
from gentle.courses.models import ProgressNote
from gentle.safety.models import Alert
from tests.browser.test_accessibility_crawl import AXE, RUN_AXE, WCAG_22_AA
from tests.factories import (
    make_client,
    make_clinic,
    make_course,
    make_person,
    make_session,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and private passphrase 42"


def sign_in(page, person) -> None:
    """On the sign-in page the browser is on (signing in twice within one authenticator
    period would reuse its code, which is refused: the demo's optional MFA is used)."""
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("width", [360, 1280])
def test_a_note_typed_across_the_end_of_the_session_is_kept_and_signed_with_confirmation(
    live_server, page_at, screenshot, settings, width
):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    clinic = make_clinic("Hillside Practice")
    alice = make_person(clinic, Role.CLINICIAN, password=PASSWORD, mfa=False)
    client = make_client(clinic, clinicians=[alice], given_name="Maya")
    session = make_session(make_course(client), alice)
    base = live_server.url
    session_page = f"{base}/sessions/{session.pk}/"
    page = page_at(width, 800)
    page.context.add_init_script(path=str(AXE))  # in every page, before its own scripts
    page.goto(session_page)
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    sign_in(page, alice)
    page.wait_for_url(session_page)

    page.get_by_label("Since the last session").fill("Called her sister on Tuesday.")
    status = page.locator("#note-saved")
    expect(status).to_have_text(re.compile(r"^Draft saved at \d"))
    assert status.get_attribute("role") == "status"
    assert ProgressNote.objects.get(session=session).interval_events.startswith("Called")
    screenshot(page, f"note-autosaved-{width}")

    # The session ends while the clinician types on.
    page.context.clear_cookies(name="sessionid")
    page.get_by_label("Work on the focus", exact=True).fill("Role play of the next call.")
    expect(status).to_contain_text("Your session has ended")
    page.get_by_label("Note", exact=True).fill("Words typed after the session ended.")
    page.get_by_role("button", name="Save draft").click()

    page.wait_for_url(re.compile(r".*/accounts/login/\?next=/sessions/\d+/$"))
    sign_in(page, alice)
    page.wait_for_url(session_page)  # the session page, not a 405
    expect(page.locator("main")).to_contain_text("Your session ended before this note was saved")
    expect(page.get_by_label("Work on the focus", exact=True)).to_have_value(
        "Role play of the next call."
    )
    expect(page.get_by_label("Note", exact=True)).to_have_value(
        "Words typed after the session ended."
    )
    screenshot(page, f"note-kept-{width}")
    assert page.evaluate(RUN_AXE, WCAG_22_AA) == []
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("main")).to_contain_text("Draft saved.")
    assert ProgressNote.objects.get(session=session).text == "Words typed after the session ended."

    Alert.objects.create(
        client=client,
        source="administration",
        source_id="1",
        rule_id="phq9_item9_some",
        severity="high",
        reason="PHQ-9 item 9 answered above 0",
    )
    page.get_by_role("button", name="Sign note…").click()
    page.get_by_role("heading", name="Sign the note", level=1).wait_for()
    expect(page.locator("main")).to_contain_text("Signing cannot be undone")
    expect(page.get_by_role("alert")).to_contain_text("There is an open high alert")
    expect(page.get_by_role("alert")).to_contain_text("Your risk review is empty.")
    assert page.evaluate(RUN_AXE, WCAG_22_AA) == []
    assert not ProgressNote.objects.get(session=session).is_signed
    screenshot(page, f"note-sign-confirmation-{width}")
    page.get_by_role("button", name="Sign", exact=True).click()
    page.wait_for_url(session_page)
    expect(page.locator("main")).to_contain_text("Note signed. It can no longer change.")
    assert ProgressNote.objects.get(session=session).is_signed
