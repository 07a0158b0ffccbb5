"""Safety rules through HTTP: crisis text for the client at once, alerts for the care team,
acknowledgement, escalation to supervisors, and the clinic's crisis text."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client as HttpClient

from gentle.audit.models import AuditEvent
from gentle.clients.models import Client
from gentle.measures.models import Administration
from gentle.safety.actions import alerts_escalate
from gentle.safety.models import Alert, CrisisText
from tests.factories import make_client, signed_in, visible_text
from tests.world import World, sue_supervises_alice

pytestmark = pytest.mark.django_db

CRISIS_EN = "Hillside out-of-hours line: 0100 200 300. Text SHOUT to 85258."
CRISIS_ES = "Línea de Hillside fuera de horario: 0100 200 300. Llame al 024."
REASON_SOME = "Thoughts of being better off dead or of self-harm on several days"
REASON_OFTEN = "Thoughts of being better off dead or of self-harm on more than half the days"
REASON_SOME_ES = "Pensamientos de muerte o de hacerse daño varios días"
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def world(world):
    CrisisText.objects.create(clinic=world.clinic, language="en", text=CRISIS_EN)
    CrisisText.objects.create(clinic=world.clinic, language="es", text=CRISIS_ES)
    return sue_supervises_alice(world)


def phq9(item9: int) -> dict[str, str]:
    answers = {f"phq9_{n}": "1" for n in range(1, 9)}
    return {**answers, "phq9_9": str(item9), "submit": "1"}


def assign_in_portal(clinician: HttpClient, record: Client) -> Administration:
    response = clinician.post(
        f"/clients/{record.pk}/measures/new/", {"instrument": "phq9", "mode": "portal"}
    )
    assert response.status_code == 302
    return Administration.objects.filter(client=record, mode="portal").latest("pk")


def give_in_session(clinician: HttpClient, record: Client, instrument: str, answers: dict):
    """Start and submit a questionnaire in session; returns the submission's response."""
    clinician.post(
        f"/clients/{record.pk}/measures/new/", {"instrument": instrument, "mode": "in_session"}
    )
    administration = Administration.objects.filter(client=record).latest("pk")
    response = clinician.post(f"/administrations/{administration.pk}/", answers)
    administration.refresh_from_db()
    assert administration.status == "submitted", response.content.decode()[:2000]
    return response


def raise_alert(world: World, record: Client | None = None, item9: int = 1) -> Alert:
    """A PHQ-9 with a risk answer on item 9, given in session by alice."""
    record = record or world.amara
    before = set(Alert.objects.values_list("pk", flat=True))
    give_in_session(signed_in(world.alice), record, "phq9", phq9(item9))
    (alert,) = Alert.objects.exclude(pk__in=before)
    return alert


# (a) The client answers in the portal --------------------------------------------------------


def test_client_finds_the_assigned_questionnaire_in_the_portal(world):
    administration = assign_in_portal(signed_in(world.alice), world.amara)
    portal = signed_in(world.portal)
    page = portal.get("/portal/questionnaires/").content.decode()
    assert f'href="/portal/questionnaires/{administration.pk}/"' in page
    assert "PHQ-9 (depression)" in page
    form = portal.get(f"/portal/questionnaires/{administration.pk}/")
    assert form.status_code == 200
    assert "Thoughts that you would be better off dead" in form.content.decode()
    assert "· started" not in page
    Administration.objects.filter(pk=administration.pk).update(status="in_progress")
    assert "· started" in portal.get("/portal/questionnaires/").content.decode()


def test_some_days_on_item_9_shows_the_crisis_text_at_once_and_raises_a_moderate_alert(world):
    administration = assign_in_portal(signed_in(world.alice), world.amara)
    portal = signed_in(world.portal)
    response = portal.post(f"/portal/questionnaires/{administration.pk}/", phq9(1))
    page = response.content.decode()
    text = visible_text(page)
    assert response.status_code == 200
    assert "Thank you for your answers" in text
    assert CRISIS_EN in text
    assert CRISIS_ES not in text
    assert "alert" not in text.lower()
    assert REASON_SOME not in page
    (alert,) = Alert.objects.filter(client=world.amara)
    assert alert.severity == "moderate"
    assert alert.is_open
    assert (alert.source, alert.source_id) == ("administration", str(administration.pk))
    assert alert.reason == REASON_SOME
    raised = AuditEvent.objects.get(action="alert.raise", object_id=str(alert.pk))
    assert raised.client_id == world.amara.pk
    assert raised.actor_id == world.portal.pk


