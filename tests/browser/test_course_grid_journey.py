"""A course session by session in Chromium (issue 22): the demo clinician opens the grid of the
demo's course from the course page, on a phone (each session a card, nothing wider than the
screen) and at a desk (a labelled region that takes the keyboard's focus and scrolls sideways
with the session column kept in view); axe finds nothing at either width."""

import re

import pytest

from gentle.clients.models import Client
from gentle.demo import seed_demo
from tests.browser.test_accessibility_crawl import AXE, RUN_AXE, WCAG_22_AA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, email):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("gentle-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")


def open_grid(page, base, course) -> None:
    page.context.add_init_script(path=str(AXE))
    sign_in(page, base, "clinician@demo.gentle.test")
    page.goto(f"{base}/courses/{course.pk}/")
    page.get_by_role("link", name=re.compile("^Session by session")).click()
    page.get_by_role("heading", name="Session by session", level=1).wait_for()
    assert page.evaluate(RUN_AXE, WCAG_22_AA) == []


def test_the_demo_course_session_by_session_on_a_phone_and_a_desk(
    live_server, page_at, screenshot, settings
):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True  # as in the demo
    seed_demo()
    course = Client.objects.get(user__email="client@demo.gentle.test").courses.get()
    base = live_server.url

    phone = page_at(360, 780)
    open_grid(phone, base, course)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    first = phone.locator("table.course-grid tbody tr").first
    assert first.locator("th").inner_text().startswith("Session 1")
    assert first.bounding_box()["width"] <= 360
    # Each cell says what it is: the column's name is drawn before its value.
    mood = first.locator('td[data-label="Mood"]')
    label = mood.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"Mood"' and re.fullmatch(r"\d+/10", mood.inner_text().strip())
    screenshot(phone, "course-grid-360")

    desk = page_at(1280, 900)
    open_grid(desk, base, course)
    region = desk.get_by_role("region", name=re.compile("sessions in time"))
    region.focus()
    assert region.evaluate("el => el === document.activeElement")
    rows = desk.locator("table.course-grid tbody tr")
    assert rows.count() == course.sessions.count()
    texts = rows.all_inner_texts()
    assert any("/10" in text for text in texts)  # mood from the demo's notes
    assert any(re.search(r"goal 1: [+−]?\d", text) for text in texts)  # the demo's GAS ratings
    header = rows.first.locator("th")
    assert header.evaluate("th => getComputedStyle(th).position") == "sticky"
    screenshot(desk, "course-grid-1280")


def test_the_supervisors_caseload_with_its_new_columns_fits_a_phone(
    live_server, page_at, screenshot, settings
):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    phone = page_at(360, 780)
    phone.context.add_init_script(path=str(AXE))
    sign_in(phone, live_server.url, "supervisor@demo.gentle.test")
    phone.goto(live_server.url + "/caseload/")
    card = phone.locator("table.responsive tbody tr").first
    for label in ("Clinician", "Focus", "Notes to sign"):
        assert card.locator(f'td[data-label="{label}"]').is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone.evaluate(RUN_AXE, WCAG_22_AA) == []
    screenshot(phone, "caseload-supervisor-360")
