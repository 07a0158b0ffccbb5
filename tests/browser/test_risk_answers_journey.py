"""At phone size: a client answers PHQ-9 item 9 and, before submitting anything, the autosave
raises the alert and brings the clinic's crisis response into view on the same page."""

import re

import pytest
from playwright.sync_api import expect

from gentle.accounts.models import Role
from gentle.measures.models import Administration
from gentle.safety.models import Alert, CrisisText
from tests.factories import make_client, make_clinic, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long and private passphrase 42"
CRISIS = "Hillside out-of-hours line: 0100 200 300."


def test_an_autosaved_item_9_answer_shows_help_at_once(live_server, page_at, screenshot):
    clinic = make_clinic("Hillside Practice")
    CrisisText.objects.create(clinic=clinic, language="en", text=CRISIS)
    alice = make_person(clinic, Role.CLINICIAN)
    person = make_person(clinic, Role.CLIENT, password=PASSWORD)
    record = make_client(clinic, clinicians=[alice], user=person)
    administration = Administration.objects.create(
        client=record, instrument_id="phq9", instrument_version=1, mode="portal", created_by=alice
    )
    base = live_server.url
    phone = page_at(360, 780)
    phone.goto(base + "/accounts/login/")
    phone.get_by_label("Email address").fill(person.email)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    expect(phone).not_to_have_url(re.compile(r".*/accounts/login/.*"))
    phone.goto(f"{base}/portal/questionnaires/{administration.pk}/")
    slot = phone.locator("#crisis-slot")
    expect(slot).to_be_empty()
    with phone.expect_response(lambda r: r.request.method == "POST"):
        phone.get_by_role("group", name="9.").get_by_label("Several days").check()
    expect(slot).to_contain_text(CRISIS)
    expect(slot.get_by_role("alert")).to_be_in_viewport()
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(phone, "portal-questionnaire-crisis-360")
    (alert,) = Alert.objects.filter(client=record)
    assert (alert.rule_id, alert.severity) == ("phq9_item9_some", "moderate")
    administration.refresh_from_db()
    assert administration.status == "in_progress"
