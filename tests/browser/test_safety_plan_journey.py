"""The safety plan in Chromium: the demo client opens their plan on a phone, taps a number,
adds a risk sentence and sees the crisis response with their own plan; the clinician sees the
new version and prints the plan at desktop width."""

import pytest

from gentle.clients.models import Client
from gentle.demo import seed_demo
from gentle.safety.models import Alert, SafetyPlanVersion
from tests.browser.test_grief_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_client_adds_to_their_plan_on_a_phone_and_the_clinician_prints_it(
    live_server, page_at, screenshot, settings
):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True  # as in the demo
    seed_demo()
    record = Client.objects.get(user__email="client@demo.gentle.test")
    base = live_server.url
    phone = page_at(360, 780)
    sign_in(phone, base, "client@demo.gentle.test")
    phone.goto(base + "/portal/")
    phone.get_by_role("link", name="My safety plan").click()
    phone.get_by_role("heading", name="Version 2, saved", exact=False).wait_for()
    assert phone.locator('a[href="tel:5550142"]').first.is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    screenshot(phone, "portal-safety-plan-360")
    phone.get_by_label("My warning signs").fill("Some nights I want to die.")
    phone.get_by_role("button", name="Save the plan").click()
    phone.locator("#crisis-response").wait_for()
    crisis = phone.locator("#crisis-response").inner_text()
    assert "From your safety plan" in crisis and "555-0142" in crisis
    assert "024" in crisis or "555-0100" in crisis
    screenshot(phone, "portal-safety-plan-crisis-360")
    assert SafetyPlanVersion.objects.filter(client=record).count() == 3
    assert Alert.objects.filter(client=record, source="safety_plan").count() == 1

    desk = page_at(1280, 900)
    sign_in(desk, base, "clinician@demo.gentle.test")
    desk.goto(f"{base}/clients/{record.pk}/")
    desk.get_by_role("link", name="Safety plan").click()
    desk.get_by_role("heading", name="Version 3, saved", exact=False).wait_for()
    desk.get_by_role("link", name="Print-friendly page").click()
    desk.get_by_role("heading", name="My safety plan").wait_for()
    desk.emulate_media(media="print")
    assert not desk.locator(".site-header").is_visible()
    screenshot(desk, "safety-plan-print")
