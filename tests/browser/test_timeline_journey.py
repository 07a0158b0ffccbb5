"""The timeline chart in Chromium at phone and desktop widths, for the demo's four stories."""

import pytest

from gentle.clients.models import Client
from gentle.demo import seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_timelines_read_at_phone_and_desktop_widths(live_server, page_at, screenshot, settings):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    grief = Client.objects.filter(life_events__category="death").first()
    assert grief is not None
    clinician = grief.care_team.get(role="clinician").user
    for width in (1280, 360):
        page = page_at(width, 900)
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Email address").fill(clinician.email)
        page.get_by_label("Password").fill("gentle-demo")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(live_server.url + "/")
        page.goto(f"{live_server.url}/clients/{grief.pk}/timeline/")
        chart = page.locator("svg.timeline[role=img]")
        assert chart.is_visible()
        assert page.locator("svg.timeline .event.highlight").count() >= 1
        assert "Near the onset" in page.locator("table").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        screenshot(page, f"timeline-{width}")
        page.get_by_role("link", name="1 year").click()
        chart.wait_for()
        screenshot(page, f"timeline-1y-{width}")
