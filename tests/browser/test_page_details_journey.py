"""Issue 21's page details where layout matters, at 360 px: the error pages fit a phone, the
audit log's rows stack compactly, a single checkbox sits beside its label."""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client as Browser

from gentle.accounts.models import Role
from gentle.audit.log import record
from gentle.audit.names import Action
from tests.factories import make_clinic, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in_page(page_at, live_server, user, width=360):
    """A page of ``width`` whose browser carries a session of ``user`` (no sign-in form)."""
    http = Browser()
    http.force_login(user)
    page = page_at(width, 740)
    cookie = http.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return page


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_a_missing_page_fits_a_phone_with_the_crisis_link(live_server, page_at, screenshot):
    clinic = make_clinic("Harbourside Counselling")
    page = signed_in_page(page_at, live_server, make_person(clinic, Role.CLINICIAN))
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    response = page.goto(live_server.url + "/no-such-page/")
    assert response.status == 404
    assert page.evaluate("window.innerWidth") == 360  # the viewport meta: not 980 px
    assert overflow(page) <= 0
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert page.get_by_role("link", name="In crisis? Get help now").is_visible()
    # On a phone the navigation folds behind the Menu button of the header.
    page.get_by_role("button", name="Menu").click()
    assert page.get_by_role("navigation", name="Main").is_visible()
    page.get_by_role("link", name="Go to the start page").click()
    page.wait_for_url(live_server.url + "/")
    screenshot(page, "error-404-360")
    # The only console error is the 404 itself: nothing refused by the CSP.
    assert all("404" in e for e in errors), errors


def test_the_audit_log_stacks_its_rows_compactly_on_a_phone(live_server, page_at, screenshot):
    clinic = make_clinic("Harbourside Counselling")
    admin = make_person(clinic, Role.ADMIN)
    clinician = make_person(clinic, Role.CLINICIAN)
    with transaction.atomic():
        for action in [Action.CLIENT_VIEW, Action.NOTE_SIGN, Action.ROLE_ADD] * 20:
            record(action, actor=clinician, role="clinician", clinic_id=clinic.pk, detail="n=1")
    page = signed_in_page(page_at, live_server, admin)
    page.goto(live_server.url + "/clinic/audit/")
    heights = page.eval_on_selector_all(
        "table.events tbody tr", "rows => rows.map(r => r.getBoundingClientRect().height)"
    )
    assert len(heights) == 50
    # Three short lines a row (it was six labelled lines, 13,000 px for a page of 50 rows).
    assert max(heights) <= 100, max(heights)
    assert page.evaluate("document.documentElement.scrollHeight") < 7000
    assert overflow(page) <= 0
    row = page.locator("table.events tbody tr").first
    assert "Gave someone a role" in row.inner_text() and "role.add" in row.inner_text()
    screenshot(page, "audit-log-360")


def test_the_consent_checkbox_sits_before_its_label_and_is_easy_to_tap(
    live_server, page_at, screenshot
):
    clinic = make_clinic("Harbourside Counselling")
    page = page_at(360, 740)
    page.goto(f"{live_server.url}/c/{clinic.slug}/reach-out/")
    box = page.locator("#id_consent").bounding_box()
    label = page.locator('label[for="id_consent"]').bounding_box()
    # It was a 13 px box centred under its label.
    assert box["width"] >= 24 and box["height"] >= 24
    assert box["x"] + box["width"] <= label["x"]  # before the label, on its line
    assert abs(box["y"] - label["y"]) < 12
    page.locator('label[for="id_consent"]').click()  # the label is a tap target too
    assert page.locator("#id_consent").is_checked()
    assert overflow(page) <= 0
    page.locator(".field-checkbox").scroll_into_view_if_needed()
    screenshot(page, "consent-checkbox-360")
