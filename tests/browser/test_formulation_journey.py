"""The formulation and goals pages in Chromium at phone and desktop widths."""

import pytest

from gentle.demo import seed_demo
from gentle.formulation.models import Formulation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_formulation_and_goals_read_at_both_widths(live_server, page_at, screenshot, settings):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    formulation = (
        Formulation.objects.select_related("course__client").filter(course__focus="grief").first()
    )
    course = formulation.course
    clinician = course.client.care_team.get(role="clinician").user
    for width in (1280, 360):
        page = page_at(width, 900)
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Email address").fill(clinician.email)
        page.get_by_label("Password").fill("gentle-demo")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(live_server.url + "/")
        page.goto(f"{live_server.url}/courses/{course.pk}/formulation/")
        shared = page.locator(".shared-text").inner_text()
        assert "The death of someone close to you" in shared and "not your fault" in shared
        assert page.get_by_role("heading", name="Treatment contract").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        screenshot(page, f"formulation-{width}")
        page.get_by_role("link", name="Goals and ratings").click()
        page.get_by_role("heading", name="Goals", exact=True).wait_for()
        assert page.locator("svg.chart[role=img]").count() >= 1
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        screenshot(page, f"goals-{width}")
