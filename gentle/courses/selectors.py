"""Reads about courses: derived session numbers and phases, the caseload, the calendar."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from gentle.accounts.models import Supervision
from gentle.clients.access import access_path
from gentle.clients.models import Client
from gentle.courses import protocol, strategies
from gentle.courses.models import (
    NUMBERED,
    Attendance,
    Course,
    CourseStatus,
    NoteSettings,
    NoteStatus,
    ProgressNote,
    RelapsePlan,
    RolePlayKind,
    Session,
    SupervisionComment,
)
from gentle.lib import course_focus
from gentle.lib.prepared import ID_LIST, PreparedQuery, id_lists, listed_ids
from gentle.lib.search import search

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


def _upcoming(
    limit: int, *, user_id: int, clinic_id: int, since: datetime, until: datetime
) -> QuerySet[Session]:
    return (
        Session.objects.filter(
            clinician_id=user_id,
            course__client__clinic_id=clinic_id,
            attendance=Attendance.SCHEDULED,
            starts_at__gte=since,
            starts_at__lt=until,
        )
        .select_related("course__client")
        .annotate(before=numbered_before(""))
        .order_by("starts_at", "pk")[:limit]
    )


# Built and compiled once per process and number shown (the caseload's first list: 4 ms of
# the page in the ORM, most of it compiling the SQL; issue 20).
UPCOMING = PreparedQuery(_upcoming, values=("user_id", "clinic_id"), times=("since", "until"))


def upcoming_sessions(user, clinic, *, days: int = 14, limit: int = 30) -> list[Session]:
    """The clinician's coming sessions in this clinic (a person may work in several), in time
    order (sessions at the same time in the order they were booked)."""
    now = timezone.now()
    sessions: list[Session] = UPCOMING.objects(
        limit,
        user_id=user.pk,
        clinic_id=clinic.pk,
        since=now - timedelta(hours=1),
        until=now + timedelta(days=days),
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


# The caseload's order: an index on clients gives it per clinic (client_clinic_name), and its
# last field is unique, so it pages by keyset (gentle.lib.keyset).
CASELOAD_ORDER = ("family_name", "given_name", "id")


def with_position(courses, now: datetime):
    """Annotate courses with where they stand now, in SQL so that a page can filter on it:
    ``started`` (numbered sessions begun), ``position`` (the session in progress or next to
    come: the started ones, plus one if another is scheduled; 0 before any) and
    ``position_phase`` (that session's phase, the last session's once past the contract; null
    at 0). One correlated count and one EXISTS per course, each on session_course_time."""
    numbered = Session.objects.filter(course=OuterRef("pk"), attendance__in=NUMBERED)
    started = Coalesce(
        Subquery(
            numbered.filter(starts_at__lt=now)
            .order_by()
            .values("course")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )
    coming = Exists(
        Session.objects.filter(
            course=OuterRef("pk"), attendance=Attendance.SCHEDULED, starts_at__gte=now
        )
    )
    return courses.annotate(
        started=started,
        position=F("started")
        + Case(When(coming, then=Value(1)), default=Value(0), output_field=IntegerField()),
    ).annotate(
        # min(position, contracted) compared with the phase bounds: since initial_last <
        # termination_first <= contracted_sessions, comparing position itself is the same.
        position_phase=Case(
            When(position=0, then=Value(None)),
            When(position__lte=F("initial_last"), then=Value("initial")),
            When(position__gte=F("termination_first"), then=Value("termination")),
            default=Value("middle"),
            output_field=CharField(),
        )
    )


def current_course_of(client: OuterRef) -> Coalesce:
    """The id of the current course of the client ``client`` refers to: its latest open
    course, else its latest (by start date, then as created); NULL for a client without one."""
    latest = Course.objects.filter(client=client).order_by("-start_date", "-pk")
    return Coalesce(
        Subquery(latest.filter(status__in=OPEN_STATUSES).values("pk")[:1]),
        Subquery(latest.values("pk")[:1]),
    )


def caseload_clients(
    clients_qs,
    *,
    query: str = "",
    phase: str = "",
    course_format: str = "",
    status: str = "",
    now: datetime | None = None,
):
    """The visible clients the caseload lists, annotated with their current course (the latest
    open one, else the latest) and filtered in SQL, so the page can be read a page at a time in
    ``CASELOAD_ORDER``. A search finds each word typed in the given, family or preferred name,
    whatever the case and accents (``gentle.lib.search``, ADR 0031)."""
    now = now or timezone.now()
    clients_qs = search(clients_qs, query)
    clients_qs = clients_qs.annotate(current_course=current_course_of(OuterRef("pk")))
    course_filter: dict[str, str] = {}
    if course_format:
        course_filter["format"] = course_format
    if status:
        course_filter["status"] = status
    if course_filter:
        current = Course.objects.filter(pk=OuterRef("current_course"), **course_filter)
        clients_qs = clients_qs.filter(Exists(current))
    if phase:
        clients_qs = clients_qs.filter(pk__in=_clients_in_phase(clients_qs, phase, now))
    return clients_qs


def _clients_in_phase(clients_qs, phase: str, now: datetime) -> list[int]:
    """The clients of ``clients_qs`` whose current course is in ``phase`` now: two queries
    over the listed clients' own courses and sessions.

    Asked of the database as one condition of the page's query, PostgreSQL worked out the
    phase of every client of the clinic before it looked at whose caseload they were on: 1 s
    at 10,000 clients (issue 20). Numbered as ``with_position`` numbers them."""
    current = {
        course_id: client_id
        for client_id, course_id in clients_qs.values_list("pk", "current_course")
        if course_id
    }
    courses = Course.objects.filter(pk__in=list(current)).annotate(
        begun=Count(
            "sessions",
            filter=Q(sessions__attendance__in=NUMBERED, sessions__starts_at__lt=now),
        ),
        coming=Count(
            "sessions",
            filter=Q(sessions__attendance=Attendance.SCHEDULED, sessions__starts_at__gte=now),
        ),
    )
    found = []
    for course in courses.only("pk", "initial_last", "termination_first"):
        position = course.begun + (1 if course.coming else 0)
        if position and course.phase_of(position) == phase:
            found.append(current[course.pk])
    return found


def _caseload_page(shape: str, *, now: datetime, **ids: int) -> QuerySet[Any]:
    """A caseload page's courses (``ID_LIST``) with where they stand now ("courses"), or
    their coming sessions in time order ("next")."""
    course_ids = listed_ids(ids)
    if shape == "courses":
        held = (
            Session.objects.filter(course=OuterRef("pk"), attendance=Attendance.ATTENDED)
            .order_by()
            .values("course")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return with_position(Course.objects.filter(pk__in=course_ids), now).annotate(
            held=Subquery(held, output_field=IntegerField())
        )
    return (
        Session.objects.filter(
            course_id__in=course_ids, attendance=Attendance.SCHEDULED, starts_at__gte=now
        )
        .order_by("course_id", "starts_at")
        .values_list("course_id", "starts_at")
    )


# Built and compiled once per process: in the ORM these two reads were a fifth of the
# caseload's time, most of it compiling the SQL (issue 20).
CASELOAD_PAGE = PreparedQuery(_caseload_page, values=ID_LIST, times=("now",))


def caseload_rows(clients, *, now: datetime | None = None) -> list[CaseloadRow]:
    """The rows of one page of ``caseload_clients``: two queries, whatever the page."""
    now = now or timezone.now()
    course_ids = [c.current_course for c in clients if c.current_course]
    courses: dict[int, Course] = {}
    next_sessions: dict[int, datetime] = {}
    for ids in id_lists(course_ids):
        courses.update((c.pk, c) for c in CASELOAD_PAGE.objects("courses", now=now, **ids))
        for course_id, starts_at in CASELOAD_PAGE.rows("next", now=now, **ids):
            next_sessions.setdefault(course_id, starts_at)
    rows = []
    for client in clients:
        course = courses.get(client.current_course)
        rows.append(
            CaseloadRow(
                client=client,
                course=course,
                held=(course.held or 0) if course else 0,
                next_session=next_sessions.get(course.pk) if course else None,
                number=(course.position or None) if course else None,
                phase=course.position_phase if course else None,
                via=access_path(client),
            )
        )
    return rows


def week_sessions(user, clinic, monday: date, *, days: int = 7) -> list[Session]:
    """The clinician's sessions in this clinic over ``days`` days from ``monday`` (one query,
    however many), each with ``before``: the numbered sessions of its course before it."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(monday, datetime.min.time(), zone)
    end = datetime.combine(monday + timedelta(days=days), datetime.min.time(), zone)
    return list(
        Session.objects.filter(
            course__client__clinic=clinic,
            clinician=user,
            starts_at__gte=start,
            starts_at__lt=end,
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


def bookable_courses(clients) -> list[Course]:
    """The open courses of these clients (the clients the clinician may write for), for the
    calendar's booking form."""
    return list(
        Course.objects.filter(client__in=clients, status__in=OPEN_STATUSES)
        .select_related("client")
        .order_by("client__given_name", "client__family_name", "-start_date", "pk")
    )


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
        # Held with a parent or carer alone (IPT-A): counted above, and said (ADR 0049).
        "parent_only": sum(
            1 for s in sessions if s.attendance == Attendance.ATTENDED and s.parent_only
        ),
        "missed": sum(1 for s in sessions if s.attendance == Attendance.NO_SHOW),
        "cancelled": sum(1 for s in sessions if s.attendance == Attendance.CANCELLED),
        "first_mood": points[0] if points else None,
        "last_mood": points[-1] if len(points) > 1 else None,
        "plan": RelapsePlan.objects.filter(course=course).first(),
    }


@dataclass
class GridSession:
    """One session of a course's session-by-session grid."""

    session: Session
    note: ProgressNote | None
    agenda_done: int  # items of its phase's agenda ticked (the middle phase's with the focus's)
    agenda_size: int
    techniques: list[str]  # by name, in the reader's language
    tools: list[tuple[str, int]]  # the kinds of tool linked to it, with how many of each


# The course grid's "Tools used" names role plays done in a session shortly.
ROLE_PLAY_SHORT = {
    RolePlayKind.CLINICIAN_AS_OTHER: gettext_lazy("Role play in session"),
    RolePlayKind.ROLE_REVERSAL: gettext_lazy("Role reversal"),
}


def grid_sessions(course: Course) -> list[GridSession]:
    """The course's sessions in time, numbered, for its session-by-session grid: three
    queries, whatever the number of sessions."""
    sessions = number_sessions(
        course,
        list(course.sessions.select_related("note").prefetch_related("tools", "role_plays")),
    )
    focus = course_focus.of(course)
    names = {item.id: item.text for item in protocol.techniques()}
    rows = []
    for session in sessions:
        agenda = protocol.agenda_of(course.format, session.agenda_format)
        items = {
            item.id
            for item in strategies.flat(strategies.groups(agenda.format, session.phase, focus))
        }
        note = session.note if hasattr(session, "note") else None
        kinds = Counter(tool.get_kind_display() for tool in session.tools.all())
        kinds.update(str(ROLE_PLAY_SHORT[RolePlayKind(p.kind)]) for p in session.role_plays.all())
        rows.append(
            GridSession(
                session=session,
                note=note,
                agenda_done=len(items & set(session.agenda_done or ())),
                agenda_size=len(items),
                techniques=[names.get(t, t) for t in (note.techniques if note else [])],
                tools=list(kinds.items()),
            )
        )
    return rows


@dataclass
class Drafts:
    count: int
    stale: int  # of them, how many belong to a session that began more than STALE_DRAFT ago


STALE_DRAFT = timedelta(hours=48)


def _drafts_of(shape: str, *, stale_before: datetime, **ids: int) -> QuerySet[Any]:
    return (
        ProgressNote.objects.filter(
            session__course__client_id__in=listed_ids(ids), status=NoteStatus.DRAFT
        )
        .order_by()
        .values("session__course__client_id")
        .annotate(n=Count("pk"), stale=Count("pk", filter=Q(session__starts_at__lt=stale_before)))
        .values_list("session__course__client_id", "n", "stale")
    )


# Built and compiled once per process (issue 20).
DRAFTS_OF = PreparedQuery(_drafts_of, values=ID_LIST, times=("stale_before",))


def draft_notes(client_ids: list[int], *, now: datetime | None = None) -> dict[int, Drafts]:
    """For each of these clients with unsigned progress notes: how many, and how many of them
    are still drafts 48 hours after their session began. One grouped query for a page of
    clients, over their own courses (course_client_start), their sessions
    (session_course_time) and each session's one note; never over the clinic."""
    stale_before = (now or timezone.now()) - STALE_DRAFT
    return {
        client_id: Drafts(n, stale)
        for ids in id_lists(client_ids)
        for client_id, n, stale in DRAFTS_OF.rows("page", stale_before=stale_before, **ids)
    }


def threads_waiting(user_id: int, clients: Q) -> QuerySet[SupervisionComment]:
    """Open supervision threads (ADR 0055) on the courses of these clients (``clients``: a
    condition on the comment's ``course__client``, from the access helpers) whose last word,
    the comment or its latest answer, is not this person's: the clinician's answer is awaited,
    or the supervisor's reading of it. One query."""
    last = (
        SupervisionComment.objects.filter(reply_to=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values("author_id")[:1]
    )
    return (
        SupervisionComment.objects.filter(clients, reply_to__isnull=True, resolved_at__isnull=True)
        .annotate(
            last_author=Coalesce(
                Subquery(last, output_field=IntegerField()),
                F("author_id"),
                output_field=IntegerField(),
            )
        )
        .exclude(last_author=user_id)
    )


def cosign_required(clinic_id: int | None) -> bool:
    """Whether the clinic asks a supervisor's co-signature on a supervisee's signed notes."""
    return NoteSettings.objects.filter(clinic_id=clinic_id, cosign_supervisees=True).exists()


def needs_cosign(note: ProgressNote | None, clinic_id: int) -> bool:
    """A signed note not yet co-signed, by a clinician supervised in the clinic, where the
    clinic asks for co-signatures (two queries at most)."""
    if note is None or not note.is_signed or note.cosigned_at is not None:
        return False
    return (
        cosign_required(clinic_id)
        and Supervision.objects.filter(clinic_id=clinic_id, clinician_id=note.author_id).exists()
    )


def notes_to_cosign(client_ids, clinic_id: int) -> QuerySet[ProgressNote]:
    """Signed notes of these clients (their ids as a subquery: ``clients.values("pk")``) by a
    clinician supervised in the clinic, not yet co-signed. Only where the clinic asks for
    co-signatures (``cosign_required``, which the caller asks first: the query is built once
    for every clinic, ``gentle.lib.prepared``)."""
    return ProgressNote.objects.filter(
        status=NoteStatus.SIGNED,
        cosigned_at__isnull=True,
        session__course__client__in=client_ids,
    ).filter(
        Exists(Supervision.objects.filter(clinic_id=clinic_id, clinician_id=OuterRef("author_id")))
    )
