"""Courses, sessions, remote-session checks, role plays done in sessions, signed progress
notes and plans for staying well, as sections of the
client's copy of their record (docs/record-export.md, gentle/lib/record_sections.py).

Process notes are not part of the record and are never read here."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy

from gentle.clients.models import Client
from gentle.courses import protocol
from gentle.courses.models import (
    Attendance,
    Course,
    CourseFormat,
    CourseKind,
    CourseStatus,
    NoteAddendum,
    NoteStatus,
    Participants,
    Privacy,
    ProblemArea,
    ProgressNote,
    RelapsePlan,
    RemoteCheck,
    RolePlay,
    RolePlayKind,
    Session,
    SessionMode,
)
from gentle.courses.selectors import PHASE_LABELS, number_sessions
from gentle.lib import course_focus
from gentle.lib.record_sections import (
    LazyLabels,
    Row,
    Section,
    display_name,
    fields,
    json_safe,
)

COURSE_FIELDS = (
    "id",
    "format",
    "kind",
    "status",
    "focus",
    "start_date",
    "ended_on",
    "end_reason",
    "contracted_sessions",
    "session_minutes",
    "initial_last",
    "termination_first",
    "goals",
)


def _courses(client: Client) -> list[Row]:
    """Courses of therapy, oldest first."""
    rows = Course.objects.filter(client=client).order_by("start_date", "pk")
    return [fields(c, COURSE_FIELDS) for c in rows]


def _numbered_sessions(client: Client) -> list[Session]:
    """All of the client's sessions in time order, each with its derived number and phase."""
    sessions = list(
        Session.objects.filter(course__client=client)
        .select_related("course", "clinician")
        .order_by("starts_at", "pk")
    )
    by_course: dict[int, list[Session]] = defaultdict(list)
    for session in sessions:
        by_course[session.course_id].append(session)
    for group in by_course.values():
        number_sessions(group[0].course, group)
    return sessions


def _sessions(client: Client) -> list[Row]:
    """Sessions with their number and phase (derived, as the clinic sees them)."""
    return [
        {
            **fields(s, ("id", "course_id", "starts_at", "minutes", "number", "phase")),
            **fields(s, ("mode", "attendance", "participants")),
            "clinician": display_name(s.clinician),
        }
        for s in _numbered_sessions(client)
    ]


def _remote_checks(client: Client) -> list[Row]:
    """Where the client was at the start of each video or phone session, and whom to call."""
    rows = (
        RemoteCheck.objects.filter(session__course__client=client)
        .select_related("session", "recorded_by")
        .order_by("session__starts_at", "pk")
    )
    names = ("session_id", "location", "privacy", "with_whom", "emergency_contact", "recorded_at")
    return [
        {
            **fields(c, names[:1]),
            "date": json_safe(c.session.starts_at),
            **fields(c, names[1:]),
            "recorded_by": display_name(c.recorded_by),
        }
        for c in rows
    ]


def _role_plays(client: Client) -> list[Row]:
    """Role plays and role reversals done in sessions with the clinician."""
    rows = (
        RolePlay.objects.filter(session__course__client=client)
        .select_related("session", "recorded_by")
        .order_by("session__starts_at", "recorded_at", "pk")
    )
    names = ("kind", "other_person", "inventory_person_id")
    names += ("practised", "how_it_felt", "next_step", "recorded_at")
    return [
        {
            "session_id": p.session_id,
            "date": json_safe(p.session.starts_at),
            **fields(p, names),
            "recorded_by": display_name(p.recorded_by),
        }
        for p in rows
    ]


NOTE_FIELDS = ("mood", "interval_events", "focus_work", "techniques", "risk_review", "plan", "text")


def _addendum(addendum: NoteAddendum) -> Row:
    return {
        "text": addendum.text,
        "created_at": json_safe(addendum.created_at),
        "author": display_name(addendum.author),
    }


def _progress_notes(client: Client) -> list[Row]:
    """Signed progress notes with their addenda. Drafts are not yet part of the record."""
    rows = (
        ProgressNote.objects.filter(session__course__client=client, status=NoteStatus.SIGNED)
        .select_related("session", "signed_by", "cosigned_by")
        .prefetch_related(
            Prefetch("addenda", queryset=NoteAddendum.objects.select_related("author"))
        )
        .order_by("session__starts_at", "pk")
    )
    return [
        {
            "session_id": n.session_id,
            "date": json_safe(n.session.starts_at),
            **fields(n, NOTE_FIELDS),
            "signed_at": json_safe(n.signed_at),
            "signed_by": display_name(n.signed_by),
            # A supervisor's co-signature (ADR 0055) is a fact about the note: in the copy too.
            "cosigned_at": json_safe(n.cosigned_at),
            "cosigned_by": display_name(n.cosigned_by),
            "addenda": [_addendum(a) for a in n.addenda.all()],
        }
        for n in rows
    ]


def _relapse_plans(client: Client) -> list[Row]:
    """Plans for staying well, one per course that has one."""
    rows = RelapsePlan.objects.filter(course__client=client).order_by("course__start_date", "pk")
    names = ("course_id", "warning_signs", "what_helped", "people", "what_to_do", "updated_at")
    return [fields(p, names) for p in rows]


def _template(key: str) -> str:
    return f"courses/record_copy/{key}.html"


COURSES = Section(
    key="courses",
    build=_courses,
    title=gettext_lazy("Courses of therapy"),
    template=_template("courses"),
    dates=frozenset({"start_date", "ended_on"}),
    labels={
        "": {
            "format": CourseFormat,
            "kind": CourseKind,
            "status": CourseStatus,
            # The client reads the focus by its plain name, not its IPT label (issue 23).
            "focus": LazyLabels(lambda: course_focus.plain_names(dict(ProblemArea.choices))),
        }
    },
)
SESSIONS = Section(
    key="sessions",
    build=_sessions,
    title=gettext_lazy("Sessions"),
    template=_template("sessions"),
    dates=frozenset({"starts_at"}),
    labels={
        "": {
            "mode": SessionMode,
            "attendance": Attendance,
            "participants": Participants,
            "phase": PHASE_LABELS,
        }
    },
)
REMOTE_CHECKS = Section(
    key="remote_checks",
    build=_remote_checks,
    title=gettext_lazy("Where you were for video and phone sessions"),
    template=_template("remote_checks"),
    dates=frozenset({"date", "recorded_at"}),
    labels={"": {"privacy": Privacy}},
)
ROLE_PLAYS = Section(
    key="role_plays",
    build=_role_plays,
    title=gettext_lazy("Role plays in sessions"),
    template=_template("role_plays"),
    dates=frozenset({"date", "recorded_at"}),
    labels={"": {"kind": RolePlayKind}},
)
PROGRESS_NOTES = Section(
    key="progress_notes",
    build=_progress_notes,
    title=gettext_lazy("Session notes"),
    template=_template("progress_notes"),
    anchor="notes",
    dates=frozenset({"date", "signed_at", "cosigned_at", "created_at"}),
    labels={"": {"techniques": LazyLabels(lambda: {t.id: t.text for t in protocol.techniques()})}},
)
RELAPSE_PLANS = Section(
    key="relapse_plans",
    build=_relapse_plans,
    title=gettext_lazy("Plans for staying well"),
    template=_template("relapse_plans"),
    anchor="plans",
    dates=frozenset({"updated_at"}),
)

SECTIONS = (COURSES, SESSIONS, REMOTE_CHECKS, ROLE_PLAYS, PROGRESS_NOTES, RELAPSE_PLANS)
