"""The portal at phone size: the clinician invites a client (the link by email, the code on the
printed letter) and assigns a worksheet; the client activates with both, completes a PHQ-9,
writes a diary entry and finishes the worksheet; the clinician then sees all three and who the
portal login is."""

import re
from datetime import date

import pytest
from django.core import mail
from playwright.sync_api import expect

from gentle.accounts.models import User
from gentle.clients.models import Client
from gentle.communication.models import Worksheet
from gentle.demo import seed_demo
from gentle.measures.models import Administration
from tests.browser.test_grief_journey import sign_in
from tests.factories import deliver_mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long and private passphrase 42"


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_a_client_activates_and_does_the_work_the_clinician_then_sees(
    live_server, page_at, screenshot, settings
):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    clinician = User.objects.get(email="clinician@demo.gentle.test")
    record = (
        Client.objects.filter(user__isnull=True, care_team__user=clinician)
        .exclude(courses=None)
        .first()
    )
    sheet = Worksheet.objects.create(
        client=record, kind="repair", title="After Sunday's argument", updated_by=clinician
    )
    Administration.objects.create(
        client=record,
        course=record.courses.first(),
        instrument_id="phq9",
        instrument_version=1,
        mode="portal",
        created_by=clinician,
    )
    Client.objects.filter(pk=record.pk).update(date_of_birth=date(1988, 3, 9))
    base = live_server.url

    desk = page_at(1280, 900)
    sign_in(desk, base, clinician.email)
    desk.goto(f"{base}/worksheets/{sheet.pk}/")
    desk.get_by_label("Assign to the client as a task, due").fill("2099-01-31")
    desk.get_by_role("button", name="Assign", exact=True).click()
    expect(desk.locator("main")).to_contain_text("Task assigned")
    desk.goto(f"{base}/clients/{record.pk}/")
    desk.get_by_role("link", name="Invite to the portal").click()
    desk.get_by_label("The client's email address").fill("new.client@example.test")
    desk.get_by_role("button", name="Send the invitation").click()
    # The letter carries the code; the link went only to the client's email.
    code = desk.locator("[data-code]").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    expect(desk.locator("main")).not_to_contain_text("/invitations/")
    assert deliver_mail() >= 1  # the worker sends what the page queued (and the demo's notices)
    (message,) = [m for m in mail.outbox if m.to == ["new.client@example.test"]]
    assert code not in message.body
    link = re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)
    screenshot(desk, "portal-invitation-letter-1280")

    phone = page_at(360, 780)
    phone.goto(link)
    phone.get_by_label("Code from your letter").fill(code.lower())
    phone.get_by_label("Your date of birth").fill("1988-03-09")
    phone.get_by_label("Your name").fill("Dana")
    phone.get_by_label("Choose a password").fill(PASSWORD)
    phone.get_by_label("The same password again").fill(PASSWORD)
    phone.get_by_role("button", name="Accept invitation").click()
    phone.goto(f"{base}/portal/")
    expect(phone.get_by_role("heading", name="To do")).to_be_visible()
    expect(phone.locator("main")).to_contain_text("1 questionnaire to fill in")
    expect(phone.locator("main")).to_contain_text("Repair plan: After Sunday's argument")
    no_sideways_scroll(phone)
    screenshot(phone, "portal-home-360")

    phone.get_by_role("link", name="1 questionnaire to fill in").click()
    phone.get_by_role("link", name="PHQ-9 (depression)").click()
    # Answers are kept as they are given: a dropped connection loses nothing already chosen.
    with phone.expect_response(lambda r: r.request.method == "POST"):
        phone.get_by_role("group", name="1.").get_by_label("More than half the days").check()
    phone.reload()
    expect(
        phone.get_by_role("group", name="1.").get_by_label("More than half the days")
    ).to_be_checked()
    for number in range(1, 10):
        answer = "Not at all" if number == 9 else "More than half the days"
        phone.get_by_role("group", name=f"{number}.").get_by_label(answer).check()
    phone.get_by_role("button", name="Submit").click()
    expect(phone.locator("main")).to_contain_text("Thank you")

    phone.goto(f"{base}/portal/diary/")
    phone.locator("fieldset.scale-row label", has_text="4").first.click()
    phone.get_by_label("What happened").fill("Quiet day; phoned my sister in the evening.")
    phone.get_by_role("button", name="Save").click()
    expect(phone.locator("main")).to_contain_text("Saved in your diary.")
    no_sideways_scroll(phone)
    screenshot(phone, "portal-diary-360")

    phone.goto(f"{base}/portal/")
    phone.get_by_role("link", name="Repair plan: After Sunday's argument").click()
    phone.get_by_label("What happened").fill("We argued about his mother's visit.")
    phone.get_by_label("My part").fill("I walked out mid-sentence.")
    phone.get_by_role("button", name="Save and come back later").click()
    expect(phone.locator("main")).to_contain_text("Saved.")
    phone.get_by_label("What I will say").fill(
        "I'm sorry I walked out. Could we talk about the visit tonight?"
    )
    phone.get_by_label("When and where").fill("After dinner, at the kitchen table.")
    phone.get_by_role("button", name="Finish").click()
    expect(phone.locator("main")).to_contain_text("Finished. Well done.")
    no_sideways_scroll(phone)
    screenshot(phone, "portal-worksheet-finished-360")

    desk.goto(f"{base}/clients/{record.pk}/")
    expect(desk.get_by_role("region", name="Client portal")).to_contain_text(
        "new.client@example.test"
    )
    desk.goto(f"{base}/clients/{record.pk}/tasks/")
    expect(desk.locator("tbody")).to_contain_text("✓")
    desk.goto(f"{base}/clients/{record.pk}/timeline/")
    assert desk.locator("svg.timeline polyline.diary, svg.timeline circle.diary-dot").count() >= 1
    desk.goto(f"{base}/clients/{record.pk}/measures/")
    expect(desk.locator("main")).to_contain_text("PHQ-9")
    submitted = Administration.objects.get(client=record, instrument_id="phq9", mode="portal")
    assert submitted.status == "submitted" and submitted.scores["total"] == 16
    screenshot(desk, "clinician-sees-portal-work-1280")
