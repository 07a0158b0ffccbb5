"""Measures in Chromium: a client answers the PHQ-9 on a phone, a risk answer shows the crisis
text at once, and the care team sees, reviews and acknowledges the alert; the charts read at
phone and desktop widths."""

import re

import pytest

from gentle.clients.models import Client
from gentle.demo import seed_demo
from gentle.safety.models import Alert, CrisisText

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, email):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("gentle-demo")
    page.get_by_role("button", name="Sign in").click()
    # Staff land on the home page, a client on the portal's (issue 22).
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_risk_answer_in_the_portal_reaches_the_care_team(
    live_server, page_at, screenshot, settings
):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True  # as in the demo
    seed_demo()
    portal_client = Client.objects.get(user__email="client@demo.gentle.test")
    CrisisText.objects.update_or_create(  # the demo seeds one; this test writes its own
        clinic=portal_client.clinic,
        language="en",
        defaults={"text": "Riverside duty line (fictional): 555-0199, 24 hours."},
    )
    base = live_server.url
    phone = page_at(360, 780)
    sign_in(phone, base, "client@demo.gentle.test")
    phone.get_by_role("button", name="Menu").click()  # the navigation folds on a phone
    phone.get_by_role("link", name="Questionnaires").first.click()
    phone.get_by_role("link", name="PHQ-9 (depression)").click()
    for number in range(1, 9):
        phone.get_by_role("group", name=f"{number}.").get_by_label("Several days").check()
    phone.get_by_role("group", name="9.").get_by_label("Several days").check()
    screenshot(phone, "portal-phq9-360")
    phone.get_by_role("button", name="Submit").click()
    phone.get_by_role("heading", name="Thank you for your answers").wait_for()
    assert "Riverside duty line (fictional): 555-0199" in phone.locator("main").inner_text()
    assert "alert" not in phone.locator("main").inner_text().lower()
    screenshot(phone, "portal-crisis-360")
    assert Alert.objects.filter(
        client=portal_client, acknowledged_at=None, severity="moderate"
    ).exists()

    desk = page_at(1280, 900)
    sign_in(desk, base, "clinician@demo.gentle.test")
    desk.get_by_role("link", name="Caseload").first.click()
    row = desk.locator("tbody tr").filter(has_text=portal_client.full_name)
    # The alerts say their severity in words: "Moderate alert", "2 open: high, moderate".
    row.get_by_role("link", name=re.compile(r"\balert\b|\bopen\b")).click()
    desk.locator("svg.chart[role=img]").first.wait_for()
    screenshot(desk, "measures-results-1280")
    desk.get_by_role("link", name="Review and acknowledge").first.click()
    close = desk.locator("#close")  # the page also holds the contact log's form
    close.get_by_label("What was done").select_option("contact")
    close.get_by_label("Note").fill("Called the client the same afternoon; safety plan reviewed.")
    close.get_by_role("button", name="Acknowledge").click()
    desk.get_by_text("Alert acknowledged.").wait_for()
    screenshot(desk, "measures-acknowledged-1280")


def test_results_chart_reads_on_a_phone(live_server, page_at, screenshot, settings):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    client = Client.objects.get(user__email="client@demo.gentle.test")
    page = page_at(360, 780)
    sign_in(page, live_server.url, "clinician@demo.gentle.test")
    page.goto(f"{live_server.url}/clients/{client.pk}/measures/")
    chart = page.locator("svg.chart[role=img]").first
    assert chart.bounding_box()["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(page, "measures-results-360")
