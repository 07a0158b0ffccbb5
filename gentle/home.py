"""The home page's parts for each role, composed from the apps' selectors (issue 22).

The clinician's parts read only the clients on their own care team, through the one door
(``gentle.clients.access.visible_clients``); the administrator's read counts about the clinic
and nothing clinical. Every part costs a fixed number of queries, whatever the numbers of
clients, sessions, alerts and notes (tests/test_home.py counts them)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, TruncDate
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from gentle import watch
from gentle.accounts.context import ClinicContext
from gentle.accounts.decorators import AuthenticatedHttpRequest
from gentle.accounts.models import Clinic, Invitation, Membership, Role, Supervision, User
from gentle.audit import tasks as audit_tasks
from gentle.audit.names import Action
from gentle.clients.access import (
    care_team_of,
    on_care_team,
    record_list_read,
    supervised_by,
    under_supervision,
    visible_groups,
)
from gentle.clients.models import BreakGlassGrant, CareTeamMember, TeamRole, full_name
from gentle.courses import selectors as course_selectors
from gentle.courses.models import (
    NUMBERED,
    Attendance,
    Course,
    NoteStatus,
    ProgressNote,
    Session,
    SupervisionComment,
)
from gentle.fidelity import selectors as fidelity_selectors
from gentle.groups.models import Group, GroupStatus
from gentle.intake.models import IntakeRequest, RequestStatus
from gentle.lib.prepared import PreparedQuery
from gentle.lib.routes import url_of
from gentle.measures import selectors as measure_selectors
from gentle.measures.instruments import catalogue
from gentle.measures.models import Administration, Status
from gentle.models import CourseWatchRun
from gentle.nav import ALERTS, badge_counted
from gentle.portal.models import Task
from gentle.safety.models import Alert, Severity
from gentle.safety.selectors import SEVERITY_RANK, alerts_waiting_for, crisis_texts_missing
from gentle.timeline.models import DiaryEntry

PEOPLE = ("clinic_id", "user_id")  # the values of the prepared queries below
NAMES = ("id", "given_name", "family_name", "preferred_name")  # what a list of clients shows
SHOWN = 20  # rows a list shows; the count above it says how many there are in all
ALERTS_SHOWN = 10
STALE_DRAFT = timedelta(hours=48)  # a draft this long after its session is marked
# The worker anchors the audit chain hourly: no successful run for this long means it stopped.
ANCHOR_LATE = timedelta(hours=3)


def _today_bounds(now: datetime) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(timezone.localdate(now), datetime.min.time(), zone)
    return start, start + timedelta(days=1)


def _today_values(clinic: Clinic, user: User, now: datetime) -> dict[str, Any]:
    """The values the clinician's prepared lists are bound to: the clinic, the person, now and
    the bounds of today."""
    start, end = _today_bounds(now)
    return {"clinic_id": clinic.pk, "user_id": user.pk, "now": now, "start": start, "end": end}


def _instrument_name(instrument_id: str) -> str:
    """The questionnaire's short name ("PHQ-9"), without what it measures."""
    instrument = catalogue().get(instrument_id)
    return instrument.name.split(" (")[0] if instrument else instrument_id.upper()


def _today_of(clinic_id: int, user_id: int, start: datetime, end: datetime) -> QuerySet[Any]:
    """The sessions this clinician runs today (``start`` to ``end``) for the clients of their
    care team, but cancelled ones."""
    return Session.objects.filter(
        clinician_id=user_id,
        course__client__in=care_team_of(clinic_id, user_id).values("pk"),
        starts_at__gte=start,
        starts_at__lt=end,
    ).exclude(attendance=Attendance.CANCELLED)


def _today(
    shape: str, *, clinic_id: int, user_id: int, start: datetime, end: datetime
) -> QuerySet[Any]:
    today = _today_of(clinic_id, user_id, start, end)
    if shape == "given":  # the questionnaires answered at each of them
        return (
            Administration.objects.filter(session__in=today.values("pk"), status=Status.SUBMITTED)
            .order_by()
            .values_list("session_id", "instrument_id")
        )
    if shape == "waiting":  # their clients' questionnaires assigned and not answered yet
        return (
            Administration.objects.filter(client__in=today.values("course__client"))
            .exclude(status=Status.SUBMITTED)
            .order_by()
            .values("client_id")
            .annotate(n=Count("pk"))
            .values_list("client_id", "n")
        )
    return (
        today.select_related("course__client", "note")
        .annotate(before=course_selectors.numbered_before(""))
        .order_by("starts_at", "pk")[:SHOWN]
    )


