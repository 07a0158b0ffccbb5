"""Reaching out in Chromium: the public page at phone and desktop widths with labelled fields,
a request sent from a phone, and the clinician turning it into a client with a planned course."""

import pytest
from playwright.sync_api import expect

from gentle.accounts.models import Clinic
from gentle.clients.models import Client
from gentle.demo import seed_demo
from tests.browser.test_grief_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNLABELLED = """() => [...document.querySelectorAll('main input, main textarea, main select')]
  .filter(e => e.type !== 'hidden' && !e.closest('.trap'))
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
  .map(e => e.name)"""


# WCAG 2.1 contrast of every piece of visible text in <main> against the first opaque
# background behind it: 4.5:1, or 3:1 for large text (24px, or 18.66px bold).
LOW_CONTRAST = """() => {
  const lum = (c) => { const [r, g, b] = c.match(/[\\d.]+/g).map(Number).slice(0, 3)
    .map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const bg = (el) => { for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c; }
    return 'rgb(255, 255, 255)'; };
  const bad = [];
  for (const el of document.querySelectorAll('main *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.offsetParent || el.closest('.trap')) continue;
    const s = getComputedStyle(el);
    const a = lum(s.color), b = lum(bg(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) bad.push(`${el.tagName}: ${el.textContent.trim().slice(0, 30)} ${ratio}`);
  }
  return bad;
}"""


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_a_request_from_a_phone_becomes_a_client_with_a_planned_course(
    live_server, page_at, screenshot, settings
):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    settings.GENTLE_INTAKE_MIN_SECONDS = 0
    seed_demo()
    clinic = Clinic.objects.get()
    base = live_server.url
    for width in (1280, 360):
        page = page_at(width, 900)
        page.goto(f"{base}/")
        page.get_by_role("link", name=clinic.name).click()
        expect(page.get_by_role("heading", name="What IPT is")).to_be_visible()
        expect(page.locator(".crisis-box")).to_be_visible()
        no_sideways_scroll(page)
        assert page.evaluate(LOW_CONTRAST) == []
        screenshot(page, f"public-page-{width}")
        page.get_by_role("link", name="Reach out to us").first.click()
        assert page.evaluate(UNLABELLED) == []
        assert page.evaluate(LOW_CONTRAST) == []
        no_sideways_scroll(page)
        screenshot(page, f"reach-out-{width}")

    phone = page_at(360, 800)
    phone.goto(f"{base}/c/{clinic.slug}/reach-out/")
    phone.get_by_label("Your name, or a name we can call you").fill("Kit Marlow")
    phone.get_by_label("Email", exact=True).check()
    phone.get_by_label("Email address").fill("kit.fictional@example.test")
    phone.get_by_label("What brings you to us?").fill(
        "My partner and I keep arguing about the same things and I feel low all the time."
    )
    phone.get_by_role("group", name="Little interest or pleasure in doing things").get_by_label(
        "Several days"
    ).check()
    phone.get_by_role("button", name="Send").click()
    expect(phone.locator("main")).to_contain_text("We can only reply if you agree")
    expect(phone.get_by_label("What brings you to us?")).to_have_value(
        "My partner and I keep arguing about the same things and I feel low all the time."
    )
    phone.get_by_label("I agree that the clinic may contact me").check()
    phone.get_by_role("button", name="Send").click()
    expect(phone.get_by_role("heading", name="Thank you for reaching out")).to_be_visible()
    screenshot(phone, "reach-out-thanks-360")

    desk = page_at(1280, 900)
    sign_in(desk, base, "clinician@demo.gentle.test")
    desk.get_by_role("navigation", name="Main").get_by_role("link", name="Requests").click()
    desk.get_by_role("link", name="Kit Marlow").click()
    expect(desk.locator("main")).to_contain_text("keep arguing about the same things")
    screenshot(desk, "intake-request-1280")
    convert = desk.locator("form", has=desk.get_by_role("button", name="Create the client"))
    expect(convert.get_by_label("Given name")).to_have_value("Kit")
    convert.get_by_label("Planned start").fill("2027-01-11")
    convert.get_by_role("button", name="Create the client").click()
    expect(desk.locator("main")).to_contain_text("a planned course are ready")
    new = Client.objects.get(given_name="Kit", family_name="Marlow")
    course = new.courses.get()
    assert course.status == "planned" and course.start_date.isoformat() == "2027-01-11"
    screenshot(desk, "intake-converted-1280")
