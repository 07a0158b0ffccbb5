"""Signing in with two factors, enrolling an authenticator app, and the administrator's pages,
as people do them in Chromium."""

import pytest
from playwright.sync_api import expect

from gentle.accounts.models import Role
from gentle.audit.models import AuditEvent
from tests.factories import (
    code_from_secret,
    make_client,
    make_clinic,
    make_person,
    supervise,
    totp_code,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "quiet harbour lanterns at dusk"


def sign_in(page, base, person, *, with_code=False):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if with_code:
        page.get_by_label("Code").wait_for()
        page.get_by_label("Code").fill(totp_code(person))  # read when typed, not before
        page.get_by_role("button", name="Sign In").click()


def test_new_clinician_must_enrol_an_authenticator_before_anything_else(
    live_server, page_at, screenshot
):
    clinic = make_clinic("Harbourside Counselling")
    person = make_person(clinic, Role.CLINICIAN, password=PASSWORD, mfa=False)
    page = page_at(1280)
    sign_in(page, live_server.url, person)
    # Straight to enrolment (after confirming the password), whatever page they ask for.
    page.get_by_label("Password").fill(PASSWORD)
    screenshot(page, "mfa-reauthenticate-1280")
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Activate Authenticator App").wait_for()
    secret = page.locator("#authenticator_secret").input_value()
    assert page.locator("img[src^='data:image/svg+xml']").is_visible()  # the QR code
    screenshot(page, "mfa-enrol-1280")

    page.get_by_label("Authenticator code").fill("000000")
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Incorrect code.")).to_be_visible()  # waits for the answer

    code = code_from_secret(secret)
    page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Activate").click()
    page.wait_for_load_state("load")
    screenshot(page, "mfa-after-enrol-1280")
    page.goto(live_server.url + "/clients/")
    page.get_by_role("heading", name="Clients").wait_for()
    assert AuditEvent.objects.filter(action="mfa.add", actor_id=person.pk).exists()


def test_clinician_signs_in_with_a_code_on_a_phone(live_server, page_at, screenshot):
    clinic = make_clinic("Harbourside Counselling")
    person = make_person(clinic, Role.CLINICIAN, password=PASSWORD)
    make_client(clinic, clinicians=[person], given_name="Wren", family_name="Calloway")
    page = page_at(360, 740)
    sign_in(page, live_server.url, person)
    page.get_by_label("Code").wait_for()
    screenshot(page, "mfa-code-360")
    page.get_by_label("Code").fill("123456" if totp_code(person) != "123456" else "654321")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("Incorrect code.")).to_be_visible()  # waits for the answer
    page.get_by_label("Code").fill(totp_code(person))
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("button", name="Menu").click()  # the navigation folds on a phone
    page.get_by_role("link", name="Caseload").first.click()
    page.get_by_role("link", name="Wren Calloway").click()
    page.get_by_role("heading", name="Wren Calloway").wait_for()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot(page, "client-record-360")


def test_administrator_manages_people_care_teams_and_reads_the_audit_log(
    live_server, page_at, screenshot
):
    clinic = make_clinic("Harbourside Counselling")
    admin = make_person(clinic, Role.ADMIN, password=PASSWORD)
    clinician = make_person(clinic, Role.CLINICIAN)
    supervisor = make_person(clinic, Role.SUPERVISOR)
    supervise(clinic, supervisor, clinician)
    make_client(clinic, clinicians=[clinician], given_name="Wren", family_name="Calloway")
    page = page_at(1280)
    sign_in(page, live_server.url, admin, with_code=True)
    nav = page.get_by_role("navigation", name="Main")

    nav.get_by_role("link", name="People").click()
    screenshot(page, "admin-people-1280")
    page.get_by_role("link", name=clinician.display_name).click()
    page.get_by_role("button", name="Give Supervisor").click()
    page.get_by_text("Roles saved.").wait_for()
    screenshot(page, "admin-person-1280")

    nav.get_by_role("link", name="Client records").click()
    page.get_by_label("Given name").fill("Juniper")
    page.get_by_label("Family name").fill("Ashgrove")
    page.get_by_role("button", name="Create record").click()
    page.get_by_text("Client record created.").wait_for()
    page.get_by_label(clinician.display_name).check()
    page.get_by_role("button", name="Save care team").click()
    page.get_by_text("Care team saved.").wait_for()
    assert "Juniper Ashgrove" in page.locator("table").inner_text()
    screenshot(page, "admin-client-records-1280")

    nav.get_by_role("link", name="Invitations").click()
    page.get_by_label("Email address").fill("new.counsellor@example.test")
    page.get_by_role("button", name="Create invitation").click()
    link = page.get_by_label("Invitation link").input_value()
    assert "/invitations/" in link
    screenshot(page, "admin-invitation-1280")

    nav.get_by_role("link", name="Audit log").click()
    page.get_by_label("Action").select_option(label="Roles")
    page.get_by_role("button", name="Filter").click()
    table = page.locator("table").inner_text()
    assert "Gave someone a role" in table and "role.add" in table
    screenshot(page, "admin-audit-1280")


def test_administrator_pages_fit_a_phone(live_server, page_at, screenshot):
    clinic = make_clinic("Harbourside Counselling")
    admin = make_person(clinic, Role.ADMIN, password=PASSWORD)
    make_person(clinic, Role.CLINICIAN)
    page = page_at(360, 740)
    sign_in(page, live_server.url, admin, with_code=True)
    for path, name in (("/clinic/people/", "people"), ("/clinic/audit/", "audit")):
        page.goto(live_server.url + path)
        screenshot(page, f"admin-{name}-360")
        # tables may scroll inside their own box, but the page itself must not
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, path
