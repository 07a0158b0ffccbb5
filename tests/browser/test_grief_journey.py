"""The grief curve and the transition worksheet in Chromium at phone and desktop widths."""

import pytest

from gentle.demo import seed_demo
from gentle.grief.models import Loss, Transition
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, email):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("gentle-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")


def assert_prints(page, selector, name, screenshot):
    """On paper the chart or worksheet stays and the site's navigation and forms go."""
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator(selector).first.is_visible()
    assert not page.locator(".site-header").is_visible()
    for details in page.locator("main details").all():  # text alternatives print open
        assert details.get_attribute("open") is not None
    assert page.locator("main form:visible").count() == 0
    screenshot(page, name)
    page.pdf(path=str(ARTIFACTS / f"{name}.pdf"))
    page.emulate_media(media="screen")


def test_grief_curve_and_worksheet_read_at_both_widths(live_server, page_at, screenshot, settings):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    loss = Loss.objects.select_related("client").get()
    transition = Transition.objects.select_related("client").get()
    for width in (1280, 360):
        page = page_at(width, 900)
        sign_in(page, live_server.url, loss.client.care_team.get(role="clinician").user.email)
        page.goto(f"{live_server.url}/losses/{loss.pk}/")
        assert page.locator("svg.grief[role=img]").is_visible()
        assert "meets the threshold for prolonged grief" in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        screenshot(page, f"grief-curve-{width}")
        if width == 1280:
            assert_prints(page, "svg.grief", "grief-curve-print", screenshot)
            page.emulate_media(media="print")
            assert not page.get_by_role("heading", name="Add to the log").is_visible()
            page.emulate_media(media="screen")
        page = page_at(width, 900)
        sign_in(page, live_server.url, transition.client.care_team.get(role="clinician").user.email)
        page.goto(f"{live_server.url}/transitions/{transition.pk}/")
        assert "Went to the breakfast" in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        screenshot(page, f"transition-{width}")
        if width == 1280:
            assert_prints(page, "main", "transition-print", screenshot)
            page.emulate_media(media="print")
            assert page.get_by_text("Said what they miss most").is_visible()
            assert page.locator("dl.print-only").is_visible()
            assert "Old role: what was lost" in page.locator("dl.print-only").inner_text()