# Today's sessions ("sessions"), the answers given at them ("given") and their clients'
# questionnaires waiting ("waiting"), each built and compiled once (``gentle.lib.prepared``):
# 2.2 of the sessions' 2.6 ms were building and compiling them (issue 20). The caller has
# checked that the person is a clinician.
TODAY = PreparedQuery(_today, values=PEOPLE, times=("start", "end"))


def today_sessions(
    clinic: Clinic, user: User, now: datetime, caseload: CaseloadMeasures
) -> list[Any]:
    """The person's sessions today with their clients, each with its number of N, phase and
    what is due: the questionnaires its schedule asks for at this session and not yet given
    (``due``), those overdue from earlier sessions of the course (``overdue``), questionnaires
    assigned and waiting (``waiting``), and whether the note is still to write or sign.

    The schedules and overdue counts of their courses come from ``measures_overdue``
    (``caseload``), which counts them with the caseload's current courses: read again here
    they cost a quarter of the page (issue 20)."""
    values = _today_values(clinic, user, now)
    del values["now"]  # today's lists are bound to the day, not the moment
    sessions: list[Any] = TODAY.objects("sessions", **values)
    rules, overdue = caseload.rules, caseload.counts
    # Asked whether there are sessions today or not: the page's queries stay the same in number.
    given = set(TODAY.rows("given", **values))
    waiting: dict[int, int] = dict(TODAY.rows("waiting", **values))
    session_url, measures_url = url_of("session_detail"), url_of("client_measures")
    for session in sessions:
        course = session.course
        session.url, session.measures_url = session_url(session.pk), measures_url(course.client_id)
        numbered = session.attendance in NUMBERED
        session.number = session.before + 1 if numbered else None
        session.phase = course.phase_of(session.number or max(session.before, 1))
        session.phase_label = course_selectors.PHASE_LABELS.get(session.phase, "")
        session.due = (
            [
                _instrument_name(instrument)
                for instrument, rule, n in rules.get(course.pk)
                or measure_selectors.default_schedule(course.format)
                if measure_selectors.is_due(rule, n, session.number, course.contracted_sessions)
                and (session.pk, instrument) not in given
            ]
            # A session with a parent or carer alone (IPT-A) has no client to answer.
            if session.number and not session.parent_only
            else []
        )
        session.overdue = overdue.get(course.pk, 0)
        session.waiting = waiting.get(course.client_id, 0)
        # Ended and still only scheduled: whether the client came is not recorded yet.
        session.unrecorded = session.ends_at <= now and not session.attendance_recorded
        note = getattr(session, "note", None)
        session.note_state = (
            "signed"
            if note is not None and note.is_signed
            else "draft"
            if note is not None
            else "none"
            if session.starts_at <= now and session.attendance != Attendance.NO_SHOW
            else ""
        )
    return sessions


@dataclass
class NotesToSign:
    drafts: list[Any]
    count: int
    stale: int  # drafts whose session was more than 48 hours ago


def _drafts(shape: object, *, clinic_id: int, user_id: int) -> QuerySet[Any]:
    return (
        ProgressNote.objects.filter(
            on_care_team("session__course__client", clinic_id, user_id),
            status=NoteStatus.DRAFT,
            session__clinician_id=user_id,
        )
        .order_by(*DRAFT_ORDER.by)
        .values_list("pk", "session__starts_at")
    )


# Every draft's id and time, built and compiled once. The caller has checked that the person is
# a clinician.
DRAFTS = PreparedQuery(_drafts, values=PEOPLE)


def notes_to_sign(clinic: Clinic, user: User, now: datetime) -> NotesToSign:
    """Draft progress notes of the sessions this person ran, oldest session first: their
    conditions worked out once, for every draft's id and time (a count and a page each did it,
    issue 20), then the shown read by id."""
    found = DRAFTS.rows(None, clinic_id=clinic.pk, user_id=user.pk)
    stale_before = now - STALE_DRAFT
    shown = _read(ProgressNote, [pk for pk, _at in found[:SHOWN]], DRAFT_ORDER)
    session_url = url_of("session_detail")
    for note in shown:
        note.stale = note.session.starts_at < stale_before
        note.url = session_url(note.session_id)
    return NotesToSign(
        drafts=shown,
        count=len(found),
        stale=sum(1 for _pk, at in found if at < stale_before),
    )


@dataclass
class Overdue:
    client_id: int
    name: str
    count: int
    url: str  # the client's measures


@dataclass(frozen=True)
class CourseTerms:
    """What counting a course's overdue measures needs of it (``count_overdue``)."""

    format: str
    contracted_sessions: int


@dataclass
class CaseloadMeasures:
    """The caseload's clients with measures overdue in their current course (``rows``, most
    overdue first), and for every current course and every course of today's sessions its
    schedule and overdue count, which today's sessions use."""

    rows: list[Overdue]
    rules: measure_selectors.Schedules
    counts: dict[int, int]