def test_a_spanish_speaking_client_sees_the_spanish_crisis_text(world):
    administration = assign_in_portal(signed_in(world.alice), world.amara)
    portal = signed_in(world.portal)
    portal.post("/i18n/setlang/", {"language": "es", "next": "/portal/"})
    response = portal.post(f"/portal/questionnaires/{administration.pk}/", phq9(1))
    page = response.content.decode()
    text = visible_text(page)
    assert response.status_code == 200
    assert CRISIS_ES in text
    assert CRISIS_EN not in text
    assert "alert" not in text.lower()  # nor "alerta"
    assert REASON_SOME not in page and REASON_SOME_ES not in page
    assert Alert.objects.get(client=world.amara).severity == "moderate"


@pytest.mark.parametrize("item9", [2, 3])
def test_more_than_half_the_days_on_item_9_raises_a_high_alert(world, item9):
    administration = assign_in_portal(signed_in(world.alice), world.amara)
    response = signed_in(world.portal).post(
        f"/portal/questionnaires/{administration.pk}/", phq9(item9)
    )
    text = visible_text(response.content.decode())
    assert CRISIS_EN in text
    assert "alert" not in text.lower()
    assert REASON_OFTEN not in response.content.decode()
    assert list(Alert.objects.filter(client=world.amara).values_list("severity", flat=True)) == [
        "high"
    ]


def test_no_risk_answer_raises_no_alert_and_thanks_the_client(world):
    administration = assign_in_portal(signed_in(world.alice), world.amara)
    response = signed_in(world.portal).post(
        f"/portal/questionnaires/{administration.pk}/", phq9(0), follow=True
    )
    text = visible_text(response.content.decode())
    assert response.redirect_chain[-1][0] == "/portal/questionnaires/"
    assert "Thank you. Your answers are with your clinician." in text
    assert CRISIS_EN not in text
    assert not Alert.objects.exists()
    assert not AuditEvent.objects.filter(action="alert.raise").exists()
    administration.refresh_from_db()
    assert administration.status == "submitted"
    assert administration.scores == {"total": 8}


# (b) C-SSRS triage, rated by the clinician ---------------------------------------------------


RANK = {"low": 1, "moderate": 2, "high": 3}


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        pytest.param({"q1": 1, "q2": 0, "q6": 0}, "low", id="wish-only-low"),
        pytest.param(
            {"q1": 1, "q2": 1, "q3": 1, "q4": 0, "q5": 0, "q6": 0}, "moderate", id="method"
        ),
        pytest.param({"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 0, "q6": 0}, "high", id="intent"),
        pytest.param({"q1": 1, "q2": 1, "q3": 0, "q4": 0, "q5": 1, "q6": 0}, "high", id="plan"),
        pytest.param({"q1": 0, "q2": 0, "q6": 1, "q6_recent": 1}, "high", id="recent-behaviour"),
        pytest.param({"q1": 0, "q2": 0, "q6": 1, "q6_recent": 0}, "moderate", id="past-behaviour"),
    ],
)
def test_cssrs_triage_raises_the_expected_severity(world, answers, expected):
    posted = {key: str(value) for key, value in answers.items()}
    response = give_in_session(
        signed_in(world.alice), world.amara, "cssrs_screener", {**posted, "submit": "1"}
    )
    severities = list(Alert.objects.filter(client=world.amara).values_list("severity", flat=True))
    assert severities
    assert max(severities, key=RANK.get) == expected
    # The clinician is told at once.
    followed = signed_in(world.alice).get(response["Location"]).content.decode()
    assert "Review and acknowledge" in followed


def test_cssrs_all_no_raises_no_alert(world):
    give_in_session(
        signed_in(world.alice),
        world.amara,
        "cssrs_screener",
        {"q1": "0", "q2": "0", "q6": "0", "submit": "1"},
    )
    assert not Alert.objects.exists()


# (c) An alert's life ---------------------------------------------------------------------------


