"""The groups programme view in Chromium (issue 24 part 5): the demo's administrator opens it
from the home page; on a phone each group is a card no wider than the screen, its cells
labelled; axe finds nothing on a phone or at a desk."""

import re

import pytest

from gentle.demo import seed_demo
from tests.browser.test_accessibility_crawl import AXE, RUN_AXE, WCAG_22_AA
from tests.browser.test_course_grid_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_programme(page, base) -> None:
    page.context.add_init_script(path=str(AXE))
    sign_in(page, base, "admin@demo.gentle.test")
    page.get_by_role("link", name="Groups programme").click()
    page.get_by_role("heading", name="Groups programme", level=1).wait_for()
    assert page.evaluate(RUN_AXE, WCAG_22_AA) == []


def test_the_programme_on_a_phone_and_a_desk(live_server, page_at, screenshot, settings):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True  # as in the demo
    seed_demo()
    base = live_server.url

    phone = page_at(360, 780)
    open_programme(phone, base)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    spring = phone.locator("#programme-groups tbody tr", has_text="Spring group")
    assert spring.bounding_box()["width"] <= 360
    cell = spring.locator('td[data-label="Completion"]')
    label = cell.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"Completion"' and re.match(r"83% \(5 of 6\)", cell.inner_text().strip())
    screenshot(phone, "group-programme-360")

    desk = page_at(1280, 900)
    open_programme(desk, base)
    assert desk.locator("#programme-groups caption").inner_text() == "3 groups"
    screenshot(desk, "group-programme-1280")
