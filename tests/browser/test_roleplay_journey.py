"""A full rehearsal with the offline partner in Chromium: the client on a phone picks an example,
rehearses turn by turn with feedback, reflects; the clinician reviews and annotates on desktop."""

import pytest
from playwright.sync_api import expect

from gentle.demo import seed_demo
from gentle.roleplay.models import Rehearsal, Scenario
from tests.browser.test_grief_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_a_full_rehearsal_with_the_offline_partner(live_server, page_at, screenshot, settings):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    record = Scenario.objects.select_related("client").first().client
    base = live_server.url

    phone = page_at(360, 780)
    sign_in(phone, base, record.user.email)
    phone.goto(f"{base}/portal/")
    phone.get_by_role("link", name="Rehearse a conversation").click()
    start = phone.locator("form", has=phone.get_by_role("button", name="Use this example"))
    start.get_by_label("Start from an example").select_option(label="Sharing the housework")
    start.get_by_label("With whom").select_option(label="Tomás")
    start.get_by_role("button", name="Use this example").click()
    expect(phone.get_by_role("heading", name="Sharing the housework")).to_be_visible()
    phone.get_by_label("How confident do I feel").select_option("3")
    phone.get_by_role("button", name="Start rehearsing").click()

    say = phone.get_by_label("What I say")
    expect(say).to_have_value(
        "Can we talk about the evenings? I'm finding them really hard at the moment."
    )
    phone.get_by_role("button", name="Say it").click()
    expect(phone.locator(".chat-partner")).to_have_count(1)
    phone.get_by_label("What I say").fill("")
    phone.get_by_role("button", name="Say it").click()  # the browser asks for text first
    assert phone.get_by_label("What I say").evaluate("e => e.validity.valueMissing")
    expect(phone.locator(".chat-partner")).to_have_count(1)
    phone.get_by_label("What I say").fill("You never do anything in the evenings, ever.")
    phone.get_by_role("button", name="Say it").click()
    expect(phone.locator(".chat-partner")).to_have_count(2)
    expect(phone.locator(".chat-client").last).to_contain_text("Absolute words")
    phone.get_by_label("What I say").fill(
        "I feel worn out by bedtime. Could you do bath time on Tuesdays and Thursdays?"
    )
    phone.get_by_role("button", name="Say it").click()
    expect(phone.locator(".chat-partner")).to_have_count(3)
    expect(phone.locator(".chat-client").last).to_contain_text("A clear request")
    no_sideways_scroll(phone)
    screenshot(phone, "rehearsal-360")

    phone.get_by_label("How confident do I feel now?").select_option("6")
    phone.get_by_label("What worked").fill("Saying how tired I am, then one clear ask.")
    phone.get_by_role("button", name="Finish the rehearsal").click()
    expect(phone.locator("main")).to_contain_text("3 before → 6 after")
    screenshot(phone, "rehearsal-finished-360")

    rehearsal = Rehearsal.objects.filter(scenario__library_id="dispute_chores").get()
    assert rehearsal.turns.filter(speaker="partner", engine="offline").count() == 3
    page = page_at(1280, 900)
    sign_in(page, base, record.care_team.get(role="clinician").user.email)
    page.goto(f"{base}/rehearsals/{rehearsal.pk}/")
    page.get_by_label("About turn (optional)").fill("3")
    page.get_by_label("Note for the review").fill("Look at how 'never' landed here.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".chat-note")).to_contain_text("Look at how 'never' landed here.")
    no_sideways_scroll(page)
    screenshot(page, "rehearsal-review-1280")
