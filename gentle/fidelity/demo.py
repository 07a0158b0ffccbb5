"""The demo's session fidelity (ADR 0057): the demo clinicians rated most of their held
sessions themselves; the demo supervisor rated the sampled sessions of the clinicians they
supervise, all but the latest of each, which waits on their home with a session the demo
clinician marked as recorded for supervision. Each rater's answers are those of a clinician
keeping to the phase's tasks, the supervisor a little stricter than the self-ratings."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from gentle.accounts.models import Supervision, User
from gentle.clients.models import CareTeamMember, TeamRole
from gentle.courses.models import Attendance, Course, Session
from gentle.courses.selectors import number_sessions
from gentle.fidelity import actions, instrument
from gentle.fidelity.instrument import NOT_APPLICABLE
from gentle.fidelity.models import FidelityRating, RaterRole, RecordedSession, SampledSession


def _answers(
    rng: random.Random, form: instrument.Instrument, phase: str, *, strict: bool
) -> dict[str, Any]:
    adherence: dict[str, Any] = {}
    for item in form.items_for(phase):
        if item.id == "role_play" and rng.random() < 0.4:
            adherence[item.id] = NOT_APPLICABLE  # no role play this session
        else:
            adherence[item.id] = 2 if rng.random() < (0.6 if strict else 0.8) else 1
    quality = {item.id: rng.choice((3, 3, 4) if not strict else (2, 3, 3)) for item in form.quality}
    return {"adherence": adherence, "quality": quality}


def _rate(rng: random.Random, session: Session, rater: User, role: str, *, strict: bool) -> None:
    form = instrument.load()
    phase = session.phase if session.phase in instrument.PHASES else "middle"
    answers = _answers(rng, form, phase, strict=strict)
    scores = instrument.score(form, phase, answers)
    at = session.starts_at + timedelta(minutes=session.minutes + (60 if not strict else 60 * 30))
    FidelityRating.objects.create(
        session=session,
        rater=rater,
        role=role,
        instrument_version=form.version,
        phase=phase,
        answers=answers,
        adherence=scores.adherence,
        quality=scores.quality,
        created_at=at,
        updated_at=at,
    )


def seed(rng: random.Random, context: dict) -> None:
    clinic = context["clinic"]
    supervisor = context["users"]["supervisor"]
    now = timezone.now()
    supervisees = Supervision.objects.filter(clinic=clinic, supervisor=supervisor).values(
        "clinician_id"
    )
    # The clients the supervisor sees as one: on the care team as its supervisor, or with a
    # clinician they supervise on it (as gentle.clients.access does for a request).
    supervised = set(
        CareTeamMember.objects.filter(client__clinic=clinic)
        .filter(
            Q(user=supervisor, role=TeamRole.SUPERVISOR)
            | Q(user__in=supervisees, role=TeamRole.CLINICIAN)
        )
        .values_list("client_id", flat=True)
    )
    held: dict[int, Session] = {}
    courses = Course.objects.filter(client__clinic=clinic).prefetch_related("sessions")
    for course in courses.order_by("pk"):
        for session in number_sessions(course, list(course.sessions.all())):
            if session.attendance == Attendance.ATTENDED and session.starts_at <= now:
                held[session.pk] = session
    ratings = 0
    for session in sorted(held.values(), key=lambda s: (s.starts_at, s.pk)):
        # Most sessions self-rated; the last few days' not yet.
        if session.starts_at < now - timedelta(days=3) and rng.random() < 0.75:
            _rate(rng, session, session.clinician, RaterRole.SELF, strict=False)
            ratings += 1
    # The sample as the worker keeps it (hourly), stored now so that the home lists it at once.
    actions.sample_refresh(clinic=clinic, now=now)
    sampled = set(SampledSession.objects.filter(clinic=clinic).values_list("session_id", flat=True))
    to_rate = [
        session
        for session in sorted(held.values(), key=lambda s: (s.starts_at, s.pk))
        if session.pk in sampled
        and session.course.client_id in supervised
        and session.clinician_id != supervisor.pk
    ]
    latest = {session.clinician_id: session.pk for session in to_rate}
    for session in to_rate:
        if session.pk != latest[session.clinician_id]:  # the latest waits on their home
            _rate(rng, session, supervisor, RaterRole.SUPERVISOR, strict=True)
            ratings += 1
    # The demo clinician recorded their latest held session with the demo client that is not
    # in the sample, for supervision: it waits on the supervisor's home too.
    first = context["clients"][0].courses.order_by("pk").first()
    recorded = [
        s
        for s in held.values()
        if first is not None and s.course_id == first.pk and s.pk not in sampled
    ]
    if recorded:
        last = max(recorded, key=lambda s: (s.starts_at, s.pk))
        RecordedSession.objects.create(
            session=last, marked_by=last.clinician, marked_at=last.starts_at
        )
    context.setdefault("counts", {}).update(fidelity_ratings=ratings)


def remove(clinic_slug: str) -> None:
    FidelityRating.objects.filter(session__course__client__clinic__slug=clinic_slug).delete()
    RecordedSession.objects.filter(session__course__client__clinic__slug=clinic_slug).delete()
