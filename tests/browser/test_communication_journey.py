"""Communication and conflict in Chromium: the style map, a worksheet left and resumed by the
clinician, a shared worksheet finished by the client on a phone, statement feedback, and print."""

import pytest
from playwright.sync_api import expect

from gentle.communication.models import Worksheet
from gentle.demo import seed_demo
from tests.browser.test_grief_journey import assert_prints, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_worksheets_complete_and_resume(live_server, page_at, screenshot, settings):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    shared = Worksheet.objects.select_related("client").get(kind="nvc")
    record = shared.client
    clinician = record.care_team.get(role="clinician").user.email
    base = live_server.url

    for width in (1280, 360):
        page = page_at(width, 900)
        sign_in(page, base, clinician)
        page.goto(f"{base}/clients/{record.pk}/communication/")
        expect(page.get_by_role("heading", name="Style map")).to_be_visible()
        assert page.locator("table.style-map tbody tr").count() >= 5
        no_sideways_scroll(page)
        screenshot(page, f"communication-hub-{width}")
        page.get_by_role("link", name="Tomás").first.click()
        expect(page.get_by_label("What I said")).to_have_value(
            "You never think about what things cost. It's always me who has to worry."
        )
        expect(page.locator(".feedback")).to_contain_text("A clear request")
        no_sideways_scroll(page)
        screenshot(page, f"exchange-{width}")

    # The clinician starts a DESC script, leaves it half done, and comes back to it.
    page = page_at(1280, 900)
    sign_in(page, base, clinician)
    page.goto(f"{base}/clients/{record.pk}/communication/")
    start = page.locator("form", has=page.get_by_role("button", name="Start the worksheet"))
    start.get_by_label("Worksheet").select_option("desc")
    start.get_by_label("Title").fill("Talking to Rosa about Sundays")
    start.get_by_label("With whom").select_option(label="Rosa")
    start.get_by_role("button", name="Start the worksheet").click()
    expect(page.get_by_role("heading", name="Talking to Rosa about Sundays")).to_be_visible()
    page.get_by_label("Describe").fill("Every Sunday lunch runs until six.")
    page.get_by_label("Express").fill("I feel worn out by Sunday evening.")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.locator("main")).to_contain_text("Worksheet saved.")
    page.get_by_role("link", name="Communication and conflict").click()
    page.get_by_role("link", name="Talking to Rosa about Sundays").click()
    expect(page.get_by_label("Describe")).to_have_value("Every Sunday lunch runs until six.")
    page.get_by_role("button", name="Finish").click()
    expect(page.locator("main")).to_contain_text("Fill in this step to finish")
    expect(page.get_by_label("Express")).to_have_value("I feel worn out by Sunday evening.")
    page.get_by_label("Specify").fill("Could we finish lunch by four?")
    page.get_by_role("button", name="Finish").click()
    expect(page.locator("main")).to_contain_text("Worksheet finished.")
    expect(page.locator(".feedback").last).to_contain_text("A clear request")
    screenshot(page, "worksheet-finished-1280")
    assert_prints(page, "dl.print-only", "worksheet-print", screenshot)

    # The client finishes the NVC worksheet that was shared with them, on a phone.
    phone = page_at(360, 780)
    sign_in(phone, base, record.user.email)
    phone.goto(f"{base}/portal/")
    phone.get_by_role("link", name="Communication", exact=True).last.click()
    phone.get_by_role("link", name="Evenings with the children").click()
    expect(phone.get_by_label("Observations")).to_have_value(
        "On four evenings this week I did bath time and bedtime alone."
    )
    phone.get_by_label("Needs").fill("Rest, and to feel we are a team.")
    phone.get_by_label("Requests").fill("Would you do bedtime on Tuesdays and Thursdays?")
    phone.get_by_role("button", name="Finish").click()
    expect(phone.locator("main")).to_contain_text("Finished. Well done.")
    no_sideways_scroll(phone)
    screenshot(phone, "portal-worksheet-360")

    phone.goto(f"{base}/portal/communication/statement/")
    phone.get_by_label("What I mean to say").fill("You never help, it's always me.")
    phone.get_by_role("button", name="Look at it").click()
    expect(phone.locator(".feedback")).to_contain_text("Absolute words")
    expect(phone.get_by_label("What I mean to say")).to_have_value(
        "You never help, it's always me."
    )
    no_sideways_scroll(phone)
    screenshot(phone, "portal-statement-360")

    page.goto(f"{base}/clients/{record.pk}/communication/")
    row = page.locator("li", has=page.get_by_role("link", name="Evenings with the children"))
    expect(row).to_contain_text("finished")
