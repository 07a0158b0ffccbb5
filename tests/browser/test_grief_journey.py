"""The grief curve and the transition worksheet in Chromium at phone and desktop widths."""

import pytest

from gentle.demo import seed_demo
from gentle.grief.models import Loss, Transition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, email):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("gentle-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")


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
        page = page_at(width, 900)
        sign_in(page, live_server.url, transition.client.care_team.get(role="clinician").user.email)
        page.goto(f"{live_server.url}/transitions/{transition.pk}/")
        assert "Went to the breakfast" in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        screenshot(page, f"transition-{width}")
