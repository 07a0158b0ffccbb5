"""Break-glass: a clinician opens a record outside their care team, for a while, with a reason
an administrator (or a supervisor) of the clinic reviews."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.utils import timezone

from gentle.accounts.models import Membership, Role, User
from gentle.audit.models import AuditEvent
from gentle.clients.models import BreakGlassGrant, Client
from tests.factories import make_clinic, make_person, supervise

pytestmark = pytest.mark.django_db

REASON = "Client called the crisis line; her clinician is away today."
NOTICE = "You are viewing this record through emergency access."


def glass(record: Client) -> str:
    return f"/clients/{record.pk}/break-glass/"


def detail(record: Client) -> str:
    return f"/clients/{record.pk}/"


def sign_in_again(client, person: User) -> None:
    """A fresh session (after a jump in time the old one has ended for being idle)."""
    client.logout()
    client.force_login(person)


def break_glass(client, world, reason: str = REASON):
    client.force_login(world.bob)
    response = client.post(glass(world.amara), {"reason": reason})
    assert response.status_code == 302
    return BreakGlassGrant.objects.get()


# Breaking the glass --------------------------------------------------------------------------


def test_clinician_outside_the_team_gets_404_then_the_break_glass_form(client, world):
    client.force_login(world.bob)
    assert client.get(detail(world.amara)).status_code == 404
    response = client.get(glass(world.amara))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"You are not on the care team of record #{world.amara.pk}." in html
    assert 'name="reason"' in html
    assert "Open the record" in html
    assert "Amara" not in html  # nothing about the client before the glass is broken
    assert not BreakGlassGrant.objects.exists()
    assert not AuditEvent.objects.filter(client_id=world.amara.pk).exists()


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("urgent", "Ensure this value has at least 10 characters (it has 6)."),
        ("x" * 1001, "Ensure this value has at most 1000 characters (it has 1001)."),
    ],
)
def test_a_missing_or_unfit_reason_grants_nothing_and_keeps_the_text(
    client, world, reason, message
):
    client.force_login(world.bob)
    response = client.post(glass(world.amara), {"reason": reason})
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    if reason.strip():
        assert re.search(rf"<textarea[^>]*>\s*{reason}</textarea>", html)
    assert not BreakGlassGrant.objects.exists()
    assert not AuditEvent.objects.filter(action="break_glass.open").exists()
    assert client.get(detail(world.amara)).status_code == 404


def test_a_post_with_no_fields_at_all_grants_nothing(client, world):
    client.force_login(world.bob)
    assert client.post(glass(world.amara), {}).status_code == 200
    assert not BreakGlassGrant.objects.exists()


def test_with_a_reason_the_record_opens_with_an_emergency_notice(client, world):
    client.force_login(world.bob)
    response = client.post(glass(world.amara), {"reason": REASON}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [(detail(world.amara), 302)]
    assert response.status_code == 200
    assert "Amara Example" in html
    assert NOTICE in html
    grant = BreakGlassGrant.objects.get()
    until = timezone.localtime(grant.expires_at).strftime("%H:%M")
    assert f"Emergency access granted until {until}." in html
    assert "The clinic&#x27;s administrators and supervisors have been told." in html
    assert (grant.client, grant.user, grant.reason) == (world.amara, world.bob, REASON)
    minutes = settings.GENTLE_BREAK_GLASS_MINUTES
    assert grant.expires_at - grant.granted_at == timedelta(minutes=minutes)
    assert grant.reviewed_at is None

    listing = client.get("/clients/").content.decode()
    assert "Amara Example" in listing
    assert "Emergency access" in listing
    assert client.get(f"/clients/{world.amara.pk}/access-log/").status_code == 200


def test_breaking_the_glass_is_audited_without_the_reason(client, world):
    grant = break_glass(client, world)
    opened = AuditEvent.objects.get(action="break_glass.open")
    assert opened.actor_id == world.bob.pk
    assert (opened.clinic_id, opened.client_id) == (world.clinic.pk, world.amara.pk)
    assert opened.object_id == str(grant.pk)
    assert opened.detail == f"minutes={settings.GENTLE_BREAK_GLASS_MINUTES}"
    assert "crisis" not in opened.detail
    client.get(detail(world.amara))
    view = AuditEvent.objects.filter(action="client.view", actor_id=world.bob.pk).get()
    assert view.detail == "via=break_glass"


def test_the_grant_is_for_that_clinician_only(client, world):
    break_glass(client, world)
    client.force_login(make_person(world.clinic, Role.CLINICIAN))
    assert client.get(detail(world.amara)).status_code == 404


def test_the_grant_expires_after_the_configured_minutes(client, world, time_machine):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    minutes = settings.GENTLE_BREAK_GLASS_MINUTES
    time_machine.move_to(start, tick=False)
    grant = break_glass(client, world)
    assert grant.expires_at == start + timedelta(minutes=minutes)
    assert client.get(detail(world.amara)).status_code == 200

    time_machine.move_to(start + timedelta(minutes=minutes, seconds=-30), tick=False)
    sign_in_again(client, world.bob)
    page = client.get(detail(world.amara))
    assert page.status_code == 200
    assert NOTICE in page.content.decode()

    time_machine.move_to(start + timedelta(minutes=minutes, seconds=30), tick=False)
    sign_in_again(client, world.bob)
    assert client.get(detail(world.amara)).status_code == 404
    assert client.get(f"/clients/{world.amara.pk}/access-log/").status_code == 404
    assert "Amara" not in client.get("/clients/").content.decode()
    # The glass can be broken again, with a new reason and a new grant.
    assert client.get(glass(world.amara)).status_code == 200


# The administrator's review ------------------------------------------------------------------


def test_the_administrator_sees_the_event_with_its_reason_and_marks_it_reviewed(client, world):
    grant = break_glass(client, world)
    client.force_login(world.admin)
    page = client.get("/clinic/break-glass/")
    html = page.content.decode()
    assert page.status_code == 200
    assert REASON.replace("'", "&#x27;") in html
    assert world.bob.display_name in html
    assert f"#{world.amara.pk}" in html
    assert "Mark reviewed" in html

    response = client.post(f"/clinic/break-glass/{grant.pk}/review/")
    assert response.status_code == 302
    assert response["Location"] == "/clinic/break-glass/"
    grant.refresh_from_db()
    assert grant.reviewed_by == world.admin
    assert grant.reviewed_at is not None
    html = client.get("/clinic/break-glass/").content.decode()
    assert "Marked as reviewed." in html
    assert f"Reviewed by {world.admin.display_name}" in html
    assert "Mark reviewed" not in html
    assert AuditEvent.objects.filter(
        action="break_glass.review", actor_id=world.admin.pk, object_id=str(grant.pk)
    ).exists()


def test_a_second_review_keeps_the_first_reviewer(client, world):
    grant = break_glass(client, world)
    client.force_login(world.admin)
    client.post(f"/clinic/break-glass/{grant.pk}/review/")
    first = BreakGlassGrant.objects.get().reviewed_at
    colleague = make_person(world.clinic, Role.ADMIN)
    client.force_login(colleague)
    client.post(f"/clinic/break-glass/{grant.pk}/review/")
    grant.refresh_from_db()
    assert (grant.reviewed_by, grant.reviewed_at) == (world.admin, first)


def test_the_reason_is_shown_as_text_not_markup(client, world):
    break_glass(client, world, reason="<script>alert(1)</script> she is in danger")
    client.force_login(world.admin)
    html = client.get("/clinic/break-glass/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; she is in danger" in html
    assert "<script>alert(1)" not in html


def test_another_clinics_administrator_neither_sees_nor_reviews_the_event(client, world):
    grant = break_glass(client, world)
    stranger = make_person(make_clinic(), Role.ADMIN)
    client.force_login(stranger)
    html = client.get("/clinic/break-glass/").content.decode()
    assert "No emergency access so far." in html
    assert REASON.split(";")[0] not in html
    assert client.post(f"/clinic/break-glass/{grant.pk}/review/").status_code == 404
    grant.refresh_from_db()
    assert grant.reviewed_at is None
    assert not AuditEvent.objects.filter(action="break_glass.review").exists()


def test_review_of_an_unknown_or_out_of_range_grant_answers_404(client, world):
    client.force_login(world.admin)
    assert client.post("/clinic/break-glass/999999/review/").status_code == 404
    assert client.post("/clinic/break-glass/99999999999999999999/review/").status_code == 404


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.CLIENT])
def test_clinicians_and_clients_get_404_on_the_review_pages(client, world, role):
    """Administrators and supervisors review (tests/test_separation_of_duties.py)."""
    grant = break_glass(client, world)
    client.force_login(make_person(world.clinic, role))
    assert client.get("/clinic/break-glass/").status_code == 404
    assert client.post(f"/clinic/break-glass/{grant.pk}/review/").status_code == 404
    grant.refresh_from_db()
    assert grant.reviewed_at is None


# Who may not break the glass -----------------------------------------------------------------


def test_a_client_of_another_clinic_answers_404_on_the_break_glass_page(client, world):
    client.force_login(world.bob)
    assert client.get(glass(world.far_client)).status_code == 404
    assert client.post(glass(world.far_client), {"reason": REASON}).status_code == 404
    assert client.get("/clients/999999/break-glass/").status_code == 404
    assert client.get("/clients/99999999999999999999/break-glass/").status_code == 404
    assert not BreakGlassGrant.objects.exists()
    assert client.get(detail(world.far_client)).status_code == 404


@pytest.mark.parametrize(
    "roles",
    [(Role.SUPERVISOR,), (Role.ADMIN,), (Role.ADMIN, Role.SUPERVISOR), (Role.CLIENT,)],
)
def test_people_without_the_clinician_role_cannot_break_the_glass(client, world, roles):
    client.force_login(make_person(world.clinic, *roles))
    assert client.get(glass(world.amara)).status_code == 404
    assert client.post(glass(world.amara), {"reason": REASON}).status_code == 404
    assert client.get(f"/clients/find/?client_id={world.amara.pk}").status_code == 404
    assert client.get(detail(world.amara)).status_code == 404
    assert not BreakGlassGrant.objects.exists()


def test_a_care_team_clinician_is_simply_sent_to_the_record(client, world):
    client.force_login(world.alice)
    response = client.get(glass(world.amara))
    assert response.status_code == 302
    assert response["Location"] == detail(world.amara)
    response = client.post(glass(world.amara), {"reason": REASON})
    assert response["Location"] == detail(world.amara)
    assert not BreakGlassGrant.objects.exists()
    assert not AuditEvent.objects.filter(action="break_glass.open").exists()


def test_a_clinician_who_supervises_the_team_is_sent_to_the_record(client, world):
    both = make_person(world.clinic, Role.CLINICIAN)
    Membership.objects.create(user=both, clinic=world.clinic, role=Role.SUPERVISOR)
    supervise(world.clinic, both, world.alice)
    client.force_login(both)
    assert client.get(glass(world.amara))["Location"] == detail(world.amara)
    assert not BreakGlassGrant.objects.exists()


def test_breaking_the_glass_without_a_csrf_token_is_refused(world):
    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(world.bob)
    response = browser.post(glass(world.amara), {"reason": REASON})
    assert response.status_code == 403
    assert not BreakGlassGrant.objects.exists()


# Finding a record by number ------------------------------------------------------------------


def test_finding_a_record_number_leads_to_the_break_glass_page(client, world):
    client.force_login(world.bob)
    html = client.get("/clients/").content.decode()
    assert 'action="/clients/find/"' in html
    response = client.get(f"/clients/find/?client_id={world.amara.pk}")
    assert response.status_code == 302
    assert response["Location"] == glass(world.amara)


def test_finding_a_client_of_another_clinic_ends_in_404(client, world):
    client.force_login(world.bob)
    response = client.get(f"/clients/find/?client_id={world.far_client.pk}", follow=True)
    assert response.status_code == 404


@pytest.mark.parametrize("typed", ["abc", "", "0", "-4", "12x", "99999999999999999999"])
def test_bad_record_numbers_get_a_message(client, world, typed):
    client.force_login(world.bob)
    response = client.get("/clients/find/", {"client_id": typed}, follow=True)
    assert response.redirect_chain == [("/clients/", 302)]
    assert "Enter a client record number." in response.content.decode()
    assert not BreakGlassGrant.objects.exists()


def test_one_still_to_review_is_listed_however_many_reviewed_ones_are_newer(client, world):
    """Finding: the page listed the latest 200 grants whatever their state, so an older one
    still to review fell off it behind newer reviewed ones."""
    old = break_glass(client, world)
    BreakGlassGrant.objects.filter(pk=old.pk).update(
        granted_at=timezone.now() - timedelta(days=90), expires_at=timezone.now()
    )
    now = timezone.now()
    BreakGlassGrant.objects.bulk_create(
        BreakGlassGrant(
            user=world.bob,
            client=world.amara,
            reason=f"Reviewed access {n}",
            granted_at=now - timedelta(hours=n),
            expires_at=now - timedelta(hours=n) + timedelta(minutes=30),
            reviewed_by=world.admin,
            reviewed_at=now - timedelta(hours=n) + timedelta(hours=1),
        )
        for n in range(1, 206)
    )
    client.force_login(world.admin)
    html = client.get("/clinic/break-glass/").content.decode()
    assert html.count("Mark reviewed") == 1
    assert html.index("Mark reviewed") < html.index("Reviewed access 1<")
    assert "Only the latest 200 are listed: every one still to review comes first." in html
    assert "Reviewed access 1<" in html and "Reviewed access 205<" not in html
    assert client.post(f"/clinic/break-glass/{old.pk}/review/").status_code == 302
    old.refresh_from_db()
    assert old.reviewed_by == world.admin
