"""The grief curve and the transition worksheet in Chromium at phone and desktop widths."""

from datetime import date

import pytest
from playwright.sync_api import expect

from gentle.accounts.models import Role
from gentle.demo import seed_demo
from gentle.grief.models import Loss, Transition
from tests.browser.conftest import ARTIFACTS
from tests.factories import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, email):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("gentle-demo")
    page.get_by_role("button", name="Sign in").click()
    # Staff land on the home page, a client on the portal's (issue 22).
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def assert_prints(page, selector, name, screenshot):
    """On paper the chart or worksheet stays and the site's navigation and forms go."""
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator(selector).first.is_visible()
    assert not page.locator(".site-header").is_visible()
    for details in page.locator("main details").all():  # text alternatives print open
        assert details.get_attribute("open") is not None
    assert page.locator("main form:visible").count() == 0
    screenshot(page, name)
    page.pdf(path=str(ARTIFACTS / f"{name}.pdf"))
    page.emulate_media(media="screen")


def test_grief_curve_and_worksheet_read_at_both_widths(live_server, page_at, screenshot, settings):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    loss = Loss.objects.select_related("client").get()
    transition = Transition.objects.select_related("client").get()
    for width in (1280, 360):
        page = page_at(width, 900)
        sign_in(page, live_server.url, loss.client.care_team.get(role="clinician").user.email)
        page.goto(f"{live_server.url}/losses/{loss.pk}/")
        assert page.locator("svg.grief[role=img]").is_visible()
        assert "meets the threshold for prolonged grief" in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        screenshot(page, f"grief-curve-{width}")
        if width == 1280:
            assert_prints(page, "svg.grief", "grief-curve-print", screenshot)
            page.emulate_media(media="print")
            assert not page.get_by_role("heading", name="Add to the log").is_visible()
            page.emulate_media(media="screen")
        page = page_at(width, 900)
        sign_in(page, live_server.url, transition.client.care_team.get(role="clinician").user.email)
        page.goto(f"{live_server.url}/transitions/{transition.pk}/")
        assert "Went to the breakfast" in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        screenshot(page, f"transition-{width}")
        if width == 1280:
            assert_prints(page, "main", "transition-print", screenshot)
            page.emulate_media(media="print")
            assert page.get_by_text("Said what they miss most").is_visible()
            assert page.locator("dl.print-only").is_visible()
            assert "Old role: what was lost" in page.locator("dl.print-only").inner_text()


def test_the_client_keeps_their_log_on_a_phone(live_server, page_at, screenshot, settings):
    """The clinician shares the curve; the bereaved client opens it at 360 px, adds to the log
    and checks in, and never sees the clinician's flag."""
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    loss = Loss.objects.select_related("client").get()
    record = loss.client
    record.user = make_person(record.clinic, Role.CLIENT, password="gentle-demo")
    record.save(update_fields=["user"])
    page = page_at(1280, 900)
    sign_in(page, live_server.url, record.care_team.get(role="clinician").user.email)
    page.goto(f"{live_server.url}/losses/{loss.pk}/")
    page.get_by_role("button", name="Share with the client").click()
    assert "can now open this in their portal" in page.locator("main").inner_text()

    phone = page_at(360, 780)
    sign_in(phone, live_server.url, record.user.email)
    phone.goto(f"{live_server.url}/portal/")
    phone.get_by_role("link", name="Loss and change").last.click()
    phone.get_by_role("link", name="Since the death of Arturo (husband)").click()
    expect(phone.locator("svg.grief[role=img]")).to_be_visible()
    assert "threshold" not in phone.locator("main").inner_text()
    log = phone.locator("form", has=phone.get_by_role("button", name="Add", exact=True))
    log.get_by_label("Day").fill("2000-01-01")
    log.get_by_label("What").fill("Sorted his records")
    log.get_by_role("button", name="Add", exact=True).click()
    expect(phone.locator("main")).to_contain_text("before the death")
    log = phone.locator("form", has=phone.get_by_role("button", name="Add", exact=True))
    assert log.get_by_label("What").input_value() == "Sorted his records"
    log.get_by_label("Day").fill(date.today().isoformat())
    log.get_by_label("Kind").select_option("restoration")
    log.get_by_role("button", name="Add", exact=True).click()
    expect(phone.locator("main")).to_contain_text("Added to your log.")
    phone.get_by_label("Some good days").check()
    phone.get_by_role("button", name="Save check-in").click()
    expect(phone.locator("main")).to_contain_text("Check-in saved.")
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(phone, "portal-grief-curve-360")

    page.goto(f"{live_server.url}/losses/{loss.pk}/")
    page.get_by_text("As a table").click()
    assert "Sorted his records" in page.locator("main").inner_text()