def test_the_care_team_sees_an_open_alert_on_the_caseload_and_the_record(world):
    alert = raise_alert(world)
    alice = signed_in(world.alice)
    caseload = alice.get("/caseload/").content.decode()
    assert f"alert-chip alert-{alert.severity}" in caseload
    assert f"{alert.get_severity_display()} alert</a>" in caseload  # in words (issue 22)
    record = alice.get(f"/clients/{world.amara.pk}/").content.decode()
    assert "Review and acknowledge" in record
    assert f'href="/alerts/{alert.pk}/"' in record
    assert REASON_SOME in record
    detail = alice.get(f"/alerts/{alert.pk}/")
    assert detail.status_code == 200
    assert 'name="action"' in detail.content.decode()


def test_the_client_never_sees_the_alert_in_the_portal(world):
    administration = assign_in_portal(signed_in(world.alice), world.amara)
    portal = signed_in(world.portal)
    portal.post(f"/portal/questionnaires/{administration.pk}/", phq9(3))
    alert = Alert.objects.get(client=world.amara)
    for url in ("/portal/", "/portal/questionnaires/", "/portal/plan/"):
        response = portal.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "alert" not in visible_text(page).lower(), url
        assert alert.reason not in page, url
        assert f"/alerts/{alert.pk}/" not in page, url
    assert portal.get(f"/alerts/{alert.pk}/").status_code == 404
    assert portal.get("/caseload/").status_code == 404
    response = portal.post(f"/alerts/{alert.pk}/acknowledge/", {"action": "reviewed"})
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.is_open


def test_the_supervisor_sees_the_alert_but_cannot_acknowledge_it(world):
    alert = raise_alert(world)
    sue = signed_in(world.sue)
    assert f"{alert.get_severity_display()} alert</a>" in sue.get("/caseload/").content.decode()
    assert "Review and acknowledge" in sue.get(f"/clients/{world.amara.pk}/").content.decode()
    detail = sue.get(f"/alerts/{alert.pk}/").content.decode()
    assert "Open: waiting for a clinician on the care team." in detail
    assert "/acknowledge/" not in detail
    response = sue.post(f"/alerts/{alert.pk}/acknowledge/", {"action": "contact", "note": "x"})
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.is_open and alert.acknowledged_by is None and alert.action == ""
    assert not AuditEvent.objects.filter(action="alert.acknowledge").exists()


def test_clinicians_off_the_team_get_404_for_the_alert(world):
    alert = raise_alert(world)
    bob = signed_in(world.bob)
    assert bob.get(f"/alerts/{alert.pk}/").status_code == 404
    assert bob.post(f"/alerts/{alert.pk}/acknowledge/", {"action": "contact"}).status_code == 404
    assert "open alert" not in bob.get("/caseload/").content.decode()
    alert.refresh_from_db()
    assert alert.is_open


