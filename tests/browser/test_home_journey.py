"""The demo clinician's home after signing in (issue 22), on a phone and a desktop: today's
sessions and the notes to sign are there to be seen, and the page fits the screen."""

import pytest

from gentle.demo import seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [360, 1280])
def test_the_clinician_signs_in_to_their_day(live_server, page_at, screenshot, settings, width):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True  # as in the demo: its logins have no authenticator
    seed_demo()
    page = page_at(width, 800)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email address").fill("clinician@demo.gentle.test")
    page.get_by_label("Password").fill("gentle-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    for heading in ("Today's sessions", "Notes to sign", "Open alerts"):
        section = page.get_by_role("region", name=heading)
        section.scroll_into_view_if_needed()
        assert section.is_visible(), heading
    notes = page.get_by_role("region", name="Notes to sign")
    assert notes.get_by_text("over 48 hours").first.is_visible()
    notes.get_by_role("link").first.click()
    page.wait_for_url(live_server.url + "/sessions/*/")
    page.go_back()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the viewport"
    screenshot(page, f"home-clinician-day-{width}")
    assert errors == [], errors  # includes CSP violations
