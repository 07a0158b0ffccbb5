"""Perinatal IPT in Chromium (issue 23, part 3): on a phone, the demo client answers the EPDS
their clinician gave them in the portal; "Sometimes" on item 10 brings the clinic's crisis
response into view at once; at a desk, the clinician sees the high alert with its reason."""

import pytest
from playwright.sync_api import expect

from gentle.clients.models import Client
from gentle.demo import seed_demo
from gentle.measures.instruments import catalogue
from gentle.measures.models import Administration
from gentle.safety.models import Alert
from tests.browser.test_grief_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_epds_item_10_in_the_portal_shows_help_and_reaches_the_clinician(
    live_server, page_at, screenshot, settings
):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True  # as in the demo
    seed_demo()
    record = Client.objects.get(user__email="client@demo.gentle.test")
    clinician = record.care_team.get(role="clinician").user
    administration = Administration.objects.create(
        client=record,
        instrument_id="epds",
        instrument_version=catalogue()["epds"].version,
        mode="portal",
        course=record.courses.first(),
        created_by=clinician,
    )
    before = set(Alert.objects.values_list("pk", flat=True))
    base = live_server.url

    phone = page_at(360, 780)
    sign_in(phone, base, "client@demo.gentle.test")
    phone.goto(f"{base}/portal/questionnaires/{administration.pk}/")
    expect(phone.locator("h1")).to_contain_text("EPDS")
    slot = phone.locator("#crisis-slot")
    for number in range(1, 10):
        with phone.expect_response(lambda r: r.request.method == "POST"):
            phone.locator(f"#question-epds_{number} input[type=radio]").nth(2).check()
    expect(slot).to_be_empty()  # nine answers, no risk item yet
    item_10 = phone.locator("#question-epds_10")
    expect(item_10).to_contain_text("Thoughts of harming yourself")
    with phone.expect_response(lambda r: r.request.method == "POST"):
        item_10.get_by_label("Sometimes").check()
    expect(slot.get_by_role("alert")).to_be_in_viewport()
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(phone, "perinatal-epds-crisis-360")
    phone.get_by_role("button", name="Submit").click()
    expect(phone.locator("main")).to_contain_text("Thank you for your answers")

    (alert,) = Alert.objects.exclude(pk__in=before)
    assert (alert.rule_id, alert.severity) == ("epds_item10_sometimes_or_often", "high")
    administration.refresh_from_db()
    assert administration.status == "submitted"

    desk = page_at(1280, 900)
    sign_in(desk, base, clinician.email)
    desk.goto(f"{base}/alerts/{alert.pk}/")
    expect(desk.locator("main")).to_contain_text("Thoughts of harming oneself, sometimes or")
    screenshot(desk, "perinatal-epds-alert-1280")
