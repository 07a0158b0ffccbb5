"""Demo measures: PHQ-9 every session and GAD-7 every fourth, with realistic trajectories
(responders, a non-responder, a deterioration), one resolved and one open risk alert."""

from __future__ import annotations

from datetime import timedelta
from random import Random
from typing import Any

from django.utils import timezone

from gentle.accounts.demo import DEMO_CLINIC_SLUG
from gentle.accounts.models import User
from gentle.clients.models import Client
from gentle.courses.models import FINISHED_STATUSES, Course, Session
from gentle.measures import actions
from gentle.measures.instruments import Instrument, catalogue
from gentle.measures.models import Administration, CourseResult, FixedThresholds, Mode
from gentle.safety.actions import alert_acknowledge
from gentle.safety.models import Alert

NON_RESPONDER, DETERIORATION = 6, 13  # positions in the demo client list


def _answers(
    rng: Random, prefix: str, count: int, total: int, top: int = 3, keep_last_zero: bool = False
) -> dict[str, object]:
    """Item answers (0..top) that add up to ``total``, spread at random."""
    values = [0] * count
    slots = count - 1 if keep_last_zero else count
    total = max(0, min(total, slots * top))
    while sum(values) < total:
        index = rng.randrange(slots)
        if values[index] < top:
            values[index] += 1
    return {f"{prefix}{n}": v for n, v in enumerate(values, start=1)}


def _trajectory(rng: Random, index: int, number: int) -> int:
    start = 14 + (index * 3) % 8
    if index == NON_RESPONDER:
        return start + rng.choice([-1, 0, 1])
    if index == DETERIORATION:
        return min(27, 11 + number + rng.choice([0, 1]))
    return max(2, round(start - 1.3 * (number - 1) + rng.choice([-1, 0, 1])))


