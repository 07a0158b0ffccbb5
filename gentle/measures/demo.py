"""Demo measures: PHQ-9 every session and GAD-7 every fourth, with realistic trajectories
(responders, a non-responder, a deterioration), one resolved and one open risk alert."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from gentle.clients.models import Client
from gentle.measures import actions
from gentle.measures.instruments import catalogue
from gentle.measures.models import Administration, Mode
from gentle.safety.actions import alert_acknowledge
from gentle.safety.models import Alert

NON_RESPONDER, DETERIORATION = 6, 13  # positions in the demo client list


def _answers(rng, prefix: str, count: int, total: int, top: int = 3, keep_last_zero=False):
    """Item answers (0..top) that add up to ``total``, spread at random."""
    values = [0] * count
    slots = count - 1 if keep_last_zero else count
    total = max(0, min(total, slots * top))
    while sum(values) < total:
        index = rng.randrange(slots)
        if values[index] < top:
            values[index] += 1
    return {f"{prefix}{n}": v for n, v in enumerate(values, start=1)}


def _trajectory(rng, index: int, number: int) -> int:
    start = 14 + (index * 3) % 8
    if index == NON_RESPONDER:
        return start + rng.choice([-1, 0, 1])
    if index == DETERIORATION:
        return min(27, 11 + number + rng.choice([0, 1]))
    return max(2, round(start - 1.3 * (number - 1) + rng.choice([-1, 0, 1])))


def seed(rng, context: dict) -> None:
    phq9, gad7 = catalogue()["phq9"], catalogue()["gad7"]
    clients = context["clients"]
    alert_client = clients[0]
    for index, client in enumerate(clients):
        course = client.courses.first()
        if course is None:
            continue
        clinician = client.care_team.get(role="clinician").user
        attended = list(course.sessions.filter(attendance="attended").order_by("starts_at"))
        for number, session in enumerate(attended, start=1):
            total = _trajectory(rng, index, number)
            answers = _answers(rng, "phq9_", 9, total, keep_last_zero=True)
            if client == alert_client and number in (2, len(attended)) and len(attended) > 2:
                answers["phq9_9"] = 1  # thoughts of self-harm on several days
            answers["phq9_difficulty"] = min(3, total // 7)
            _submit(phq9, client, course, session, clinician, answers)
            if number == 1 or number % 4 == 0:
                gad_total = max(1, total - 3 + rng.choice([-1, 0, 1]))
                _submit(
                    gad7, client, course, session, clinician, _answers(rng, "gad7_", 7, gad_total)
                )
    # The first alert was dealt with in session; the latest is still open.
    alerts = list(Alert.objects.filter(client=alert_client).order_by("raised_at"))
    if len(alerts) > 1:
        first = alerts[0]
        first.client = alert_client
        alert_acknowledge(
            by=alert_client.care_team.get(role="clinician").user,
            request=None,
            alert=first,
            action="safety_plan",
            note="Safety plan reviewed together; client agreed to call the "
            "clinic line if the thoughts come back.",
        )
    # Questionnaires waiting in the demo client's portal.
    portal_client = Client.objects.filter(
        pk__in=[c.pk for c in clients], user__isnull=False
    ).first()
    if portal_client is not None:
        clinician = portal_client.care_team.get(role="clinician").user
        for instrument in (phq9, gad7):
            actions.administration_start(
                by=clinician,
                request=None,
                client=portal_client,
                instrument=instrument,
                mode=Mode.PORTAL,
                course=portal_client.courses.first(),
                due_on=timezone.localdate() + timedelta(days=3),
            )
    context.setdefault("counts", {}).update(
        administrations=Administration.objects.filter(client__in=clients).count(),
        alerts=Alert.objects.filter(client__in=clients).count(),
    )


def _submit(instrument, client, course, session, clinician, answers) -> None:
    administration = actions.administration_start(
        by=clinician,
        request=None,
        client=client,
        instrument=instrument,
        mode=Mode.IN_SESSION,
        course=course,
        session=session,
    )
    actions.administration_submit(
        by=clinician, request=None, administration=administration, answers=answers, role="clinician"
    )
    Administration.objects.filter(pk=administration.pk).update(
        submitted_at=session.starts_at + timedelta(minutes=5)
    )
    Alert.objects.filter(source="administration", source_id=str(administration.pk)).update(
        raised_at=session.starts_at + timedelta(minutes=5)
    )


def remove(clinic_slug: str) -> None:
    Alert.objects.filter(client__clinic__slug=clinic_slug).delete()
    Administration.objects.filter(client__clinic__slug=clinic_slug, corrects__isnull=False).delete()
    Administration.objects.filter(client__clinic__slug=clinic_slug).delete()
