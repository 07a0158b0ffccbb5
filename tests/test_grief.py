"""The grief curve (loss, dual-process log, check-ins, scores since the loss, the clinician's
prolonged-grief flag) and the role-transition worksheet."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gentle.accounts.models import Role
from gentle.grief.models import Activity, CheckIn, Loss, Transition, TransitionStep
from gentle.measures.models import Administration
from tests.factories import make_clinic, make_person

pytestmark = pytest.mark.django_db


def loss(record, by, months_ago=14):
    return Loss.objects.create(
        client=record,
        who="Rosa",
        died_on=timezone.localdate() - timedelta(days=30 * months_ago),
        created_by=by,
    )


def score(record, by, instrument, total, days_ago):
    Administration.objects.create(
        client=record,
        instrument_id=instrument,
        instrument_version=1,
        mode="in_session",
        status="submitted",
        created_by=by,
        scores={"total": total},
        submitted_at=timezone.now() - timedelta(days=days_ago),
    )


def test_a_loss_is_recorded_and_a_future_date_refused(client, world):
    clinician, record = world.alice, world.amara
    client.force_login(clinician)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(
        f"/clients/{record.pk}/loss-and-change/", {"who": "Rosa", "died_on": future}
    )
    assert (
        response.status_code == 400 and "This date is in the future." in response.content.decode()
    )
    response = client.post(
        f"/clients/{record.pk}/loss-and-change/", {"who": "Rosa", "died_on": "2025-09-01"}
    )
    assert response.status_code == 302 and Loss.objects.get().who == "Rosa"


def test_the_log_refuses_days_before_the_death_and_unknown_words(client, world):
    clinician, record = world.alice, world.amara
    the_loss = loss(record, clinician)
    client.force_login(clinician)
    before = (the_loss.died_on - timedelta(days=1)).isoformat()
    response = client.post(
        f"/losses/{the_loss.pk}/activities/",
        {"day": before, "orientation": "loss", "what": "Visited grave"},
        follow=True,
    )
    assert response.status_code == 400
    assert "This day is before the death" in response.content.decode()
    assert 'value="Visited grave"' in response.content.decode()
    assert not Activity.objects.exists()
    response = client.post(
        f"/losses/{the_loss.pk}/check-ins/",
        {"day": timezone.localdate().isoformat(), "words": ["happy-ever"]},
        follow=True,
    )
    assert "Select a valid choice" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_the_curve_shows_scores_since_the_loss_lanes_and_check_ins(client, world):
    clinician, record = world.alice, world.amara
    the_loss = loss(record, clinician, months_ago=10)
    score(record, clinician, "pg13r", 38, days_ago=250)
    score(record, clinician, "phq9", 16, days_ago=250)
    score(record, clinician, "gad7", 12, days_ago=200)  # not a grief-curve instrument
    score(record, clinician, "pg13r", 41, days_ago=400)  # before the loss: left out
    client.force_login(clinician)
    day = (the_loss.died_on + timedelta(days=40)).isoformat()
    client.post(
        f"/losses/{the_loss.pk}/activities/",
        {"day": day, "orientation": "loss", "what": "Sorted letters"},
    )
    client.post(
        f"/losses/{the_loss.pk}/activities/",
        {"day": day, "orientation": "restoration", "what": "Joined a choir"},
    )
    client.post(f"/losses/{the_loss.pk}/check-ins/", {"day": day, "words": ["numb", "missing"]})
    html = client.get(f"/losses/{the_loss.pk}/").content.decode()
    assert '<svg class="grief"' in html
    chart = html.split('<svg class="grief"')[1].split('<ul class="chart-key')[0]
    assert chart.count('class="lane-dot') == 2
    assert chart.count('class="check-in"') == 1
    assert "Numb, Missing them" in html
    assert ">PG13R<" in html and ">PHQ9<" in html and ">GAD7<" not in html
    assert "41" not in html.split("As a table")[1].split("The log")[0]
    assert "does not follow fixed stages" in html


@pytest.mark.parametrize(
    ("months", "total", "flagged"), [(14, 34, True), (14, 29, False), (8, 40, False)]
)
def test_the_prolonged_grief_flag_needs_the_threshold_and_twelve_months(
    client, world, months, total, flagged
):
    clinician, record = world.alice, world.amara
    the_loss = loss(record, clinician, months_ago=months)
    score(record, clinician, "pg13r", total, days_ago=1)
    client.force_login(clinician)
    html = client.get(f"/losses/{the_loss.pk}/").content.decode()
    assert ("meets the threshold for prolonged grief" in html) is flagged


def test_the_flag_is_hidden_from_the_client(client, world):
    clinician, portal, record = world.alice, world.portal, world.amara
    the_loss = loss(record, clinician)
    score(record, clinician, "pg13r", 40, days_ago=1)
    client.force_login(portal)
    assert client.get(f"/losses/{the_loss.pk}/").status_code == 404
    for path in ("/portal/", "/portal/questionnaires/", "/portal/plan/"):
        assert "prolonged" not in client.get(path).content.decode().lower()


def test_the_transition_worksheet_and_its_progress(client, world):
    clinician, supervisor, record = world.alice, world.sue, world.amara
    client.force_login(clinician)
    response = client.post(
        f"/clients/{record.pk}/transitions/new/", {"title": "Retiring from the bakery"}
    )
    transition = Transition.objects.get()
    assert response["Location"] == f"/transitions/{transition.pk}/"
    client.post(
        f"/transitions/{transition.pk}/",
        {
            "title": "Retiring from the bakery",
            "old_lost": "Early mornings with the team",
            "new_opportunities": "Time with the grandchildren",
            "phase": "neutral",
        },
    )
    client.post(
        f"/transitions/{transition.pk}/steps/",
        {"phase": "beginning", "note": "Joined the walking club"},
    )
    assert client.post(f"/transitions/{transition.pk}/steps/", {"note": ""}).status_code == 302
    assert TransitionStep.objects.count() == 1
    transition.refresh_from_db()
    assert transition.phase == "neutral" and "team" in transition.old_lost
    mine = client.get(f"/transitions/{transition.pk}/").content.decode()
    assert "<fieldset>" in mine and ">Save<" in mine and "You can read this" not in mine
    client.force_login(supervisor)
    html = client.get(f"/transitions/{transition.pk}/").content.decode()
    assert "Joined the walking club" in html and "Time with the grandchildren" in html
    assert client.post(f"/transitions/{transition.pk}/steps/", {"note": "x"}).status_code == 404
    # The supervisor reads the worksheet: its fields are shown disabled, with nothing to save.
    assert "<fieldset disabled>" in html and ">Save<" not in html
    assert "You can read this worksheet; the clinicians of the care team fill it in." in html
    assert "Note progress" not in html and "Share with" not in html


def test_other_clinics_get_404(client, world):
    clinician, record = world.alice, world.amara
    the_loss = loss(record, clinician)
    client.force_login(make_person(make_clinic(), Role.CLINICIAN))
    assert client.get(f"/losses/{the_loss.pk}/").status_code == 404
    assert client.get(f"/clients/{record.pk}/loss-and-change/").status_code == 404
    assert the_loss.died_on < date.today() + timedelta(days=1)