def seed(rng: Random, context: dict[str, Any]) -> None:
    phq9, gad7 = catalogue()["phq9"], catalogue()["gad7"]
    clients = context["clients"]
    alert_client = clients[0]
    for index, client in enumerate(clients):
        course = client.courses.first()
        if course is None:
            continue
        clinician = client.care_team.get(role="clinician").user
        attended = list(course.sessions.filter(attendance="attended").order_by("starts_at"))
        perinatal = course.format == "perinatal"
        for number, session in enumerate(attended, start=1):
            total = _trajectory(rng, index, number)
            if perinatal:
                # Its own schedule (data/schedule.json): the EPDS every session, the PHQ-9
                # every 4, no GAD-7.
                _perinatal_session(rng, client, course, session, clinician, number, total)
                if not (number == 1 or number % 4 == 0):
                    continue
            answers = _answers(rng, "phq9_", 9, total, keep_last_zero=True)
            if client == alert_client and number in (2, len(attended)) and len(attended) > 2:
                answers["phq9_9"] = 1  # thoughts of self-harm on several days
            answers["phq9_difficulty"] = min(3, total // 7)
            _submit(phq9, client, course, session, clinician, answers)
            # One GAD-7 was not given (the third client's session 8), so the caseload and the
            # clinician's home show a measure overdue.
            missed = index == 2 and number == 8
            # A finished course's last session has both, so that its outcome pairs them by
            # date (docs/outcomes.md); a running course shows "not yet".
            last = number == len(attended) and course.status in FINISHED_STATUSES
            if (number == 1 or number % 4 == 0 or last) and not missed and not perinatal:
                gad_total = max(1, total - 3 + rng.choice([-1, 0, 1]))
                _submit(
                    gad7, client, course, session, clinician, _answers(rng, "gad7_", 7, gad_total)
                )
    _risk_story(rng, alert_client, phq9)
    if context.get("adolescent") is not None:
        _adolescent(context["adolescent"])
    # Questionnaires waiting in the demo client's portal.
    portal_client = Client.objects.filter(
        pk__in=[c.pk for c in clients], user__isnull=False
    ).first()
    if portal_client is not None:
        clinician = portal_client.care_team.get(role="clinician").user
        for instrument in (phq9, gad7):
            actions.administration_start(
                by=clinician,
                client=portal_client,
                instrument=instrument,
                mode=Mode.PORTAL,
                course=portal_client.courses.first(),
                due_on=timezone.localdate() + timedelta(days=3),
            )
    # The thresholds each finished course's outcome is judged by, fixed as they stand (ADR 0052;
    # in the app, the course's finishing does it).
    for course in Course.objects.filter(client__in=clients, status__in=FINISHED_STATUSES):
        actions.thresholds_fix(course)
    context.setdefault("counts", {}).update(
        administrations=Administration.objects.filter(client__in=clients).count(),
        alerts=Alert.objects.filter(client__in=clients).count(),
    )


# The risk story, told alike by the answers, the alerts, the session notes, the safety plan
# (gentle/safety/demo.py) and the contact log: item 9 positive in session 2 (safety plan made
# together, alert closed in session), again in the last session (reviewed in session), then
# "more than half the days" in the portal yesterday evening: a high alert that escalated to the
# supervisor after an hour, with the clinician's attempts to reach the client.
SESSION_2_REVIEW = (
    "PHQ-9 item 9: several days. Passive thoughts that others would be better off without them; "
    "no plan, no intent, no past attempts. Made a safety plan together (version 1); crisis "
    "numbers given."
)
LAST_SESSION_REVIEW = (
    "PHQ-9 item 9: several days again. Same passive thoughts, no plan or intent. Went through "
    "the safety plan; the client had added reasons for living in the portal."
)


def _risk_story(rng: Random, client: Client, phq9: Instrument) -> None:
    from gentle.accounts.models import Membership, Role
    from gentle.courses.models import ProgressNote
    from gentle.safety.actions import alerts_escalate, contact_attempt_add, safety_lead_set
    from gentle.safety.models import ContactOutcome

    clinician = client.care_team.get(role="clinician").user
    # The clinic's safety lead, told of every escalated alert: its supervisor.
    lead = Membership.objects.filter(clinic=client.clinic, role=Role.SUPERVISOR).first()
    admin = Membership.objects.filter(clinic=client.clinic, role=Role.ADMIN).first()
    if lead and admin:
        safety_lead_set(by=admin.user, clinic=client.clinic, lead=lead.user)
    type(client).objects.filter(pk=client.pk).update(
        phone="555-0131",
        emergency_contact_name="Ana",
        emergency_contact_relation="sister",
        emergency_contact_phone="555-0142",
    )
    alerts = list(Alert.objects.filter(client=client).order_by("raised_at"))
    if len(alerts) < 2:
        return
    for alert, action, note, review in (
        (
            alerts[0],
            "safety_plan",
            "Safety plan made together in session; agreed to call the clinic line or a crisis "
            "line if the thoughts get stronger.",
            SESSION_2_REVIEW,
        ),
        (
            alerts[-1],
            "reviewed",
            "Reviewed in session: passive thoughts, no plan or intent; safety plan gone through.",
            LAST_SESSION_REVIEW,
        ),
    ):
        alert.client = client
        alert_acknowledge(by=clinician, alert=alert, action=action, note=note)
        administration = Administration.objects.get(pk=alert.source_id)
        Alert.objects.filter(pk=alert.pk).update(
            acknowledged_at=alert.raised_at + timedelta(minutes=40)
        )
        ProgressNote.objects.filter(session=administration.session).update(risk_review=review)
    # Yesterday evening, between sessions, in the portal, as the client's own login.
    assert client.user is not None, "the demo's first client has the portal login"
    last_session = alerts[-1].raised_at
    raised_at = max(timezone.now() - timedelta(hours=20), last_session + timedelta(days=1))
    answers = _answers(rng, "phq9_", 9, 15, keep_last_zero=True)
    answers.update(phq9_9=2, phq9_difficulty=2)
    administration = actions.administration_start(
        by=clinician,
        client=client,
        instrument=phq9,
        mode=Mode.PORTAL,
        course=client.courses.first(),
        due_on=raised_at.date(),
    )
    actions.administration_submit(
        by=client.user, administration=administration, answers=answers, role="client"
    )
    Administration.objects.filter(pk=administration.pk).update(submitted_at=raised_at)
    alert = Alert.objects.get(source="administration", source_id=str(administration.pk))
    Alert.objects.filter(pk=alert.pk).update(raised_at=raised_at)
    alerts_escalate(now=raised_at + timedelta(minutes=65))
    alert.refresh_from_db()
    for minutes, outcome, note in (
        (25, ContactOutcome.NOT_REACHED, "Rang the client's mobile; no answer."),
        (50, ContactOutcome.LEFT_MESSAGE, "Voicemail: asked them to call the clinic line today."),
        (
            90,
            ContactOutcome.SPOKE_EMERGENCY_CONTACT,
            "Spoke with Ana, the client's sister and emergency contact, who will call round this "
            "evening and ring us back.",
        ),
    ):
        made_at = raised_at + timedelta(minutes=minutes)
        attempt = contact_attempt_add(
            by=clinician,
            alert=alert,
            made_at=made_at,
            outcome=outcome,
            note=note,
            role="clinician",
        )
        type(attempt).objects.filter(pk=attempt.pk).update(recorded_at=made_at)


# The perinatal course (docs/perinatal.md): the EPDS every session; in session 2 item 10 was
# "hardly ever", which raised a moderate alert the clinician reviewed and closed in session.
EPDS_ITEM_10_REVIEW = (
    "EPDS item 10: hardly ever. Fleeting thoughts of harming themself at night when exhausted; "
    "no thoughts of harming the baby, no plan, no intent, no past attempts. Crisis numbers "
    "given; the partner will take one night feed so that they can sleep."
)


def _perinatal_session(
    rng: Random,
    client: Client,
    course: Course,
    session: Session,
    clinician: User,
    number: int,
    total: int,
) -> None:
    from gentle.courses.models import ProgressNote

    epds = catalogue()["epds"]
    scored = _answers(rng, "epds_", 10, min(29, total), keep_last_zero=True)
    # The published scoring reverses items 3 and 5-10: each answer carries its scored value.
    answers: dict[str, object] = dict(scored)
    if number == 2:
        answers["epds_10"] = 1  # "hardly ever"
    _submit(epds, client, course, session, clinician, answers)
    alert = Alert.objects.filter(client=client, rule_id="epds_item10_hardly_ever").first()
    if number == 2 and alert is not None:
        alert_acknowledge(
            by=clinician,
            alert=alert,
            action="reviewed",
            note="Reviewed in session: fleeting thoughts when exhausted, no plan or intent.",
        )
        Alert.objects.filter(pk=alert.pk).update(
            acknowledged_at=alert.raised_at + timedelta(minutes=40)
        )
        ProgressNote.objects.filter(session=session).update(risk_review=EPDS_ITEM_10_REVIEW)


# The IPT-A course (docs/adolescents.md, data/schedule.json): the PHQ-A every session the young
# person is in, the GAD-7 every 4; none at the session with the mother alone. PHQ-A totals fall
# from 16 to 8; in session 1 item 9 was "on some days", which raised a moderate alert the
# clinician reviewed with the young person (and then with the mother) and closed in session.
ADOLESCENT_PHQA = {1: 16, 2: 15, 4: 13, 5: 11, 6: 10, 7: 8}
ADOLESCENT_GAD7 = {1: 11, 4: 8}
PHQA_ITEM_9_REVIEW = (
    "PHQ-A item 9: on some days. Thoughts that it would be easier not to wake up, on bad "
    "evenings; no serious thoughts of ending their life in the past month, no attempt ever, no "
    "plan or intent. Safety plan made together and shared with the mother, as agreed; crisis "
    "numbers given."
)


def _adolescent(client: Client) -> None:
    from gentle.courses.models import ProgressNote

    course = client.courses.get()
    clinician = client.care_team.get(role="clinician").user
    phqa, gad7 = catalogue()["phqa"], catalogue()["gad7"]
    rng = Random(15)  # its own: the other clients' stories keep the shared generator's draws
    attended = course.sessions.filter(attendance="attended").order_by("starts_at")
    for number, session in enumerate(attended, start=1):
        if number in ADOLESCENT_PHQA:
            answers = _answers(rng, "phqa_", 9, ADOLESCENT_PHQA[number], keep_last_zero=True)
            answers.update(phqa_month=0, phqa_ever=0, phqa_year=1 if number == 1 else None)
            if number == 1:
                answers["phqa_9"] = 1  # "on some days"
            answers = {k: v for k, v in answers.items() if v is not None}
            _submit(phqa, client, course, session, clinician, answers)
        if number in ADOLESCENT_GAD7:
            answers = _answers(rng, "gad7_", 7, ADOLESCENT_GAD7[number])
            _submit(gad7, client, course, session, clinician, answers)
    alert = Alert.objects.filter(client=client, rule_id="phqa_item9_some").first()
    if alert is not None:
        alert_acknowledge(
            by=clinician,
            alert=alert,
            action="reviewed",
            note="Reviewed in session: passive thoughts on bad evenings, no plan or intent.",
        )
        Alert.objects.filter(pk=alert.pk).update(
            acknowledged_at=alert.raised_at + timedelta(minutes=30)
        )
        session_id = _alert_session(alert)
        if session_id is not None:
            ProgressNote.objects.filter(session_id=session_id).update(
                risk_review=PHQA_ITEM_9_REVIEW
            )


def _alert_session(alert: Alert) -> int | None:
    return (
        Administration.objects.filter(pk=alert.source_id)
        .values_list("session_id", flat=True)
        .first()
    )


def _submit(
    instrument: Instrument,
    client: Client,
    course: Course,
    session: Session,
    clinician: User,
    answers: dict[str, object],
) -> None:
    administration = actions.administration_start(
        by=clinician,
        client=client,
        instrument=instrument,
        mode=Mode.IN_SESSION,
        course=course,
        session=session,
    )
    actions.administration_submit(
        by=clinician, administration=administration, answers=answers, role="clinician"
    )
    Administration.objects.filter(pk=administration.pk).update(
        submitted_at=session.starts_at + timedelta(minutes=5)
    )
    Alert.objects.filter(source="administration", source_id=str(administration.pk)).update(
        raised_at=session.starts_at + timedelta(minutes=5)
    )


def seed_results(rng: Random, context: dict[str, Any]) -> None:
    """Store the outcome of every finished demo course (ADR 0058): the clinic report reads
    them. Last of the steps, after the groups' finished courses."""
    from gentle.accounts.models import Clinic

    clinic = Clinic.objects.get(slug=DEMO_CLINIC_SLUG)
    actions.results_fill_missing(clinic=clinic)
    # Most were stored as their course finished; the count is of all of them.
    context.setdefault("counts", {})["course_results"] = CourseResult.objects.filter(
        clinic=clinic
    ).count()


def remove(clinic_slug: str) -> None:
    CourseResult.objects.filter(clinic__slug=clinic_slug).delete()
    FixedThresholds.objects.filter(course__client__clinic__slug=clinic_slug).delete()
    Alert.objects.filter(client__clinic__slug=clinic_slug).delete()
    Administration.objects.filter(client__clinic__slug=clinic_slug, corrects__isnull=False).delete()
    Administration.objects.filter(client__clinic__slug=clinic_slug).delete()