def _caseload_measures(
    shape: str, *, clinic_id: int, user_id: int, now: datetime, start: datetime, end: datetime
) -> QuerySet[Any]:
    team = care_team_of(clinic_id, user_id)
    # The courses of today's sessions (a session of an earlier course).
    today = _today_of(clinic_id, user_id, start, end).values("course")
    if shape == "current":
        # The courses of the care team's clients, by index from the care team, that are their
        # client's current course. Asked as the courses whose id is among the clients' current
        # ones, PostgreSQL read and hashed every course of the clinic: 5.1 → 1.9 ms at a
        # programme's size (issue 20).
        return (
            Course.objects.filter(on_care_team("client", clinic_id, user_id))
            .alias(current=course_selectors.current_course_of(OuterRef("client_id")))
            .filter(pk=F("current"))
            .order_by("pk")
            .values_list(
                "pk",
                "format",
                "contracted_sessions",
                "client_id",
                "client__given_name",
                "client__family_name",
            )
        )
    if shape == "today":
        terms = ("pk", "format", "contracted_sessions")
        return Course.objects.filter(pk__in=today).order_by("pk").values_list(*terms)
    # The schedules and sessions of every course of the care team's clients, by index from the
    # clients: the current courses and today's are among them, and the caller keeps only
    # theirs. Picking the current courses in SQL again cost SQLite a millisecond in each read
    # at a programme's size (issue 20); a client's earlier courses are few.
    courses = {"course__client__in": team}
    if shape == "rules":
        return measure_selectors.schedule_rows(courses)
    if shape == "held":
        return measure_selectors.held_counts(courses, now)
    if shape == "skipped":
        return measure_selectors.skipped_numbers(courses, now)
    # The answers of the same courses, but given as a list of them (a union with today's
    # courses, which are among them): a list is one node the planner cannot fold into a join
    # of answers, sessions, courses and care teams (``given_numbers``).
    team_courses = Course.objects.filter(client__in=team).order_by().values("pk")
    return measure_selectors.given_numbers(
        {"course__in": team_courses.union(today.order_by())}, now
    )


# What ``measures.selectors.overdue_counts`` reads, for the current courses of the clients on
# this person's care team and the courses of their sessions today (the shape: "current",
# "today"), and the schedules, held sessions, skipped numbers and given answers of all their
# clients' courses ("rules", "held", "skipped", "given"): each built and compiled once. Built
# in the ORM, they cost half of this list (issue 20). The caller has checked that the person is
# a clinician.
CASELOAD_MEASURES = PreparedQuery(_caseload_measures, values=PEOPLE, times=("now", "start", "end"))


def measures_overdue(clinic: Clinic, user: User, now: datetime) -> CaseloadMeasures:
    """Clients of the caseload whose current course has scheduled questionnaires not given at
    held sessions (``measures.selectors.overdue_counts``), most overdue first; and the counts
    of those courses and of today's sessions' courses."""
    values = _today_values(clinic, user, now)
    # Plain values, not instances: a caseload has 200 current courses (3 ms as instances with
    # their clients at a programme's size, issue 20).
    current = CASELOAD_MEASURES.rows("current", **values)
    terms = {
        pk: CourseTerms(format, contracted)
        for pk, format, contracted, *_ in [*current, *CASELOAD_MEASURES.rows("today", **values)]
    }
    rules = measure_selectors.by_course(
        row for row in CASELOAD_MEASURES.rows("rules", **values) if row[0] in terms
    )
    counts = measure_selectors.count_overdue(
        terms,
        rules,
        *(CASELOAD_MEASURES.rows(shape, **values) for shape in ("held", "skipped", "given")),
    )
    measures_url = url_of("client_measures")
    rows = [
        Overdue(client_id, full_name(given, family), counts[pk], measures_url(client_id))
        for pk, _format, _contracted, client_id, given, family in current
        if counts[pk]
    ]
    rows.sort(key=lambda row: (-row.count, row.name))
    return CaseloadMeasures(rows=rows, rules=rules, counts=counts)


