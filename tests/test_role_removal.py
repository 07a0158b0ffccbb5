"""What ends with a clinical role: the person's places on the clinic's care teams and their
calendar link, in the same transaction as the removal (finding 8c). The feed also checks the
role when it is fetched. See gentle/accounts/actions.py (membership_remove and its steps)."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from gentle.accounts import actions as account_actions
from gentle.accounts.models import Membership, Role, User
from gentle.audit.models import AuditEvent
from gentle.clients.models import CareTeamMember, Client
from gentle.courses.models import CalendarFeed, Session
from tests.factories import make_client, make_course, make_person, make_session
from tests.world import World as SharedWorld
from tests.world import another_client

pytestmark = pytest.mark.django_db


@dataclass
class World(SharedWorld):
    odile: Client  # Alice's
    bart: Client  # Sue's as clinician
    fatima: Client  # Alice's, in the other clinic


@pytest.fixture
def world(world) -> World:
    """Alice is a clinician in the other clinic too; Sue is a clinician here as well."""
    Membership.objects.create(user=world.alice, clinic=world.other, role=Role.CLINICIAN)
    Membership.objects.create(user=world.sue, clinic=world.clinic, role=Role.CLINICIAN)
    return World(
        **vars(world),
        odile=another_client(world, "Odile"),
        bart=make_client(world.clinic, clinicians=[world.sue], given_name="Bartholomew"),
        fatima=make_client(world.other, clinicians=[world.alice], given_name="Fatima"),
    )


def feed_link(person: User) -> str:
    browser = HttpClient()
    browser.force_login(person)
    html = browser.post("/calendar/feed/", {"action": "renew"}).content.decode()
    return re.search(r'value="(http[^"]+\.ics)"', html).group(1).removeprefix("http://testserver")


def add_session(record: Client, clinician: User, days: int) -> Session:
    course = make_course(record, status="active", created_by=clinician)
    return make_session(course, clinician, starts_at=timezone.now() + timedelta(days=days))


def remove_role(browser, world, person: User, role: str):
    browser.force_login(world.admin)
    return browser.post(f"/clinic/people/{person.pk}/roles/remove/", {"role": role})


def team_of(record: Client) -> set[tuple[int, str]]:
    return set(CareTeamMember.objects.filter(client=record).values_list("user_id", "role"))


def test_removing_the_clinician_role_stops_the_calendar_link(client, world):
    link = feed_link(world.alice)
    assert client.get(link).status_code == 200

    assert remove_role(client, world, world.alice, Role.CLINICIAN).status_code == 302

    client.logout()
    assert client.get(link).status_code == 404
    assert not CalendarFeed.objects.filter(user=world.alice).exists()
    event = AuditEvent.objects.get(action="calendar_feed.revoke")
    assert (event.actor_id, event.object_id, event.clinic_id) == (
        world.admin.pk,
        str(world.alice.pk),
        world.clinic.pk,
    )
    assert event.detail == "because=role_removed"


def test_removing_the_clinician_role_takes_them_off_every_care_team_of_the_clinic(client, world):
    remove_role(client, world, world.alice, Role.CLINICIAN)

    assert team_of(world.amara) == {(world.sue.pk, "supervisor")}
    assert team_of(world.odile) == set()
    assert team_of(world.fatima) == {(world.alice.pk, "clinician")}  # the other clinic's
    removed = AuditEvent.objects.filter(action="care_team.remove", object_id=str(world.alice.pk))
    assert sorted(removed.values_list("client_id", flat=True)) == sorted(
        [world.amara.pk, world.odile.pk]
    )
    assert {e.detail for e in removed} == {"as=clinician because=role_removed"}
    assert {e.actor_id for e in removed} == {world.admin.pk}


def test_removing_the_supervisor_role_ends_only_the_supervisor_places(client, world):
    remove_role(client, world, world.sue, Role.SUPERVISOR)

    assert team_of(world.amara) == {(world.alice.pk, "clinician")}
    assert team_of(world.bart) == {(world.sue.pk, "clinician")}  # still a clinician here
    event = AuditEvent.objects.get(action="care_team.remove")
    assert (event.client_id, event.detail) == (world.amara.pk, "as=supervisor because=role_removed")


def test_removing_the_administrator_role_touches_no_care_team_or_link(client, world):
    other_admin = make_person(world.clinic, Role.ADMIN, Role.CLINICIAN)
    odile = make_client(world.clinic, clinicians=[other_admin])
    link = feed_link(other_admin)
    remove_role(client, world, other_admin, Role.ADMIN)
    assert team_of(odile) == {(other_admin.pk, "clinician")}
    assert HttpClient().get(link).status_code == 200


def test_a_failing_step_leaves_the_role_and_the_teams_as_they_were(client, world, monkeypatch):
    """The steps run inside the removal's transaction: all of it happens, or none."""

    def broken(**kwargs):
        raise RuntimeError("step failed")

    monkeypatch.setattr(
        account_actions, "ROLE_REMOVAL_STEPS", [*account_actions.ROLE_REMOVAL_STEPS, broken]
    )
    link = feed_link(world.alice)
    with pytest.raises(RuntimeError):
        account_actions.membership_remove(
            by=world.admin, clinic=world.clinic, user=world.alice, role="clinician"
        )
    assert Membership.objects.filter(user=world.alice, clinic=world.clinic).exists()
    assert (world.alice.pk, "clinician") in team_of(world.amara)
    assert HttpClient().get(link).status_code == 200
    assert not AuditEvent.objects.filter(action__in=["role.remove", "care_team.remove"]).exists()


# The feed checks the role when it is fetched ------------------------------------------------


def test_the_feed_of_someone_without_a_clinical_role_answers_404(client, world):
    link = feed_link(world.alice)
    Membership.objects.filter(user=world.alice).delete()  # not through the action
    assert client.get(link).status_code == 404


def test_the_feed_leaves_out_clinics_where_the_person_is_no_longer_a_clinician(client, world):
    add_session(world.amara, world.alice, days=1)
    add_session(world.fatima, world.alice, days=2)
    link = feed_link(world.alice)
    assert client.get(link).content.decode().count("BEGIN:VEVENT") == 2

    Membership.objects.filter(user=world.alice, clinic=world.other).delete()
    assert client.get(link).content.decode().count("BEGIN:VEVENT") == 1
