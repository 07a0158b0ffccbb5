"""Reads about courses: derived session numbers and phases, the caseload, the calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from gentle.clients.access import access_path
from gentle.clients.models import Client
from gentle.courses.models import (
    NUMBERED,
    Attendance,
    Course,
    CourseStatus,
    RelapsePlan,
    Session,
)

OPEN_STATUSES = (CourseStatus.PLANNED, CourseStatus.ACTIVE)


def number_sessions(course: Course, sessions: list[Session]) -> list[Session]:
    """Give each session its number and phase. Scheduled and attended sessions take a number in
    time order; cancelled and missed sessions keep none (they show between the others)."""
    count = 0
    for session in sorted(sessions, key=lambda s: (s.starts_at, s.pk)):
        if session.attendance in NUMBERED:
            count += 1
            session.number = count
            session.phase = course.phase_of(count)
        else:
            session.number = None
            session.phase = course.phase_of(max(count, 1))
    return sessions


def course_sessions(course: Course) -> list[Session]:
    return number_sessions(course, list(course.sessions.all()))


def numbered_before(session_ref) -> Subquery:
    """Subquery: how many numbered sessions of the same course start before this one."""
    return Coalesce(
        Subquery(
            Session.objects.filter(
                course=OuterRef(session_ref + "course"),
                attendance__in=NUMBERED,
                starts_at__lt=OuterRef(session_ref + "starts_at"),
            )
            .order_by()
            .values("course")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def upcoming_sessions(user, clinic, *, days: int = 14, limit: int = 30) -> list[Session]:
    """The clinician's coming sessions in this clinic (a person may work in several)."""
    now = timezone.now()
    sessions = list(
        Session.objects.filter(
            clinician=user,
            course__client__clinic=clinic,
            attendance=Attendance.SCHEDULED,
            starts_at__gte=now - timedelta(hours=1),
            starts_at__lt=now + timedelta(days=days),
        )
        .select_related("course__client")
        .annotate(before=numbered_before(""))
        .order_by("starts_at")[:limit]
    )
    for session in sessions:
        session.number = session.before + 1
        session.phase = session.course.phase_of(session.number)
    return sessions


@dataclass
class CaseloadRow:
    client: Client
    course: Course | None
    held: int
    next_session: datetime | None
    number: int | None
    phase: str | None
    via: str


def caseload(
    clients_qs, *, query: str = "", phase: str = "", course_format: str = "", status: str = ""
) -> list[CaseloadRow]:
    """One row per visible client with their current course (the latest open one, else the
    latest). Three queries, whatever the number of clients."""
    if query:
        clients_qs = clients_qs.filter(
            Q(given_name__icontains=query)
            | Q(family_name__icontains=query)
            | Q(preferred_name__icontains=query)
        )
    latest = Course.objects.filter(client=OuterRef("pk")).order_by("-start_date", "-pk")
    clients = list(
        clients_qs.annotate(
            open_course=Subquery(latest.filter(status__in=OPEN_STATUSES).values("pk")[:1]),
            any_course=Subquery(latest.values("pk")[:1]),
        ).order_by("family_name", "given_name")
    )
    course_ids = [c.open_course or c.any_course for c in clients if c.any_course]
    now = timezone.now()
    courses = {
        course.pk: course
        for course in Course.objects.filter(pk__in=course_ids).annotate(
            held=Count("sessions", filter=Q(sessions__attendance=Attendance.ATTENDED)),
            started=Count(
                "sessions",
                filter=Q(sessions__attendance__in=NUMBERED, sessions__starts_at__lt=now),
            ),
        )
    }
    next_sessions: dict[int, datetime] = {}
    for course_id, starts_at in (
        Session.objects.filter(
            course_id__in=course_ids, attendance=Attendance.SCHEDULED, starts_at__gte=now
        )
        .order_by("course_id", "starts_at")
        .values_list("course_id", "starts_at")
    ):
        next_sessions.setdefault(course_id, starts_at)
    rows = []
    for client in clients:
        course = courses.get(client.open_course or client.any_course)
        row = CaseloadRow(
            client=client,
            course=course,
            held=0,
            next_session=None,
            number=None,
            phase=None,
            via=access_path(client),
        )
        if course is not None:
            row.held = course.held
            row.next_session = next_sessions.get(course.pk)
            # The session in progress or next to come.
            number = course.started + (1 if row.next_session else 0)
            if number:
                row.number = number
                row.phase = course.phase_of(min(number, course.contracted_sessions))
        rows.append(row)
    if phase:
        rows = [r for r in rows if r.phase == phase]
    if course_format:
        rows = [r for r in rows if r.course and r.course.format == course_format]
    if status:
        rows = [r for r in rows if r.course and r.course.status == status]
    return rows


def week_sessions(user, clinic, monday: date) -> list[Session]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(monday, datetime.min.time(), zone)
    return list(
        Session.objects.filter(
            course__client__clinic=clinic,
            clinician=user,
            starts_at__gte=start,
            starts_at__lt=start + timedelta(days=7),
        )
        .exclude(attendance=Attendance.CANCELLED)
        .select_related("course__client")
        .annotate(before=numbered_before(""))
        .order_by("starts_at")
    )


def overlapping(user, starts_at: datetime, minutes: int, *, exclude_pk=None) -> list[Session]:
    """The clinician's other sessions that overlap this time (cancelled ones do not count)."""
    ends_at = starts_at + timedelta(minutes=minutes)
    candidates = (
        Session.objects.filter(
            clinician=user,
            starts_at__lt=ends_at,
            starts_at__gt=starts_at - timedelta(hours=4),
        )
        .exclude(attendance=Attendance.CANCELLED)
        .select_related("course__client")
    )
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    return [s for s in candidates if s.ends_at > starts_at]


def latest_relapse_plan(client):
    """The relapse-prevention plan of the client's latest course that has one (for the
    portal)."""
    from gentle.courses.models import RelapsePlan

    return (
        RelapsePlan.objects.filter(course__client=client)
        .select_related("course")
        .order_by("-course__start_date", "-course__pk")
        .first()
    )


PHASE_LABELS = {
    "initial": gettext_lazy("Initial phase"),
    "middle": gettext_lazy("Middle phase"),
    "termination": gettext_lazy("Termination phase"),
}


def mood_points(sessions) -> list[tuple[int, int]]:
    return [
        (s.number, s.note.mood)
        for s in sessions
        if s.number and hasattr(s, "note") and s.note.mood is not None
    ]


def summary_context(course) -> dict:
    """What the end-of-course summary shows from the course itself (the staff app adds the
    symptom scores and serves the page)."""
    sessions = number_sessions(course, list(course.sessions.select_related("note")))
    points = mood_points(sessions)
    return {
        "course": course,
        "client": course.client,
        "attended": sum(1 for s in sessions if s.attendance == Attendance.ATTENDED),
        "missed": sum(1 for s in sessions if s.attendance == Attendance.NO_SHOW),
        "cancelled": sum(1 for s in sessions if s.attendance == Attendance.CANCELLED),
        "first_mood": points[0] if points else None,
        "last_mood": points[-1] if len(points) > 1 else None,
        "plan": RelapsePlan.objects.filter(course=course).first(),
    }
