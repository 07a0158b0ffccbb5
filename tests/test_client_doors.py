"""The indexed doors of the homes (issue 20): ``care_team_clients`` and ``supervised_clients``
find their clients from the care teams' rows instead of testing every client of the clinic.
They must give exactly the clients that the one door's paths give (``_annotated``'s
``via_team_clinician``; ``via_team_supervisor`` or ``via_supervision``), for every kind of
person, and the homes must say the same counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Q
from django.test import RequestFactory
from django.utils import timezone

from gentle.accounts.context import clinic_context
from gentle.accounts.models import Role
from gentle.clients.access import (
    _annotated,
    care_team_clients,
    on_care_team,
    supervised_clients,
    under_supervision,
)
from gentle.clients.models import BreakGlassGrant, Client
from tests.factories import make_client, make_person, signed_in, supervise, visible_text


def request_of(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    return request


def paths(user, condition: Q) -> set[int]:
    annotated = _annotated(request_of(user))
    return (
        set()
        if annotated is None
        else set(annotated.filter(condition).values_list("pk", flat=True))
    )


@pytest.mark.django_db
def test_the_indexed_doors_give_the_same_clients_as_the_one_doors_paths(world):
    both = make_person(world.clinic, Role.CLINICIAN, Role.SUPERVISOR)
    supervise(world.clinic, world.sue, world.bob)
    supervise(world.clinic, both, world.alice)
    bobs = make_client(world.clinic, clinicians=[world.bob], given_name="Boris")
    make_client(world.clinic, clinicians=[world.bob], supervisor=both, given_name="Bea")
    make_client(world.clinic, clinicians=[both], given_name="Own")
    # Seen by the person with both roles twice over: on the team as its supervisor, and
    # through Alice, whom they supervise.
    make_client(world.clinic, clinicians=[world.alice], supervisor=both, given_name="Twice")
    make_client(world.clinic, given_name="Nobody")  # no care team
    # Bob also works in the other clinic: supervising him here does not reach his clients there.
    make_client(world.far_client.clinic, clinicians=[world.bob], given_name="Elsewhere")
    # Emergency access is neither a care team nor a supervision.
    BreakGlassGrant.objects.create(
        client=bobs, user=world.alice, reason="test", expires_at=timezone.now() + timedelta(hours=1)
    )
    people = [world.alice, world.bob, world.sue, both, world.admin, world.far_clinician]
    for person in people:
        request = request_of(person)
        assert set(care_team_clients(request).values_list("pk", flat=True)) == paths(
            person, Q(via_team_clinician=True)
        ), person
        # The same rule joined, as the clinician's drafts to sign use it.
        clinic = clinic_context(request).clinic
        joined = Client.objects.filter(on_care_team("", clinic.pk if clinic else 0, person.pk))
        assert set(joined.values_list("pk", flat=True)) == paths(
            person, Q(via_team_clinician=True)
        ), person
        assert set(supervised_clients(request).values_list("pk", flat=True)) == paths(
            person, Q(via_team_supervisor=True) | Q(via_supervision=True)
        ), person
        # The same rule tested client by client, as the supervisor's stale drafts use it:
        # Twice comes once.
        tested = Client.objects.filter(
            under_supervision("", clinic.pk if clinic else 0, person.pk)
        ).values_list("pk", flat=True)
        assert sorted(tested) == sorted(
            paths(person, Q(via_team_supervisor=True) | Q(via_supervision=True))
        ), person
    # Sue: Amara (on her care team) and Bob's two; the person with both roles: Alice's Amara
    # and Twice through supervision, Bea (and Twice) on the team as its supervisor, and their
    # own client apart.
    assert supervised_clients(request_of(world.sue)).count() == 3
    assert care_team_clients(request_of(both)).count() == 1
    assert supervised_clients(request_of(both)).count() == 3
    html = signed_in(world.sue).get("/").content.decode()
    assert "You see 3 clients as a supervisor." in visible_text(html)
    # Someone with no clinical role in the clinic gets none.
    assert not supervised_clients(request_of(world.admin)).exists()
    assert not care_team_clients(request_of(world.portal)).exists()


@pytest.mark.django_db
def test_the_doors_select_by_the_care_teams_rows_not_by_testing_each_client(world):
    """As the lists of the homes use them (``values("pk")``): no EXISTS per client of the
    clinic, but the care teams' rows by index (17 → 2 ms at 10,000 clients; issue 20)."""
    supervise(world.clinic, world.sue, world.alice)
    for door, person in ((care_team_clients, world.alice), (supervised_clients, world.sue)):
        sql = str(door(request_of(person)).values("pk").query)
        assert "EXISTS" not in sql.upper(), sql
        assert '"clients_careteammember"' in sql, sql
