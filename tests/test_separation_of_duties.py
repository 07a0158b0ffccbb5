"""Separation of duties: nobody grants themselves a role, puts themselves on a care team or
reviews their own emergency access; and an administrator acts on a person's account (disable,
sign out everywhere) only when every clinic that person works in is one they administer.

Findings 5 and 8b of the penetration test; see docs/adr/0007-identity-and-access.md."""

from dataclasses import dataclass

import pytest
from django.test import Client as HttpClient

from gentle.accounts.models import Clinic, Invitation, Membership, Role, User
from gentle.audit.models import AuditEvent
from gentle.clients.models import BreakGlassGrant, CareTeamMember, Client
from tests.factories import make_client, make_clinic, make_person
from tests.world import World as SharedWorld

pytestmark = pytest.mark.django_db

OWN_ROLES = "You cannot change your own roles."
OWN_TEAM = "You cannot put yourself on a care team."
REASON = "Client rang in crisis and her clinician is away today."


@dataclass
class World(SharedWorld):
    second_admin: User


@pytest.fixture
def world(world) -> World:
    """Sue supervises in the clinic but is not on Amara's care team; a second administrator."""
    world.amara.care_team.filter(user=world.sue).delete()
    return World(**vars(world), second_admin=make_person(world.clinic, Role.ADMIN))


def roles_of(person: User, clinic: Clinic) -> set[str]:
    return set(Membership.objects.filter(user=person, clinic=clinic).values_list("role", flat=True))


def team_of(record: Client) -> set[tuple[int, str]]:
    return set(CareTeamMember.objects.filter(client=record).values_list("user_id", "role"))


def team_page(record: Client) -> str:
    return f"/clinic/clients/{record.pk}/team/"


# No role changes on one's own account --------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.SUPERVISOR])
def test_an_administrator_cannot_give_themselves_a_clinical_role(client, world, role):
    client.force_login(world.admin)
    response = client.post(f"/clinic/people/{world.admin.pk}/roles/add/", {"role": role})
    assert response.status_code == 302
    assert response["Location"] == f"/clinic/people/{world.admin.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert OWN_ROLES in html
    assert roles_of(world.admin, world.clinic) == {Role.ADMIN}
    assert not AuditEvent.objects.filter(action="role.add").exists()


def test_an_administrator_cannot_remove_a_role_from_their_own_account(client, world):
    Membership.objects.create(user=world.admin, clinic=world.clinic, role=Role.CLINICIAN)
    client.force_login(world.admin)
    for role in (Role.CLINICIAN, Role.ADMIN):
        response = client.post(
            f"/clinic/people/{world.admin.pk}/roles/remove/", {"role": role}, follow=True
        )
        assert OWN_ROLES in response.content.decode()
    assert roles_of(world.admin, world.clinic) == {Role.ADMIN, Role.CLINICIAN}
    assert not AuditEvent.objects.filter(action="role.remove").exists()


def test_ones_own_person_page_says_who_can_change_ones_roles_and_offers_no_buttons(client, world):
    client.force_login(world.admin)
    html = client.get(f"/clinic/people/{world.admin.pk}/").content.decode()
    assert OWN_ROLES in html
    assert "Another administrator of this clinic can." in html
    assert f"/clinic/people/{world.admin.pk}/roles/" not in html
    # Someone else's page still has the buttons.
    html = client.get(f"/clinic/people/{world.alice.pk}/").content.decode()
    assert f"/clinic/people/{world.alice.pk}/roles/add/" in html
    assert OWN_ROLES not in html


def test_a_lone_administrator_is_told_a_second_administrator_is_needed(client):
    clinic = make_clinic()
    admin = make_person(clinic, Role.ADMIN)
    client.force_login(admin)
    html = client.get(f"/clinic/people/{admin.pk}/").content.decode()
    assert "This clinic has no other administrator: invite one first." in html


