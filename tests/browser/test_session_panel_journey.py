"""A demo session's "before this session" panel in Chromium, on a phone (360 px) and a desktop:
each app's part is there, readable, and nothing runs off the side of the phone's screen."""

import pytest

from gentle.courses.models import SessionTool
from gentle.demo import seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTS = (
    "Focus and formulation",
    "Last session's plan",
    "Measures since the last session",
    "Mood diary since the last session",
    "Tools used in this session",
)


def sign_in(page, base, email):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("gentle-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")


def test_a_demo_session_is_prepared_on_phone_and_desktop(
    live_server, page_at, screenshot, settings
):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True  # as in the demo
    seed_demo()
    link = SessionTool.objects.select_related("session").get(kind="exchange")
    session = link.session
    base = live_server.url
    for width in (360, 1280):
        page = page_at(width, 900)
        sign_in(page, base, session.clinician.email)
        page.goto(f"{base}/sessions/{session.pk}/")
        panel = page.locator("section.session-panel")
        panel.get_by_role("heading", name="Before this session").wait_for()
        for name in PARTS:
            assert panel.get_by_role("heading", name=name).is_visible(), (width, name)
        assert panel.get_by_role("link", name="Communication analysis with Tomás").is_visible()
        assert panel.get_by_text("PHQ-9 (depression)").first.is_visible()
        assert panel.get_by_label("Link a tool used in this session").is_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (width, overflow)
        screenshot(page, f"session-panel-{width}")
        if width == 360:
            # A goal is rated from the panel on the phone too.
            select = panel.locator("select[name^='goal-']").first
            select.select_option("1")
            panel.get_by_role("button", name="Save this session's ratings").click()
            page.get_by_text("Ratings saved.").wait_for()