def test_acknowledging_without_saying_what_was_done_is_refused(world):
    alert = raise_alert(world)
    response = signed_in(world.alice).post(
        f"/alerts/{alert.pk}/acknowledge/", {"action": "", "note": "Spoke to her"}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    alert.refresh_from_db()
    assert alert.is_open and alert.acknowledged_by is None
    assert not AuditEvent.objects.filter(action="alert.acknowledge").exists()


def test_acknowledging_with_an_action_closes_the_alert_and_records_who_and_when(world):
    with time_machine.travel(NOON, tick=False):
        alert = raise_alert(world)
    acknowledged_at = NOON + timedelta(hours=2)
    with time_machine.travel(acknowledged_at, tick=False):
        alice = signed_in(world.alice)
        response = alice.post(
            f"/alerts/{alert.pk}/acknowledge/",
            {"action": "contact", "note": "Phoned her; she is safe tonight."},
            follow=True,
        )
        page = response.content.decode()
        assert response.redirect_chain[-1][0] == f"/clients/{world.amara.pk}/"
        assert "Alert acknowledged. What was done is recorded." in page
        assert "Review and acknowledge" not in page
        assert "open alert" not in alice.get("/caseload/").content.decode()
        detail = visible_text(alice.get(f"/alerts/{alert.pk}/").content.decode())
        assert f"Acknowledged by {world.alice.display_name}" in detail
        assert "Contacted the client" in detail
    alert.refresh_from_db()
    assert not alert.is_open
    assert alert.acknowledged_by == world.alice
    assert alert.acknowledged_at == acknowledged_at
    assert alert.action == "contact"
    assert alert.action_note == "Phoned her; she is safe tonight."
    event = AuditEvent.objects.get(action="alert.acknowledge")
    assert (event.object_id, event.actor_id) == (str(alert.pk), world.alice.pk)
    assert event.detail == "action=contact"
    assert "Phoned" not in event.detail  # the note is clinical text: not in the audit row


def test_a_second_acknowledgement_says_it_was_already_done_and_changes_nothing(world):
    alert = raise_alert(world)
    alice = signed_in(world.alice)
    alice.post(f"/alerts/{alert.pk}/acknowledge/", {"action": "contact", "note": "Phoned."})
    alert.refresh_from_db()
    first = (alert.acknowledged_at, alert.acknowledged_by_id, alert.action, alert.action_note)
    response = alice.post(
        f"/alerts/{alert.pk}/acknowledge/", {"action": "referral", "note": "Again"}, follow=True
    )
    assert "This alert was already acknowledged." in response.content.decode()
    alert.refresh_from_db()
    assert (alert.acknowledged_at, alert.acknowledged_by_id, alert.action, alert.action_note) == (
        first
    )
    assert AuditEvent.objects.filter(action="alert.acknowledge").count() == 1


def test_each_step_of_the_alert_is_audited(world):
    alert = raise_alert(world, item9=2)
    signed_in(world.alice).post(
        f"/alerts/{alert.pk}/acknowledge/", {"action": "safety_plan", "note": "Plan reviewed."}
    )
    actions = list(
        AuditEvent.objects.filter(object_type="alert", object_id=str(alert.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[0] == "alert.raise"
    assert actions[-1] == "alert.acknowledge"
    raise_row = AuditEvent.objects.get(action="alert.raise")
    assert raise_row.detail == "severity=high rule=phq9_item9_often"
    assert raise_row.client_id == world.amara.pk


# (d) Escalation ------------------------------------------------------------------------------


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


# raise_alert gives a moderate alert, escalated after one working day: from a Monday (NOON),
# 24 hours. Each severity's delay is tested in test_alert_escalation.py.
MODERATE_HOURS = 24


def test_an_alert_left_open_too_long_is_escalated_to_the_supervisor(world, time_machine):
    time_machine.move_to(NOON, tick=False)
    alert = raise_alert(world)
    limit = MODERATE_HOURS

    time_machine.move_to(NOON + hours(limit) - timedelta(minutes=1), tick=False)
    assert alerts_escalate() == 0
    alert.refresh_from_db()
    assert alert.escalated_at is None

    later = NOON + hours(limit) + timedelta(minutes=1)
    time_machine.move_to(later, tick=False)
    assert alerts_escalate() == 1
    alert.refresh_from_db()
    assert alert.escalated_at == later
    assert alert.is_open
    event = AuditEvent.objects.get(action="alert.escalate")
    assert (event.object_id, event.client_id) == (str(alert.pk), world.amara.pk)
    assert event.actor_label == "gentle worker"
    assert alerts_escalate() == 0  # once only
    assert AuditEvent.objects.filter(action="alert.escalate").count() == 1

    sue = signed_in(world.sue)
    caseload = visible_text(sue.get("/caseload/").content.decode())
    assert f"{alert.get_severity_display()} alert · escalated" in caseload
    record = sue.get(f"/clients/{world.amara.pk}/").content.decode()
    assert "escalated to the supervisor" in record


def test_acknowledged_and_recent_alerts_are_not_escalated(world, time_machine):
    limit = MODERATE_HOURS
    old_open_client = world.amara
    old_done_client = make_client(world.clinic, clinicians=[world.alice], given_name="Dora")
    young_client = make_client(world.clinic, clinicians=[world.alice], given_name="Yusuf")
    time_machine.move_to(NOON, tick=False)
    old_open = raise_alert(world, old_open_client)
    old_done = raise_alert(world, old_done_client)
    signed_in(world.alice).post(f"/alerts/{old_done.pk}/acknowledge/", {"action": "reviewed"})
    time_machine.move_to(NOON + hours(limit - 1), tick=False)
    young = raise_alert(world, young_client)

    time_machine.move_to(NOON + hours(limit + 1), tick=False)
    assert alerts_escalate() == 1
    escalated = set(Alert.objects.exclude(escalated_at=None).values_list("pk", flat=True))
    assert escalated == {old_open.pk}
    assert set(
        AuditEvent.objects.filter(action="alert.escalate").values_list("object_id", flat=True)
    ) == {str(old_open.pk)}
    caseload = visible_text(signed_in(world.sue).get("/caseload/").content.decode())
    assert caseload.count("escalated") == 1
    assert young.pk not in escalated and old_done.pk not in escalated


@pytest.mark.django_db(transaction=True)
def test_the_periodic_worker_job_escalates_old_open_alerts(world):
    with time_machine.travel(NOON, tick=True):
        alert = raise_alert(world)
    limit = MODERATE_HOURS
    with time_machine.travel(NOON + hours(limit + 2), tick=True):
        call_command("worker", once=True)
        caseload = visible_text(signed_in(world.sue).get("/caseload/").content.decode())
    alert.refresh_from_db()
    assert alert.escalated_at is not None
    assert AuditEvent.objects.filter(action="alert.escalate", object_id=str(alert.pk)).exists()
    assert f"{alert.get_severity_display()} alert · escalated" in caseload


# (e) The clinic's crisis text ------------------------------------------------------------------


def test_the_administrator_edits_the_crisis_text_and_it_is_audited(world):
    admin = signed_in(world.admin)
    page = admin.get("/clinic/crisis-text/?language=es")
    assert page.status_code == 200
    assert CRISIS_ES in page.content.decode()
    new_text = "Línea de crisis de Hillside: 0100 999 000."
    response = admin.post("/clinic/crisis-text/", {"language": "es", "text": new_text}, follow=True)
    assert response.redirect_chain[-1][0] == "/clinic/crisis-text/"
    assert "Crisis text saved." in response.content.decode()
    assert CrisisText.objects.get(clinic=world.clinic, language="es").text == new_text
    assert CrisisText.objects.get(clinic=world.clinic, language="en").text == CRISIS_EN
    event = AuditEvent.objects.get(action="crisis_text.update")
    assert (event.actor_id, event.clinic_id, event.detail) == (
        world.admin.pk,
        world.clinic.pk,
        "language=es",
    )


def test_an_empty_crisis_text_is_refused_with_a_message(world):
    admin = signed_in(world.admin)
    for empty in ("", "   "):
        response = admin.post("/clinic/crisis-text/", {"language": "en", "text": empty})
        assert response.status_code == 400
        assert "This field is required." in response.content.decode()
    assert CrisisText.objects.get(clinic=world.clinic, language="en").text == CRISIS_EN
    assert not AuditEvent.objects.filter(action="crisis_text.update").exists()


def test_only_administrators_may_edit_the_crisis_text(world):
    for user in (world.alice, world.sue, world.portal):
        http = signed_in(user)
        assert http.get("/clinic/crisis-text/").status_code == 404
        response = http.post("/clinic/crisis-text/", {"language": "en", "text": "Hacked"})
        assert response.status_code == 404
    assert CrisisText.objects.get(clinic=world.clinic, language="en").text == CRISIS_EN
    assert not AuditEvent.objects.filter(action="crisis_text.update").exists()


def test_the_crisis_page_shows_the_clinics_text_in_the_visitors_language(world):
    portal = signed_in(world.portal)
    page = visible_text(portal.get("/crisis/").content.decode())
    assert "From Hillside Practice" in page
    assert CRISIS_EN in page and CRISIS_ES not in page
    portal.post("/i18n/setlang/", {"language": "es", "next": "/crisis/"})
    page = visible_text(portal.get("/crisis/").content.decode())
    assert CRISIS_ES in page and CRISIS_EN not in page

    staff = visible_text(signed_in(world.alice).get("/crisis/").content.decode())
    assert CRISIS_EN in staff
    elsewhere = visible_text(signed_in(world.far_portal).get("/crisis/").content.decode())
    assert CRISIS_EN not in elsewhere and "Hillside" not in elsewhere
    anonymous = HttpClient().get("/crisis/")
    assert anonymous.status_code == 200
    assert CRISIS_EN not in anonymous.content.decode()
