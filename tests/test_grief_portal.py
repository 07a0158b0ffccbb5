"""The grief curve and the transition worksheet in the client's portal: shared by the care team,
written by the client, never showing the clinician's prolonged-grief flag."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gentle.accounts.models import Role
from gentle.audit.models import AuditEvent
from gentle.grief.models import Activity, CheckIn, Loss, Transition
from tests.factories import count_queries
from tests.test_grief import loss, score
from tests.world import another_client

pytestmark = pytest.mark.django_db


def shared_loss(record, by, **kwargs):
    the_loss = loss(record, by, **kwargs)
    Loss.objects.filter(pk=the_loss.pk).update(shared_with_client=True)
    return the_loss


def test_nothing_reaches_the_portal_until_the_clinician_shares_it(client, world):
    clinician, portal, record = world.alice, world.portal, world.amara
    the_loss = loss(record, clinician)
    transition = Transition.objects.create(client=record, title="Retiring", updated_by=clinician)
    client.force_login(portal)
    assert client.get(f"/portal/losses/{the_loss.pk}/").status_code == 404
    assert client.get(f"/portal/transitions/{transition.pk}/").status_code == 404
    assert "Since the death" not in client.get("/portal/loss-and-change/").content.decode()
    assert "Loss and change" not in client.get("/portal/").content.decode()

    client.force_login(clinician)
    page = client.get(f"/losses/{the_loss.pk}/").content.decode()
    assert "Only the care team sees this." in page
    response = client.post(f"/losses/{the_loss.pk}/share/", {"shared": "1"}, follow=True)
    assert "the client can now open this in their portal" in response.content.decode()
    client.post(f"/transitions/{transition.pk}/share/", {"shared": "1"})
    assert AuditEvent.objects.filter(action="grief.share", object_id=str(the_loss.pk)).exists()

    client.force_login(portal)
    assert "Loss and change" in client.get("/portal/").content.decode()
    listing = client.get("/portal/loss-and-change/").content.decode()
    assert "Since the death of Rosa" in listing and "Retiring" in listing
    assert client.get(f"/portal/losses/{the_loss.pk}/").status_code == 200
    assert client.get(f"/portal/transitions/{transition.pk}/").status_code == 200

    client.force_login(clinician)
    client.post(f"/losses/{the_loss.pk}/share/", {"shared": "0"})
    client.force_login(portal)
    assert client.get(f"/portal/losses/{the_loss.pk}/").status_code == 404


def test_the_client_never_sees_the_prolonged_grief_flag(client, world):
    clinician, portal, record = world.alice, world.portal, world.amara
    the_loss = shared_loss(record, clinician, months_ago=14)
    score(record, clinician, "pg13r", 41, days_ago=1)
    client.force_login(clinician)
    assert "meets the threshold" in client.get(f"/losses/{the_loss.pk}/").content.decode()
    client.force_login(portal)
    html = client.get(f"/portal/losses/{the_loss.pk}/").content.decode()
    assert '<svg class="grief"' in html and "does not follow fixed stages" in html
    assert "threshold" not in html and "prolonged" not in html.lower()


def test_the_client_adds_to_the_log_and_checks_in(client, world):
    clinician, portal, record = world.alice, world.portal, world.amara
    the_loss = shared_loss(record, clinician)
    client.force_login(portal)
    today = timezone.localdate().isoformat()
    response = client.post(
        f"/portal/losses/{the_loss.pk}/activities/",
        {"day": today, "orientation": "restoration", "what": "Cooked for my sister"},
    )
    assert response.status_code == 302
    client.post(f"/portal/losses/{the_loss.pk}/check-ins/", {"day": today, "words": ["numb"]})
    assert Activity.objects.get().what == "Cooked for my sister"
    assert CheckIn.objects.get().words == ["numb"]
    written = AuditEvent.objects.filter(action__in=["grief.activity_add", "grief.check_in"])
    assert {(e.role, e.actor_id) for e in written} == {(Role.CLIENT, portal.pk)}

    client.force_login(clinician)
    html = client.get(f"/losses/{the_loss.pk}/").content.decode()
    assert "Cooked for my sister" in html and "Numb" in html


def test_a_refused_entry_keeps_what_the_client_typed_and_changes_nothing(client, world):
    clinician, portal, record = world.alice, world.portal, world.amara
    the_loss = shared_loss(record, clinician)
    client.force_login(portal)
    before = (the_loss.died_on - timedelta(days=2)).isoformat()
    response = client.post(
        f"/portal/losses/{the_loss.pk}/activities/",
        {"day": before, "orientation": "loss", "what": "Looked at old photos"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "This day is before the death" in html and 'value="Looked at old photos"' in html
    response = client.post(
        f"/portal/losses/{the_loss.pk}/check-ins/",
        {"day": timezone.localdate().isoformat(), "words": ["<b>fine</b>"], "note": "tired"},
    )
    assert response.status_code == 400 and 'value="tired"' in response.content.decode()
    assert not Activity.objects.exists() and not CheckIn.objects.exists()


def test_the_client_fills_the_transition_worksheet(client, world):
    clinician, portal, record = world.alice, world.portal, world.amara
    transition = Transition.objects.create(
        client=record, title="Retiring", updated_by=clinician, shared_with_client=True
    )
    client.force_login(portal)
    url = f"/portal/transitions/{transition.pk}/"
    response = client.post(
        url, {"title": "x" * 151, "old_good": "The bakery at dawn", "phase": "neutral"}
    )
    assert response.status_code == 400 and "The bakery at dawn" in response.content.decode()
    assert Transition.objects.get().old_good == ""
    response = client.post(
        url, {"title": "Retiring", "old_good": "The bakery at dawn", "phase": "neutral"}
    )
    assert response.status_code == 302
    transition.refresh_from_db()
    assert transition.old_good == "The bakery at dawn" and transition.updated_by == portal
    event = AuditEvent.objects.get(action="transition.update")
    assert event.role == Role.CLIENT
    client.force_login(clinician)
    assert "The bakery at dawn" in client.get(f"/transitions/{transition.pk}/").content.decode()


def test_another_clients_shared_loss_stays_closed(client, world):
    clinician, portal = world.alice, world.portal
    neighbour = another_client(world, "Nia", portal=True)
    theirs = shared_loss(neighbour, clinician)
    client.force_login(portal)
    assert client.get(f"/portal/losses/{theirs.pk}/").status_code == 404
    response = client.post(
        f"/portal/losses/{theirs.pk}/activities/",
        {"day": timezone.localdate().isoformat(), "orientation": "loss", "what": "x"},
    )
    assert response.status_code == 404 and not Activity.objects.exists()
    assert client.get("/portal/losses/99999999999999999999/").status_code == 404


def test_the_portal_curve_costs_the_same_queries_however_long_the_log(client, world):
    clinician, portal, record = world.alice, world.portal, world.amara
    the_loss = shared_loss(record, clinician)
    client.force_login(portal)
    url = f"/portal/losses/{the_loss.pk}/"
    first = count_queries(client, url)
    day = the_loss.died_on
    Activity.objects.bulk_create(
        Activity(loss=the_loss, day=day + timedelta(days=i), orientation="loss", what=f"n{i}")
        for i in range(40)
    )
    CheckIn.objects.bulk_create(
        CheckIn(loss=the_loss, day=day + timedelta(days=i), words=["numb"]) for i in range(20)
    )
    for days_ago in range(1, 30, 3):
        score(record, clinician, "pg13r", 20, days_ago=days_ago)
    assert count_queries(client, url) == first