def test_another_administrator_may_give_an_administrator_a_clinical_role_and_it_is_audited(
    client, world
):
    client.force_login(world.second_admin)
    response = client.post(
        f"/clinic/people/{world.admin.pk}/roles/add/", {"role": Role.CLINICIAN}, follow=True
    )
    assert "Roles saved." in response.content.decode()
    assert roles_of(world.admin, world.clinic) == {Role.ADMIN, Role.CLINICIAN}
    event = AuditEvent.objects.get(action="role.add", object_id=str(world.admin.pk))
    assert event.actor_id == world.second_admin.pk
    assert event.detail == "role=clinician holder_is_admin=1"


def test_an_administrator_cannot_invite_their_own_address(client, world):
    client.force_login(world.admin)
    response = client.post(
        "/clinic/invitations/", {"email": world.admin.email.upper(), "role": Role.CLINICIAN}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "You cannot invite yourself" in html
    assert world.admin.email.upper() in html  # what was typed stays
    assert not Invitation.objects.exists()


def test_an_invitation_cannot_be_accepted_by_the_person_who_made_it(client, world):
    """An invitation written straight into the database (or made before this rule) still
    cannot hand its maker a role."""
    from gentle.accounts import actions

    invitation, token = actions.invitation_create(
        by=world.admin,
        clinic=world.clinic,
        email=world.admin.email,
        role=Role.CLINICIAN,
    )
    client.force_login(world.admin)
    response = client.post(f"/invitations/{token}/")
    assert response.status_code == 410
    assert roles_of(world.admin, world.clinic) == {Role.ADMIN}
    invitation.refresh_from_db()
    assert invitation.used_at is None


# No joining a care team on one's own say-so ------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.SUPERVISOR])
def test_an_administrator_cannot_put_themselves_on_a_care_team(client, world, role):
    Membership.objects.create(user=world.admin, clinic=world.clinic, role=role)  # given by another
    before = team_of(world.amara)
    client.force_login(world.admin)
    data = (
        {"clinicians": [world.alice.pk, world.admin.pk]}
        if role == Role.CLINICIAN
        else {"clinicians": [world.alice.pk], "supervisor": world.admin.pk}
    )
    response = client.post(team_page(world.amara), data)
    html = response.content.decode()
    assert response.status_code == 200  # the form again, with the message
    assert OWN_TEAM in html
    assert team_of(world.amara) == before
    assert not AuditEvent.objects.filter(action__startswith="care_team.").exists()
    assert client.get(f"/clients/{world.amara.pk}/").status_code == 404


def test_another_administrator_may_put_an_administrator_on_a_care_team(client, world):
    Membership.objects.create(user=world.admin, clinic=world.clinic, role=Role.CLINICIAN)
    client.force_login(world.second_admin)
    response = client.post(team_page(world.amara), {"clinicians": [world.alice.pk, world.admin.pk]})
    assert response.status_code == 302
    assert team_of(world.amara) == {(world.alice.pk, "clinician"), (world.admin.pk, "clinician")}
    # Once on the team, the administrator may save the team with themselves left on it, or
    # take themselves off.
    client.force_login(world.admin)
    response = client.post(team_page(world.amara), {"clinicians": [world.alice.pk, world.admin.pk]})
    assert response.status_code == 302
    response = client.post(team_page(world.amara), {"clinicians": [world.alice.pk]})
    assert response.status_code == 302
    assert team_of(world.amara) == {(world.alice.pk, "clinician")}


def test_an_administrator_cannot_make_themselves_a_clinicians_supervisor(client, world):
    """Supervising a clinician opens that clinician's clients: the same as joining a team."""
    Membership.objects.create(user=world.admin, clinic=world.clinic, role=Role.SUPERVISOR)
    client.force_login(world.admin)
    response = client.post(
        f"/clinic/people/{world.alice.pk}/supervisors/",
        {"supervisors": [world.sue.pk, world.admin.pk]},
        follow=True,
    )
    assert "You cannot make yourself someone&#x27;s supervisor" in response.content.decode()
    assert not world.alice.supervisors.exists()
    assert not AuditEvent.objects.filter(action="supervision.add").exists()
    # Another administrator may; and choosing others only is fine for anyone.
    client.post(f"/clinic/people/{world.alice.pk}/supervisors/", {"supervisors": [world.sue.pk]})
    client.force_login(world.second_admin)
    client.post(
        f"/clinic/people/{world.alice.pk}/supervisors/",
        {"supervisors": [world.sue.pk, world.admin.pk]},
    )
    assert set(world.alice.supervisors.values_list("supervisor_id", flat=True)) == {
        world.sue.pk,
        world.admin.pk,
    }


def test_the_team_page_tells_an_administrator_who_is_a_clinician_who_can_add_them(client, world):
    Membership.objects.create(user=world.admin, clinic=world.clinic, role=Role.CLINICIAN)
    client.force_login(world.admin)
    html = client.get(team_page(world.amara)).content.decode()
    assert "Another administrator of this clinic can put you on a care team." in html


# Nobody reviews their own emergency access ----------------------------------------------------


def open_grant(holder: User, record: Client) -> BreakGlassGrant:
    browser = HttpClient()
    browser.force_login(holder)
    response = browser.post(f"/clients/{record.pk}/break-glass/", {"reason": REASON})
    assert response.status_code == 302
    return BreakGlassGrant.objects.get(user=holder)


def test_an_administrator_cannot_review_their_own_emergency_access(client, world):
    Membership.objects.create(user=world.admin, clinic=world.clinic, role=Role.CLINICIAN)
    grant = open_grant(world.admin, world.amara)
    client.force_login(world.admin)
    page = client.get("/clinic/break-glass/").content.decode()
    assert f"/clinic/break-glass/{grant.pk}/review/" not in page
    assert "Your own emergency access is reviewed by someone else:" in page
    assert world.second_admin.display_name in page and world.sue.display_name in page

    response = client.post(f"/clinic/break-glass/{grant.pk}/review/", follow=True)
    assert "Nobody reviews their own emergency access." in response.content.decode()
    grant.refresh_from_db()
    assert grant.reviewed_at is None and grant.reviewed_by is None
    assert not AuditEvent.objects.filter(action="break_glass.review").exists()


def test_another_administrator_reviews_it(client, world):
    Membership.objects.create(user=world.admin, clinic=world.clinic, role=Role.CLINICIAN)
    grant = open_grant(world.admin, world.amara)
    client.force_login(world.second_admin)
    response = client.post(f"/clinic/break-glass/{grant.pk}/review/", follow=True)
    assert "Marked as reviewed." in response.content.decode()
    grant.refresh_from_db()
    assert grant.reviewed_by == world.second_admin
    event = AuditEvent.objects.get(action="break_glass.review")
    assert (event.actor_id, event.role) == (world.second_admin.pk, Role.ADMIN)


def test_a_supervisor_of_the_clinic_reviews_it(client, world):
    """The path for a clinic whose only administrator is also its clinician."""
    outsider = make_person(world.clinic, Role.CLINICIAN)
    grant = open_grant(outsider, world.amara)
    client.force_login(world.sue)
    page = client.get("/clinic/break-glass/").content.decode()
    assert REASON in page
    assert f"/clinic/break-glass/{grant.pk}/review/" in page
    assert f"/clients/{world.amara.pk}/access-log/" not in page  # an administrator's page
    response = client.post(f"/clinic/break-glass/{grant.pk}/review/", follow=True)
    assert "Marked as reviewed." in response.content.decode()
    grant.refresh_from_db()
    assert grant.reviewed_by == world.sue
    event = AuditEvent.objects.get(action="break_glass.review")
    assert (event.actor_id, event.role) == (world.sue.pk, Role.SUPERVISOR)


def test_a_supervisor_who_broke_the_glass_cannot_review_it(client, world):
    Membership.objects.create(user=world.sue, clinic=world.clinic, role=Role.CLINICIAN)
    grant = open_grant(world.sue, world.amara)
    client.force_login(world.sue)
    client.post(f"/clinic/break-glass/{grant.pk}/review/")
    grant.refresh_from_db()
    assert grant.reviewed_at is None


def test_a_supervisor_of_another_clinic_neither_sees_nor_reviews_it(client, world):
    grant = open_grant(make_person(world.clinic, Role.CLINICIAN), world.amara)
    client.force_login(make_person(make_clinic(), Role.SUPERVISOR))
    assert REASON not in client.get("/clinic/break-glass/").content.decode()
    assert client.post(f"/clinic/break-glass/{grant.pk}/review/").status_code == 404
    grant.refresh_from_db()
    assert grant.reviewed_at is None


def test_a_lone_administrator_clinician_is_told_nobody_can_review_yet(client):
    clinic = make_clinic()
    solo = make_person(clinic, Role.ADMIN, Role.CLINICIAN)
    record = make_client(clinic, clinicians=[make_person(clinic, Role.CLINICIAN)])
    grant = open_grant(solo, record)
    client.force_login(solo)
    page = client.get("/clinic/break-glass/").content.decode()
    assert (
        "Nobody else in this clinic can review it yet: invite another administrator or a "
        "supervisor." in page
    )
    client.post(f"/clinic/break-glass/{grant.pk}/review/")
    grant.refresh_from_db()
    assert grant.reviewed_at is None


# Accounts that reach beyond the administrator's clinics ----------------------------------------


@pytest.fixture
def shared(world) -> User:
    """Alice also works in a second clinic, where world.admin is not an administrator."""
    make_person(world.other, Role.ADMIN)
    Membership.objects.create(user=world.alice, clinic=world.other, role=Role.CLINICIAN)
    return world.alice


def test_an_administrator_cannot_disable_someone_who_also_works_elsewhere(client, world, shared):
    client.force_login(world.admin)
    page = client.get(f"/clinic/people/{shared.pk}/").content.decode()
    assert "This person also works in another clinic." in page
    assert f"/clinic/people/{shared.pk}/active/" not in page
    assert f"/clinic/people/{shared.pk}/end-sessions/" not in page

    epoch = shared.auth_epoch
    for url, data in (("active/", {"active": "0"}), ("end-sessions/", {})):
        response = client.post(f"/clinic/people/{shared.pk}/{url}", data, follow=True)
        assert "This person also works in another clinic." in response.content.decode()
    shared.refresh_from_db()
    assert shared.is_active and shared.auth_epoch == epoch
    assert not AuditEvent.objects.filter(action__startswith="account.").exists()


def test_removing_their_roles_here_ends_their_access_here_only(client, world, shared):
    theirs = HttpClient()
    theirs.force_login(shared)
    elsewhere = make_client(
        Membership.objects.get(user=shared, clinic__name="Riverside Practice").clinic,
        clinicians=[shared],
        given_name="Farrokh",
    )
    client.force_login(world.admin)
    response = client.post(
        f"/clinic/people/{shared.pk}/roles/remove/", {"role": Role.CLINICIAN}, follow=True
    )
    assert "no longer has a role in this clinic." in response.content.decode()
    assert roles_of(shared, world.clinic) == set()
    # Still signed in, and still at work in the other clinic; nothing left in this one.
    assert theirs.get(f"/clients/{elsewhere.pk}/").status_code == 200
    assert theirs.get(f"/clients/{world.amara.pk}/").status_code == 404
    shared.refresh_from_db()
    assert shared.is_active
    event = AuditEvent.objects.get(action="role.remove")
    assert event.detail == "role=clinician sessions=kept"


def test_an_administrator_of_every_clinic_of_the_person_may_disable_them(client, world, shared):
    other = Membership.objects.get(user=shared, clinic__name="Riverside Practice").clinic
    Membership.objects.create(user=world.admin, clinic=other, role=Role.ADMIN)
    client.force_login(world.admin)
    response = client.post(f"/clinic/people/{shared.pk}/active/", {"active": "0"}, follow=True)
    assert "Account disabled." in response.content.decode()
    shared.refresh_from_db()
    assert not shared.is_active


def test_signing_oneself_out_everywhere_is_always_allowed(client, world):
    other = make_clinic()
    Membership.objects.create(user=world.admin, clinic=other, role=Role.CLINICIAN)
    client.force_login(world.admin)
    response = client.post(f"/clinic/people/{world.admin.pk}/end-sessions/")
    assert response["Location"] == "/accounts/login/"
    assert AuditEvent.objects.filter(action="account.sessions_end").exists()
