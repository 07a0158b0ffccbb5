"""A practice task at phone size: the clinician sets one in plain words from the session page;
the client finds it on the portal's home page and reports back how it went; the clinician sees
the report on the next session's "Before this session" panel."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gentle.clients.models import Client
from gentle.courses.models import Attendance, Session
from gentle.demo import seed_demo
from gentle.portal.demo import PRACTICE
from tests.browser.test_charts_journey import sign_in
from tests.browser.test_portal_journey import no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WORDS = "Tell Lena about the move before Friday"
NOTE = "Told her over coffee. She was kinder about it than I feared."


def test_the_client_reports_back_on_a_practice_task(live_server, page_at, screenshot, settings):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    record = Client.objects.get(user__email="client@demo.gentle.test")
    sessions = Session.objects.filter(course__client=record, course__status="active")
    last = sessions.filter(starts_at__lt=timezone.now(), attendance=Attendance.ATTENDED).latest(
        "starts_at"
    )
    upcoming = sessions.filter(starts_at__gt=last.starts_at).earliest("starts_at")
    base = live_server.url

    desk = page_at(1280, 900)
    sign_in(desk, base, "clinician@demo.gentle.test")
    desk.goto(f"{base}/sessions/{last.pk}/")
    panel = desk.get_by_role("region", name="Before this session")
    expect(panel).to_contain_text(PRACTICE)  # the demo's, set in this session
    panel.get_by_text("Set a practice task").click()
    panel.get_by_label("Practice task, in the client's words").fill(WORDS)
    panel.get_by_role("button", name="Set the practice task").click()
    expect(desk.locator("main")).to_contain_text("Practice task set.")
    expect(desk.get_by_role("region", name="Before this session")).to_contain_text(WORDS)

    phone = page_at(360, 780)
    sign_in(phone, base, "client@demo.gentle.test")
    phone.goto(f"{base}/portal/")
    phone.get_by_role("link", name=WORDS).click()
    expect(phone.get_by_role("heading", name=WORDS)).to_be_visible()
    no_sideways_scroll(phone)
    phone.get_by_label("I did some of it").check()
    phone.get_by_label("A few words about it (optional)").fill(NOTE)
    screenshot(phone, "portal-practice-report-360")
    phone.get_by_role("button", name="Save").click()
    expect(phone.locator("main")).to_contain_text("Saved. Your clinician reads it")
    expect(phone.locator("main")).to_contain_text("I did some of it")
    no_sideways_scroll(phone)
    screenshot(phone, "portal-practice-reported-360")

    desk.goto(f"{base}/sessions/{upcoming.pk}/")
    panel = desk.get_by_role("region", name="Before this session")
    expect(panel).to_contain_text(WORDS)
    expect(panel).to_contain_text(NOTE)
    screenshot(desk, "session-panel-practice-report-1280")
