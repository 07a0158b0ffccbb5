"""Keyboard only (Tab, Shift+Tab, Space, Enter, arrow keys): a client answers a PHQ-9 in the
portal and a clinician writes and saves a progress note, each signing in first. At each step
the focus is where the person expects it and can be seen: a ring of at least 2 px with 3:1
against what surrounds it (WCAG 2.2 AA 1.4.11, 2.4.7, and 2.4.13's size). After a refused
form the focus is on what needs attention; after a saved one, on the confirmation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from gentle.accounts.models import Role
from gentle.courses.models import ProgressNote
from gentle.measures.models import Administration
from tests.factories import (
    make_client,
    make_clinic,
    make_course,
    make_person,
    make_session,
    totp_code,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long and private passphrase 42"

# The focused element's ring: outline and box-shadow colours, the outline's width and style,
# and the colour behind the element (the first opaque background of its parents).
RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  let behind = "rgb(255, 255, 255)";
  for (let node = el.parentElement; node; node = node.parentElement) {
    const bg = getComputedStyle(node).backgroundColor;
    if (bg !== "transparent" && !bg.startsWith("rgba(0, 0, 0, 0")) { behind = bg; break; }
  }
  const shadow = style.boxShadow.match(/rgba?\\([^)]*\\)/);
  return {
    visible: el.matches(":focus-visible"),
    outline: style.outlineColor, width: parseFloat(style.outlineWidth), style: style.outlineStyle,
    shadow: shadow ? shadow[0] : null, behind: behind,
    tag: el.tagName, text: (el.innerText || el.value || "").trim().slice(0, 80),
  };
}"""


def luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def assert_focus_seen(page) -> dict:
    """The focused element shows a ring a sighted keyboard user can find; returns it."""
    ring = page.evaluate(RING)
    assert ring["visible"], f"focus not shown on {ring}"
    assert ring["style"] != "none" and ring["width"] >= 2, ring
    colours = [ring["outline"]] + ([ring["shadow"]] if ring["shadow"] else [])
    assert max(contrast(colour, ring["behind"]) for colour in colours) >= 3, ring
    return ring


def focused(page, predicate: str) -> bool:
    return page.evaluate(f"(el => {predicate})(document.activeElement)")


def tab_to(page, predicate: str, *, key: str = "Tab", limit: int = 60) -> dict:
    """Press Tab (or Shift+Tab) until the focus matches the JS predicate; the focus is seen."""
    for _ in range(limit):
        page.keyboard.press(key)
        if focused(page, predicate):
            return assert_focus_seen(page)
    raise AssertionError(f"{key} never reached {predicate}")


def sign_in_by_keyboard(page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    tab_to(page, "el.id === 'id_login'")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert focused(page, "el.id === 'id_password'")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r".*/accounts/.*"))


def test_a_client_answers_a_phq9_with_the_keyboard_alone(live_server, page_at, screenshot):
    clinic = make_clinic("Hillside Practice")
    alice = make_person(clinic, Role.CLINICIAN)
    person = make_person(clinic, Role.CLIENT, password=PASSWORD)
    client = make_client(clinic, clinicians=[alice], user=person)
    administration = Administration.objects.create(
        client=client, instrument_id="phq9", instrument_version=1, mode="portal", created_by=alice
    )
    base = live_server.url
    page = page_at(1280, 900)
    sign_in_by_keyboard(page, base, person.email)

    page.goto(f"{base}/portal/questionnaires/")
    tab_to(page, "el.tagName === 'A' && el.textContent.includes('PHQ-9')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/portal/questionnaires/{administration.pk}/")

    # Item 1 by Space on its first answer; items 2 to 8 by Tab into the group and an arrow key,
    # which moves to the next answer and chooses it. Each choice is saved as it is made.
    tab_to(page, "el.name === 'phq9_1'")
    page.keyboard.press("Space")
    for item in range(2, 9):
        page.keyboard.press("Tab")
        assert focused(page, f"el.name === 'phq9_{item}' && el.value === '0'")
        assert_focus_seen(page)
        if item < 8:
            page.keyboard.press("ArrowDown")
            continue
        with page.expect_response(lambda r: "phq9_8=1" in (r.request.post_data or "")):
            page.keyboard.press("ArrowDown")  # the autosave with the last answer
    assert page.locator("input[name='phq9_5']:checked").get_attribute("value") == "1"
    # Item 9 left unanswered: Tab passes it and the optional last question, to Submit.
    tab_to(page, "el.tagName === 'BUTTON' && el.value === '1'", limit=3)
    page.keyboard.press("Enter")

    summary = page.locator("main .form-error")
    expect(summary).to_contain_text("needs an answer")
    assert focused(page, "el.classList.contains('form-error')"), "focus not on the summary"
    assert_focus_seen(page)
    screenshot(page, "keyboard-phq9-summary-1280")
    assert page.locator("input[name='phq9_1']:checked").get_attribute("value") == "0"
    assert page.locator("input[name='phq9_8']:checked").get_attribute("value") == "1"

    # The summary links to the question; following it, Tab goes into that question.
    tab_to(page, "el.tagName === 'A' && el.getAttribute('href') === '#question-phq9_9'", limit=2)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page, "el.name === 'phq9_9'")
    assert_focus_seen(page)
    with page.expect_response(lambda r: "phq9_9=0" in (r.request.post_data or "")):
        page.keyboard.press("Space")
    tab_to(page, "el.tagName === 'BUTTON' && el.value === '0'", limit=4)  # Save for later
    tab_to(page, "el.tagName === 'BUTTON' && el.value === '1'", key="Shift+Tab", limit=1)
    page.keyboard.press("Enter")

    # The redirect keeps the address's #question-phq9_9, which names nothing on this page.
    page.wait_for_url(re.compile(rf"{base}/portal/questionnaires/(#.*)?$"))
    expect(page.locator("main")).to_contain_text("Your answers are with your clinician")
    ring = assert_focus_seen(page)
    assert "Your answers are with your clinician" in ring["text"], ring
    screenshot(page, "keyboard-phq9-done-1280")
    administration.refresh_from_db()
    assert administration.status == "submitted"
    assert administration.answers["phq9_9"] == 0 and administration.answers["phq9_2"] == 1