def _portal_work(zone: str, *, clinic_id: int, user_id: int, now: datetime) -> QuerySet[Any]:
    last = (
        Session.objects.filter(
            course__client=OuterRef("pk"), attendance=Attendance.ATTENDED, starts_at__lte=now
        )
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )

    def count(query: QuerySet[Any]) -> Coalesce:
        return Coalesce(
            Subquery(
                query.order_by().values("client").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            0,
        )

    # A task finished after the session began; a diary entry for a day after the session's
    # (the diary keeps one entry a day, edited in place).
    tasks = Task.objects.filter(client=OuterRef("pk"), done_at__gt=OuterRef("last_session"))
    days = DiaryEntry.objects.filter(client=OuterRef("pk"), day__gt=OuterRef("last_day"))
    return (
        care_team_of(clinic_id, user_id)
        .filter(user__isnull=False)
        .annotate(last_session=Subquery(last, output_field=DateTimeField()))
        .filter(last_session__isnull=False)
        .annotate(last_day=TruncDate("last_session"))
        .annotate(tasks_done=count(tasks), diary_entries=count(days))
        .filter(Q(tasks_done__gt=0) | Q(diary_entries__gt=0))
        .order_by("family_name", "given_name", "pk")
        .values_list(*NAMES, "last_session", "tasks_done", "diary_entries")[:SHOWN]
    )


# Built once per time zone (the day of the last session is the zone's).
PORTAL_WORK = PreparedQuery(_portal_work, values=PEOPLE, times=("now",))


def portal_work(clinic: Clinic, user: User, now: datetime) -> list[Any]:
    """Clients of this clinician's care team who finished portal tasks or wrote in the diary
    since their last held session (``tasks_done``, ``diary_entries``, ``last_session``), in
    one query, built once (``gentle.lib.prepared``)."""
    zone = timezone.get_current_timezone_name()
    found: list[Any] = PORTAL_WORK.instances(zone, clinic_id=clinic.pk, user_id=user.pk, now=now)
    tasks_url = url_of("client_tasks")
    for client in found:
        client.tasks_url = tasks_url(client.pk)
    return found


@dataclass
class AlertCount:
    severity: str
    label: str
    count: int


@dataclass
class Alerts:
    counts: list[AlertCount] = field(default_factory=list)  # worst first, only those open
    shown: list[Any] = field(default_factory=list)
    total: int = 0


def _waiting(roles: Collection[str], clinic_id: int, user_id: int) -> QuerySet[Any]:
    return alerts_waiting_for(clinic=Clinic(pk=clinic_id), user=User(pk=user_id), roles=roles)


def _open_alerts(roles: Collection[str], *, clinic_id: int, user_id: int) -> QuerySet[Any]:
    # Worst first in SQL: the oldest few sorted in Python left out a high alert raised after
    # them (a caseload with 30 older low alerts did not show its newest high one).
    rank = Case(
        *(When(severity=severity, then=Value(n)) for severity, n in SEVERITY_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        _waiting(roles, clinic_id, user_id)
        .annotate(rank=rank)
        .order_by("-rank", "raised_at", "pk")
        .values_list("pk", "severity")
    )


# Built once per combination of roles, as the navigation badge's count (the same rule). Every
# open alert's id and severity in one read, counted here: a count by severity and a read of the
# worst ten each looked through the clinic's open alerts (2,000 at a programme's size: 1.9 ms
# each on SQLite, issue 20).
OPEN_ALERTS = PreparedQuery(_open_alerts, values=("clinic_id", "user_id"))


def open_alerts(clinic: Clinic, user: User, roles: frozenset[str]) -> Alerts:
    """The open alerts waiting for this person (the navigation badge's rule,
    ``safety.selectors.alerts_waiting_for``), counted by severity, worst and oldest first."""
    found = OPEN_ALERTS.rows(roles, clinic_id=clinic.pk, user_id=user.pk)
    by_severity = Counter(severity for _pk, severity in found)
    labels = dict(Severity.choices)
    counts = [
        AlertCount(severity=s, label=str(labels[s]), count=by_severity[s])
        for s in sorted(by_severity, key=lambda s: -SEVERITY_RANK[s])
    ]
    ids = [pk for pk, _severity in found[:ALERTS_SHOWN]]
    found_rows = {alert.pk: alert for alert in _read(Alert, ids, ALERT_READ)}
    alert_url = url_of("alert_detail")
    for alert in found_rows.values():
        alert.url = alert_url(alert.pk)
    return Alerts(
        counts=counts, shown=[found_rows[pk] for pk in ids if pk in found_rows], total=len(found)
    )


def _assigned_requests(shape: object, *, clinic_id: int, user_id: int) -> QuerySet[Any]:
    return IntakeRequest.objects.filter(
        clinic_id=clinic_id, assigned_to_id=user_id, status=RequestStatus.ASSIGNED
    ).order_by("-risk_words", "created_at", "pk")[:SHOWN]


ASSIGNED_REQUESTS = PreparedQuery(_assigned_requests, values=PEOPLE)


def assigned_requests(clinic: Clinic, user: User) -> list[Any]:
    found: list[Any] = ASSIGNED_REQUESTS.objects(None, clinic_id=clinic.pk, user_id=user.pk)
    request_url = url_of("intake_detail")
    for intake in found:
        intake.url = request_url(intake.pk)
    return found


def _clinician_name() -> Subquery:
    """The name of the client's first care-team clinician, for a row about one of their
    courses (``clinician_name``)."""
    return Subquery(
        CareTeamMember.objects.filter(client=OuterRef("client_id"), role=TeamRole.CLINICIAN)
        .order_by("added_at", "pk")
        .annotate(
            name=Coalesce(
                NullIf("user__display_name", Value("")), "user__email", output_field=CharField()
            )
        )
        .values("name")[:1],
        output_field=CharField(),
    )


@dataclass
class Listed:
    """A list the home shows (at most SHOWN rows) and how many there are in all."""

    shown: list[Any] = field(default_factory=list)
    count: int = 0


@dataclass
class OffTrack(Listed):
    """Current courses behind their expected recovery, and how many could be checked at all:
    ``checked`` have at least two scores of the questionnaire their format is tracked on (the
    PHQ-9; IPT-A's PHQ-A; perinatal IPT's EPDS), ``unchecked`` do not yet (or began at 0)."""

    checked: int = 0
    unchecked: int = 0


@dataclass
class Supervised:
    clients: int
    clinicians: list[User]
    off_track: OffTrack = field(default_factory=OffTrack)
    no_focus: Listed = field(default_factory=Listed)
    stale_drafts: Listed = field(default_factory=Listed)
    comments: Listed = field(default_factory=Listed)
    to_cosign: Listed = field(default_factory=Listed)
    cosign_required: bool = False
    # Held sessions sampled or recorded for supervision, not yet rated by them (ADR 0057).
    to_rate: fidelity_selectors.ToRate = field(default_factory=fidelity_selectors.ToRate)
    # When the flags of "not on track" and "no agreed focus" were worked out (ADR 0064).
    watched: Watched = field(default_factory=lambda: Watched())


def _listed(model: type[Model], ids: list[int], order: Ordering) -> Listed:
    """How many rows a list has (``ids``, all of them, from one query working out its
    conditions: a count and a page each did it over every supervised course, issue 20), and the
    first SHOWN read by id alone with what they show (repeating the conditions there cost as
    much again)."""
    return Listed(shown=_read(model, ids[:SHOWN], order), count=len(ids))


IDS = tuple(f"id{i}" for i in range(SHOWN))  # the values of BY_IDS


def _by_ids(shape: tuple[type[Model], Ordering, int], **ids: int) -> QuerySet[Any]:
    model, order, count = shape
    rows = model._default_manager.filter(pk__in=[ids[name] for name in IDS[:count]])
    if order.clinician_name:
        rows = rows.annotate(clinician_name=_clinician_name())
    if order.only:
        rows = rows.only(*order.only)
    return rows.select_related(*order.related).order_by(*order.by)


# A list's shown rows read by their ids, built and compiled once per model, order and number of
# rows (up to SHOWN): each read built and compiled in the ORM cost about 0.7 ms (issue 20).
BY_IDS = PreparedQuery(_by_ids, values=IDS)


def _read(model: type[Model], ids: list[int], order: Ordering) -> list[Any]:
    """The rows of these ids (at most SHOWN) in ``order``, with its related rows."""
    if not ids:
        return []
    if len(ids) > SHOWN:
        raise ValueError(f"at most {SHOWN} rows are read by id")
    values = dict.fromkeys(IDS, 0) | dict(zip(IDS, ids, strict=False))
    return BY_IDS.objects((model, order, len(ids)), **values)


def _ids(rows: list[tuple]) -> list[int]:
    return [row[0] for row in rows]


@dataclass
class Watched:
    """When the worker last worked out the courses' flags (``gentle.watch``), and whether that
    is too long ago (is the worker running?)."""

    at: datetime | None = None
    late: bool = False


def watched(clinic: Clinic, now: datetime) -> Watched:
    at = CourseWatchRun.objects.filter(clinic=clinic).values_list("finished_at", flat=True).first()
    return Watched(at=at, late=at is None or now - at > watch.LATE)


BY_NAME = ("client__family_name", "client__given_name", "pk")


@dataclass(frozen=True)
class Ordering:
    """A list's order, and the related rows its shown entries are read with."""

    by: tuple[str, ...]
    related: tuple[str, ...]
    clinician_name: bool = False  # with the name of the client's first clinician
    only: tuple[str, ...] = ()  # the fields read, if not all (a note's texts are long)


# The worst alerts, read by id and put back in OPEN_ALERTS' order.
ALERT_READ = Ordering(("pk",), ("client",), clinician_name=True)


STALE_ORDER = Ordering(
    ("session__starts_at", "pk"), ("session__course__client", "session__clinician")
)
DRAFT_ORDER = Ordering(
    ("session__starts_at", "pk"),
    ("session__course__client",),
    only=(
        "session__starts_at",
        "session__course__client__given_name",
        "session__course__client__family_name",
    ),
)
COMMENT_ORDER = Ordering(("created_at", "pk"), ("course__client", "author"))
COSIGN_ORDER = Ordering(("signed_at", "pk"), ("session__course__client", "author"))


# The lists below are built and compiled once (``gentle.lib.prepared``) and bound to each
# request's clinic, person and moments: building and compiling them in the ORM, each nesting
# the supervised clients' conditions, took a third of the supervisor's home at a programme's
# size, more than running them (issue 20). The caller has checked the person's role.
def _clients_of(shape: str, path: str, clinic_id: int, user_id: int) -> Q:
    """The condition that the client at ``path`` is one this person sees as a clinician
    (``shape`` "care team": a list of their clients, about 200 at a programme's size) or as a
    supervisor ("supervised": tested client by client, ``under_supervision``; listing 2,000
    supervised clients cost SQLite 3 ms before any row was read, for a list of a few open
    threads; issue 20)."""
    if shape == "supervised":
        return under_supervision(path, clinic_id, user_id)
    return Q(**{f"{path}__in": care_team_of(clinic_id, user_id).values("pk")})


def _supervised_count(shape: object, *, clinic_id: int, user_id: int) -> QuerySet[Any]:
    return (
        supervised_by(clinic_id, user_id)
        .order_by()
        .values("clinic_id")
        .annotate(n=Count("pk"))
        .values_list("n")
    )


def _course_flags(shape: object, *, clinic_id: int, user_id: int) -> QuerySet[Any]:
    clients = supervised_by(clinic_id, user_id).values("pk")
    return (
        Course.objects.filter(client__in=clients, status__in=watch.CURRENT)
        .order_by(*BY_NAME)
        .values_list("pk", "watch__checked", "watch__behind", "watch__no_focus")
    )


def _stale_drafts(
    shape: object, *, clinic_id: int, user_id: int, before: datetime
) -> QuerySet[Any]:
    return (
        ProgressNote.objects.filter(
            under_supervision("session__course__client", clinic_id, user_id),
            status=NoteStatus.DRAFT,
            session__starts_at__lt=before,
        )
        .order_by(*STALE_ORDER.by)
        .values_list("pk")
    )


def _comments(shape: str, *, clinic_id: int, user_id: int) -> QuerySet[Any]:
    return (
        course_selectors.threads_waiting(
            user_id, _clients_of(shape, "course__client", clinic_id, user_id)
        )
        .order_by(*COMMENT_ORDER.by)
        .values_list("pk")
    )


def _to_cosign(shape: object, *, clinic_id: int, user_id: int) -> QuerySet[Any]:
    clients = supervised_by(clinic_id, user_id).values("pk")
    return (
        course_selectors.notes_to_cosign(clients, clinic_id)
        .order_by(*COSIGN_ORDER.by)
        .values_list("pk")
    )


def _to_rate(
    shape: object, *, clinic_id: int, user_id: int, since: datetime, now: datetime
) -> QuerySet[Any]:
    def supervised(path: str, *, clinic_kept: bool = False) -> Q:
        return under_supervision(path, clinic_id, user_id, clinic_kept=clinic_kept)

    return fidelity_selectors.to_rate_ids(user_id, supervised, clinic_id, since, now)


SUPERVISED_COUNT = PreparedQuery(_supervised_count, values=PEOPLE)
COURSE_FLAGS = PreparedQuery(_course_flags, values=PEOPLE)
STALE_DRAFTS = PreparedQuery(_stale_drafts, values=PEOPLE, times=("before",))
COMMENTS = PreparedQuery(_comments, values=PEOPLE)
TO_COSIGN = PreparedQuery(_to_cosign, values=PEOPLE)
TO_RATE = PreparedQuery(_to_rate, values=PEOPLE, times=("since", "now"))


def watched_lists(flags: list[tuple], now: datetime) -> tuple[OffTrack, Listed]:
    """The lists "Courses not on track" and "Past the initial phase without an agreed focus"
    from the stored flags (``CourseWatch``, worked out every 5 minutes by the worker over the
    clinic's current courses, ADR 0064) of the supervised courses, ``flags`` in name order
    (``COURSE_FLAGS``). A course too new to have been worked out counts as not checked yet.

    One read of the flags gives both counts and both lists' first ids; one more reads those
    rows (one deleted in between is left out). A count and a page of each list repeated the
    supervised courses' conditions three times: 48 ms of the supervisor's home on PostgreSQL at
    a programme's size (issue 20)."""
    behind_ids = [pk for pk, _checked, behind, _no_focus in flags if behind]
    no_focus_ids = [pk for pk, _checked, _behind, no_focus in flags if no_focus]
    checked = sum(1 for _pk, was_checked, _behind, _no_focus in flags if was_checked)
    wanted = behind_ids[:SHOWN] + no_focus_ids[:SHOWN]
    rows = (
        {
            course.pk: course
            for course in Course.objects.filter(pk__in=wanted)
            .annotate(clinician_name=_clinician_name(), held=watch.held_sessions(now))
            .select_related("client")
        }
        if wanted
        else {}
    )
    return (
        OffTrack(
            shown=[rows[pk] for pk in behind_ids[:SHOWN] if pk in rows],
            count=len(behind_ids),
            checked=checked,
            unchecked=len(flags) - checked,
        ),
        Listed(
            shown=[rows[pk] for pk in no_focus_ids[:SHOWN] if pk in rows], count=len(no_focus_ids)
        ),
    )


def comments_waiting(clients: str, clinic: Clinic, user: User) -> Listed:
    """Open supervision threads on the courses of the clients this person sees as a clinician
    (``clients`` "care team") or as a supervisor ("supervised") whose last word is someone
    else's: waiting for this person's answer (``courses.selectors.threads_waiting``)."""
    ids = _ids(COMMENTS.rows(clients, clinic_id=clinic.pk, user_id=user.pk))
    return _listed(SupervisionComment, ids, COMMENT_ORDER)


def supervised(request: AuthenticatedHttpRequest, clinic: Clinic, now: datetime) -> Supervised:
    """What a supervisor's home shows: the clients they see as a supervisor, the clinicians
    they supervise, and what in those clients' courses needs a look: drafts still unsigned 48
    hours after their session, comments waiting, notes to co-sign, sessions to rate. A fixed
    number of queries whatever the numbers of supervisees, clients and courses
    (tests/test_supervision.py)."""
    people = {"clinic_id": clinic.pk, "user_id": request.user.pk}
    clinicians = [
        s.clinician
        for s in Supervision.objects.filter(clinic=clinic, supervisor=request.user)
        .select_related("clinician")
        .order_by("clinician__display_name", "clinician__email")
    ]
    behind, no_focus = watched_lists(COURSE_FLAGS.rows(None, **people), now)
    cosign = course_selectors.cosign_required(clinic.pk)
    since = now - timedelta(weeks=fidelity_selectors.RATE_WEEKS)
    return Supervised(
        clients=sum(_ids(SUPERVISED_COUNT.rows(None, **people))),
        clinicians=clinicians,
        off_track=behind,
        no_focus=no_focus,
        watched=watched(clinic, now),
        stale_drafts=_listed(
            ProgressNote,
            _ids(STALE_DRAFTS.rows(None, **people, before=now - STALE_DRAFT)),
            STALE_ORDER,
        ),
        comments=comments_waiting("supervised", clinic, request.user),
        to_cosign=_listed(ProgressNote, _ids(TO_COSIGN.rows(None, **people)), COSIGN_ORDER)
        if cosign
        else Listed(),
        cosign_required=cosign,
        to_rate=fidelity_selectors.to_rate(
            _ids(TO_RATE.rows(None, **people, since=since, now=now))
        ),
    )


# --- the administrator's clinic at a glance: counts, nothing clinical -------------------------


@dataclass
class AuditCheck:
    """The last run of the worker's hourly audit-chain job (``audit.tasks.anchor_chain``): it
    checks the rows written since the previous anchor and anchors the chain's end. Its result is
    kept by the task backend (``DBTaskResult``) for 30 days."""

    ok: bool | None  # None: no run has finished yet
    at: datetime | None
    late: bool  # the last good run is older than ANCHOR_LATE: the worker may have stopped
    last_ok: datetime | None


def audit_check(now: datetime) -> AuditCheck:
    path = audit_tasks.anchor_chain.module_path
    runs = list(
        DBTaskResult.objects.finished()
        .filter(task_path=path)
        .order_by("-finished_at")
        .values_list("status", "finished_at")[:50]
    )
    if not runs:
        return AuditCheck(ok=None, at=None, late=False, last_ok=None)
    status, at = runs[0]
    succeeded = [finished for s, finished in runs if s == TaskResultStatus.SUCCESSFUL]
    last_ok = succeeded[0] if succeeded else None
    return AuditCheck(
        ok=status == TaskResultStatus.SUCCESSFUL,
        at=at,
        late=last_ok is None or now - last_ok > ANCHOR_LATE,
        last_ok=last_ok,
    )


ROLE_ORDER = (Role.ADMIN, Role.CLINICIAN, Role.SUPERVISOR, Role.FACILITATOR, Role.CLIENT)


def my_groups(request: AuthenticatedHttpRequest) -> list[Group]:
    """The planned and running groups this person runs (facilitator or co-facilitator), with
    their current members' number: names only on the group's page (one query)."""
    user = request.user
    return list(
        visible_groups(request, Group.objects.all())
        .filter(Q(facilitator=user) | Q(co_facilitator=user))
        .exclude(status=GroupStatus.FINISHED)
        .annotate(current=Count("members", filter=Q(members__left_on__isnull=True)))
        .order_by("starts_on", "name", "pk")
    )


@dataclass
class ClinicGlance:
    people: list[tuple[str, int]]  # (role label, active people holding it)
    invitations: int
    break_glass: int
    requests_new: int
    requests_risk: int
    audit: AuditCheck
    cosign_required: bool


def clinic_glance(clinic: Clinic, now: datetime) -> ClinicGlance:
    by_role = dict(
        Membership.objects.filter(clinic=clinic, user__is_active=True)
        .order_by()
        .values("role")
        .annotate(n=Count("user", distinct=True))
        .values_list("role", "n")
    )
    requests = IntakeRequest.objects.filter(
        clinic=clinic, status__in=(RequestStatus.NEW, RequestStatus.ASSIGNED)
    ).aggregate(
        new=Count("pk", filter=Q(status=RequestStatus.NEW)),
        risk=Count("pk", filter=Q(risk_words=True)),
    )
    return ClinicGlance(
        # Group facilitators only where the clinic has some (not every clinic runs groups).
        people=[
            (str(role.label), by_role.get(role, 0))
            for role in ROLE_ORDER
            if role != Role.FACILITATOR or by_role.get(role)
        ],
        invitations=Invitation.objects.filter(
            clinic=clinic, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).count(),
        break_glass=BreakGlassGrant.objects.filter(
            client__clinic=clinic, reviewed_at__isnull=True
        ).count(),
        requests_new=requests["new"],
        requests_risk=requests["risk"],
        audit=audit_check(now),
        cosign_required=course_selectors.cosign_required(clinic.pk),
    )


NOTE_STATES = {
    "none": _("note not written"),
    "draft": _("note not signed"),
    "signed": _("note signed"),
}


def home_parts(request: AuthenticatedHttpRequest, context: ClinicContext) -> dict[str, Any]:
    """The template's context for each role the person holds in the request's clinic."""
    clinic, user, now = context.clinic, request.user, timezone.now()
    if clinic is None:  # not linked to a clinic yet: the page says so
        return {}
    parts: dict[str, Any] = {
        "role_labels": [role.label for role in Role if role in context.roles],
        "is_client_too": Role.CLIENT in context.roles,
    }
    if context.has(Role.CLINICIAN):
        caseload = measures_overdue(clinic, user, now)
        overdue = caseload.rows
        sessions = today_sessions(clinic, user, now, caseload)
        notes = notes_to_sign(clinic, user, now)
        work = portal_work(clinic, user, now)
        parts.update(
            today=sessions,
            notes=notes,
            overdue=overdue,
            portal_work=work,
            requests=assigned_requests(clinic, user),
            note_states=NOTE_STATES,
            comments=comments_waiting("care team", clinic, user),
        )
        shown = {s.course.client_id for s in sessions}
        shown |= {n.session.course.client_id for n in notes.drafts}
        shown |= {row.client_id for row in overdue} | {c.pk for c in work}
        record_list_read(request, Action.HOME_VIEW, count=len(shown))
    if context.has(Role.CLINICIAN, Role.SUPERVISOR):
        parts["alerts"] = alerts = open_alerts(clinic, user, context.roles)
        # The same rule and roles as the navigation badge's count: it need not count again.
        badge_counted(request, ALERTS, alerts.total)
    if context.has(Role.SUPERVISOR):
        parts["supervised"] = sup = supervised(request, clinic, now)
        record_list_read(
            request,
            Action.HOME_SUPERVISION_VIEW,
            count=len(
                {c.client_id for c in sup.off_track.shown + sup.no_focus.shown}
                | {n.session.course.client_id for n in sup.stale_drafts.shown}
                | {c.course.client_id for c in sup.comments.shown}
                | {n.session.course.client_id for n in sup.to_cosign.shown}
            ),
        )
    if context.has(Role.FACILITATOR):
        parts["my_groups"] = my_groups(request)
    if context.has(Role.ADMIN):
        parts["glance"] = clinic_glance(clinic, now)
        parts["crisis_missing"] = [name for _code, name in crisis_texts_missing(clinic)]
    return parts


def staff_home(request: AuthenticatedHttpRequest, context: ClinicContext) -> HttpResponse:
    """The home page of a person holding a staff role in the request's clinic (a client and
    nothing else is sent to the portal before this: its words are the staff's)."""
    parts = {"roles": context.roles, "Role": Role, **home_parts(request, context)}
    return render(request, "gentle/home.html", parts)
