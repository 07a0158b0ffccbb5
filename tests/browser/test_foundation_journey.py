"""A newcomer's first minutes: the home page on a phone and a desktop, signing in, Spanish."""

import pytest
from playwright.sync_api import expect

from gentle.demo import seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_no_horizontal_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the viewport"


@pytest.mark.parametrize("width", [360, 1280])
def test_home_page_fits_phone_and_desktop(live_server, page_at, screenshot, width):
    page = page_at(width)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Better relationships, better mood."
    assert page.get_by_role("link", name="In crisis? Get help now").is_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, f"home-{width}")
    assert errors == [], errors  # includes CSP violations


def test_clinician_signs_in_on_a_phone_and_switches_to_spanish(
    live_server, page_at, screenshot, settings
):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True  # as in the demo: its logins have no authenticator
    seed_demo()
    page = page_at(360, 740)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Email address").fill("clinician@demo.gentle.test")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.get_by_label("Email address").input_value() == "clinician@demo.gentle.test"
    screenshot(page, "login-error-360")

    page.get_by_label("Password").fill("gentle-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    assert "Riverside Community Wellbeing Clinic" in page.locator("header").inner_text()
    assert page.get_by_role("heading", name="Today's sessions").is_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "home-clinician-360")

    page.get_by_label("Language").select_option("es")
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Abrir los casos").wait_for()
    assert page.locator("html").get_attribute("lang") == "es"
    screenshot(page, "home-clinician-es-360")

    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Cerrar sesión").click()
    page.get_by_role("link", name="Iniciar sesión").first.wait_for()


def test_administrator_sees_people_on_desktop(live_server, page_at, screenshot, settings):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    page = page_at(1280)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email address").fill("admin@demo.gentle.test")
    page.get_by_label("Password").fill("gentle-demo")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    rows = page.locator("tbody tr")
    assert rows.count() == 6  # the demo's staff, the lay group facilitator among them
    supervisor = rows.filter(has_text="supervisor@demo.gentle.test")
    assert "Clinician, Supervisor" in supervisor.inner_text()
    facilitator = rows.filter(has_text="facilitator@demo.gentle.test")
    assert "Group facilitator" in facilitator.inner_text()
    assert "client@demo.gentle.test" not in page.locator("main").inner_text()
    screenshot(page, "people-1280")
    # The clients with a portal login are on a page of their own.
    page.get_by_role("link", name="Clients with a portal login (1)").click()
    assert page.locator("tbody tr").count() == 1
    assert "client@demo.gentle.test" in page.locator("tbody tr").inner_text()
    assert page.get_by_text("Staff (6)").is_visible()