def test_a_clinician_writes_and_saves_a_note_with_the_keyboard_alone(
    live_server, page_at, screenshot
):
    clinic = make_clinic("Hillside Practice")
    alice = make_person(clinic, Role.CLINICIAN, password=PASSWORD)
    client = make_client(clinic, clinicians=[alice], given_name="Maya")
    session = make_session(make_course(client), alice)
    base = live_server.url
    page = page_at(1280, 900)
    # Enter before the password: the server refuses, and the focus is on the field to fill in.
    page.goto(base + "/accounts/login/")
    tab_to(page, "el.id === 'id_login'")
    page.keyboard.type(alice.email)
    page.keyboard.press("Enter")
    expect(page.locator("#id_password")).to_have_attribute("aria-invalid", "true")
    assert focused(page, "el.id === 'id_password'"), "focus not on the refused field"
    assert_focus_seen(page)
    assert page.locator("#id_login").input_value() == alice.email
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_label("Code").wait_for()
    tab_to(page, "el.name === 'code'")
    page.keyboard.type(totp_code(alice))
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r".*/accounts/.*"))
    page.goto(f"{base}/sessions/{session.pk}/")

    tab_to(page, "el.id === 'id_mood'")
    page.keyboard.type("11")  # out of range
    page.keyboard.press("Tab")
    assert focused(page, "el.id === 'id_interval_events'")
    assert_focus_seen(page)
    page.keyboard.type("Argued with her sister on Sunday; did not go to work on Monday.")
    page.keyboard.press("Tab")
    page.keyboard.type("Role dispute: named what she wants from her sister.")
    tab_to(page, "el.type === 'checkbox' && el.name === 'techniques'", limit=2)
    page.keyboard.press("Space")
    first_technique = page.evaluate("document.activeElement.value")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.includes('Save draft')")
    page.keyboard.press("Enter")

    # The browser refuses the mood before sending: the focus goes back to it, nothing is lost.
    assert focused(page, "el.id === 'id_mood' && !el.validity.valid"), "focus not on the mood"
    assert_focus_seen(page)
    screenshot(page, "keyboard-note-refused-1280")
    assert page.locator("#id_interval_events").input_value().startswith("Argued with her sister")
    assert page.locator(f"input[name='techniques'][value='{first_technique}']").is_checked()
    assert not ProgressNote.objects.filter(session=session).exists()

    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("4")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.includes('Sign note')")
    tab_to(page, "el.textContent.includes('Save draft')", key="Shift+Tab", limit=1)
    page.keyboard.press("Enter")

    page.wait_for_url(f"{base}/sessions/{session.pk}/")
    expect(page.locator("main")).to_contain_text("Draft saved.")
    ring = assert_focus_seen(page)
    assert "Draft saved." in ring["text"], ring
    screenshot(page, "keyboard-note-saved-1280")
    note = ProgressNote.objects.get(session=session)
    assert note.mood == 4 and note.focus_work.startswith("Role dispute")
    assert note.techniques == [first_technique] and not note.is_signed
