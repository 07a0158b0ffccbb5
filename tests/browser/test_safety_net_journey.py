"""The safety net in Chromium (issue 18): the demo client writes a risk diary entry on a phone
and sees crisis help at once; the alert is mailed to the clinician (a link and the severity
only); the clinician opens it from the badge at desktop width and logs a contact attempt; left
open, it escalates on time to the supervisor, who closes it with a note. A grief client writing
about a parent's suicide is not alarmed."""

from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import expect

from gentle.clients.models import Client
from gentle.demo import seed_demo
from gentle.safety.actions import alerts_escalate
from gentle.safety.models import Alert, ContactAttempt
from tests.browser.test_grief_journey import sign_in
from tests.factories import deliver_mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RISK = "mood 1 — I don't want to live anymore, I want to die"
MENTION = "My dad died by suicide when I was twelve. Today I put flowers on his grave."


def no_sideways_scroll(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_risk_diary_entry_reaches_a_person_and_escalates_when_left(
    live_server, page_at, screenshot, settings
):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True  # as in the demo
    seed_demo()
    record = Client.objects.get(user__email="client@demo.gentle.test")
    before = set(Alert.objects.values_list("pk", flat=True))
    deliver_mail()  # what the demo's own story queued
    mail.outbox.clear()
    base = live_server.url

    # The client, on a phone: a mention is saved quietly, a risk entry gets help at once.
    phone = page_at(360, 780)
    sign_in(phone, base, "client@demo.gentle.test")
    phone.goto(f"{base}/portal/diary/")
    phone.locator("fieldset.scale-row label", has_text="4").first.click()
    phone.get_by_label("What happened").fill(MENTION)
    phone.get_by_role("button", name="Save").click()
    expect(phone.locator("main")).to_contain_text("Saved in your diary.")
    assert phone.locator("#crisis-response").count() == 0
    assert set(Alert.objects.values_list("pk", flat=True)) == before

    phone.goto(f"{base}/portal/diary/")
    phone.locator("fieldset.scale-row label", has_text="1").first.click()
    phone.get_by_label("How I felt").fill(RISK)
    phone.get_by_role("button", name="Save").click()
    crisis = phone.locator("#crisis-response")
    expect(crisis).to_be_visible()
    expect(crisis).to_contain_text("Your clinician will see this when they next open Gentle")
    assert crisis.locator('a[href^="tel:"]').count() >= 1
    expect(crisis).to_contain_text("From your safety plan")
    no_sideways_scroll(phone)
    screenshot(phone, "safety-net-crisis-360")
    (alert,) = Alert.objects.exclude(pk__in=before)
    assert alert.client == record and alert.severity == "high" and alert.source == "diary"

    # The care team is told by mail: the severity and a link, nothing of what was written.
    assert deliver_mail() >= 1
    (notice,) = [m for m in mail.outbox if f"/alerts/{alert.pk}/" in m.body]
    assert notice.to == ["clinician@demo.gentle.test"]
    assert "want to die" not in notice.body and record.given_name not in notice.body

    # The clinician, at a desk: the badge, the alert with the client's words, a contact attempt.
    desk = page_at(1280, 900)
    sign_in(desk, base, "clinician@demo.gentle.test")
    badge = desk.locator("nav .nav-badge").first
    expect(badge).to_be_visible()
    desk.goto(f"{base}/alerts/{alert.pk}/")
    expect(desk.locator("#raised")).to_contain_text("I want to die")
    expect(desk.locator("#reach")).to_contain_text("555-0131")
    desk.get_by_role("group", name="Outcome").get_by_label("Could not reach").check()
    desk.get_by_label("Note (optional)").fill("Rang twice, no answer.")
    desk.get_by_role("button", name="Log this attempt").click()
    expect(desk.locator("main")).to_contain_text("Contact attempt logged.")
    expect(desk.locator("#contact-log")).to_contain_text("Could not reach")
    screenshot(desk, "safety-net-alert-1280")
    assert ContactAttempt.objects.filter(alert=alert).count() == 1

    # Left open: not escalated before its hour, escalated after it; the supervisor is told.
    assert alerts_escalate(now=alert.raised_at + timedelta(minutes=55)) == 0
    assert alerts_escalate(now=alert.raised_at + timedelta(minutes=66)) == 1
    mail.outbox.clear()
    assert deliver_mail() >= 1
    assert "supervisor@demo.gentle.test" in [to for m in mail.outbox for to in m.to]

    boss = page_at(1280, 900)
    sign_in(boss, base, "supervisor@demo.gentle.test")
    boss.goto(f"{base}/alerts/{alert.pk}/")
    boss.get_by_label("What was done").select_option(value="contact")
    note = boss.get_by_role("textbox", name="Note", exact=True)  # the required mark is not read
    assert note.evaluate("field => field.required")  # a high alert is closed only with a note
    note.fill("Reached the client at home; safe tonight, seen tomorrow.")
    boss.get_by_role("button", name="Acknowledge").click()
    expect(boss.locator("main")).to_contain_text("Alert acknowledged.")
    alert.refresh_from_db()
    assert alert.acknowledged_by.email == "supervisor@demo.gentle.test"
