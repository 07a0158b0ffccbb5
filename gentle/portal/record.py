"""The client's copy of their record: everything that belongs to them, as plain JSON-safe data
(see docs/record-export.md), and a readable HTML page of it.

Process notes (the clinician's psychotherapy notes) are not part of the record and are never
read here. Every query is bounded by the one client, and their number does not grow with the
amount of data (related rows come by ``select_related`` / ``prefetch_related``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min, Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from gentle.accounts.models import Clinic, Role, User
from gentle.audit.models import AuditEvent
from gentle.clients.models import CareTeamMember, Client, Consent, ConsentKind, TeamRole
from gentle.communication.models import Exchange, StyleReflection, Worksheet
from gentle.communication.models import Kind as WorksheetKind
from gentle.courses.models import (
    Attendance,
    Course,
    CourseFormat,
    CourseKind,
    CourseStatus,
    NoteAddendum,
    NoteStatus,
    ProblemArea,
    ProgressNote,
    RelapsePlan,
    Session,
    SessionMode,
)
from gentle.courses.selectors import PHASE_LABELS, number_sessions
from gentle.formulation.models import DisputeStage, Formulation, Goal, GoalRating
from gentle.grief.models import BridgesPhase, Loss, Orientation, Transition
from gentle.inventory.models import Answer, Frequency, Person, Relationship, Snapshot
from gentle.measures.models import Administration
from gentle.measures.models import Mode as MeasureMode
from gentle.measures.models import Status as MeasureStatus
from gentle.portal.models import Task, TaskKind
from gentle.roleplay.models import Annotation, Manner, Rehearsal, Scenario
from gentle.roleplay.models import Status as RehearsalStatus
from gentle.safety.models import (
    Alert,
    AlertAction,
    ContactAttempt,
    ContactOutcome,
    SafetyPlanVersion,
    Severity,
)
from gentle.safety.selectors import plan_sections
from gentle.timeline.models import Category, DiaryEntry, Episode, Impact, LifeEvent

FORMAT_NAME = "gentle-record"
FORMAT_VERSION = 1

Progress = Callable[[int], None]
Row = dict[str, Any]


# Small helpers -------------------------------------------------------------------------------


def _safe(value: Any) -> Any:
    """A field value as JSON-safe data: dates and times as ISO 8601 strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _fields(obj: object, names: Iterable[str]) -> Row:
    """The named attributes of ``obj``, JSON-safe."""
    return {name: _safe(getattr(obj, name)) for name in names}


def _name(user) -> str:
    """A staff member's display name; never their email address."""
    return (user.display_name or "") if user is not None else ""


# Sections ------------------------------------------------------------------------------------


def _client(client: Client) -> Row:
    """The client's own details (not their login)."""
    return _fields(
        client,
        (
            "id",
            "given_name",
            "family_name",
            "preferred_name",
            "pronouns",
            "date_of_birth",
            "email",
            "phone",
            "emergency_contact_name",
            "emergency_contact_phone",
            "emergency_contact_relation",
            "language",
            "created_at",
        ),
    )


def _clinic(client: Client) -> Row:
    """The clinic that keeps the record."""
    name = Clinic.objects.filter(pk=client.clinic_id).values_list("name", flat=True).first()
    return {"name": name or ""}


def _consents(client: Client) -> list[Row]:
    """Consents given, and withdrawn if they were."""
    rows = Consent.objects.filter(client=client)
    return [_fields(c, ("kind", "given_on", "withdrawn_on")) for c in rows]


def _care_team(client: Client) -> list[Row]:
    """Who is in the care team, by name and role (no email addresses)."""
    rows = CareTeamMember.objects.filter(client=client).select_related("user").order_by("pk")
    return [{"name": _name(m.user), "role": m.role, "added_at": _safe(m.added_at)} for m in rows]


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
    return [_fields(c, COURSE_FIELDS) for c in rows]


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
            **_fields(s, ("id", "course_id", "starts_at", "minutes", "number", "phase")),
            **_fields(s, ("mode", "attendance")),
            "clinician": _name(s.clinician),
        }
        for s in _numbered_sessions(client)
    ]


NOTE_FIELDS = ("mood", "interval_events", "focus_work", "techniques", "risk_review", "plan", "text")


def _addendum(addendum: NoteAddendum) -> Row:
    return {
        "text": addendum.text,
        "created_at": _safe(addendum.created_at),
        "author": _name(addendum.author),
    }


def _progress_notes(client: Client) -> list[Row]:
    """Signed progress notes with their addenda. Drafts are not yet part of the record."""
    rows = (
        ProgressNote.objects.filter(session__course__client=client, status=NoteStatus.SIGNED)
        .select_related("session", "signed_by")
        .prefetch_related(
            Prefetch("addenda", queryset=NoteAddendum.objects.select_related("author"))
        )
        .order_by("session__starts_at", "pk")
    )
    return [
        {
            "session_id": n.session_id,
            "date": _safe(n.session.starts_at),
            **_fields(n, NOTE_FIELDS),
            "signed_at": _safe(n.signed_at),
            "signed_by": _name(n.signed_by),
            "addenda": [_addendum(a) for a in n.addenda.all()],
        }
        for n in rows
    ]


def _relapse_plans(client: Client) -> list[Row]:
    """Plans for staying well, one per course that has one."""
    rows = RelapsePlan.objects.filter(course__client=client).order_by("course__start_date", "pk")
    fields = ("course_id", "warning_signs", "what_helped", "people", "what_to_do", "updated_at")
    return [_fields(p, fields) for p in rows]


def _safety_plans(client: Client) -> list[Row]:
    """Every version of the safety plan, oldest first, with who saved it and when."""
    rows = SafetyPlanVersion.objects.filter(client=client).select_related("saved_by")
    return [
        {
            "number": v.number,
            "saved_at": _safe(v.saved_at),
            "saved_by": client.full_name if v.saved_as == "client" else _name(v.saved_by),
            "saved_as": v.saved_as,
            "sections": [{"id": key, "text": text} for key, text in v.sections.items()],
        }
        for v in sorted(rows, key=lambda v: v.number)
    ]


MEASURE_FIELDS = (
    "id",
    "instrument_id",
    "instrument_version",
    "course_id",
    "session_id",
    "mode",
    "submitted_at",
    "answers",
    "scores",
    "about",
    "corrects_id",
)


def _measures(client: Client) -> list[Row]:
    """Submitted questionnaires with their answers and scores (assigned ones are not results)."""
    rows = Administration.objects.filter(client=client, status=MeasureStatus.SUBMITTED).order_by(
        "submitted_at", "pk"
    )
    return [_fields(a, MEASURE_FIELDS) for a in rows]


ALERT_FIELDS = (
    "severity",
    "reason",
    "raised_at",
    "acknowledged_at",
    "action",
    "action_note",
    "escalated_at",
)


def _alerts(client: Client) -> list[Row]:
    """Safety alerts raised about the client, when they were acknowledged, and the attempts
    made to reach the client about each."""
    attempts = ContactAttempt.objects.select_related("made_by").order_by("made_at", "pk")
    rows = (
        Alert.objects.filter(client=client)
        .prefetch_related(Prefetch("contact_attempts", queryset=attempts))
        .order_by("raised_at", "pk")
    )
    return [
        {
            **_fields(a, ALERT_FIELDS),
            "contact_attempts": [
                {**_fields(t, ("made_at", "outcome", "note")), "made_by": _name(t.made_by)}
                for t in a.contact_attempts.all()
            ],
        }
        for a in rows
    ]


PERSON_FIELDS = (
    "id",
    "name",
    "relationship",
    "ring",
    "contact",
    "activities",
    "satisfying",
    "unsatisfying",
    "expectations",
    "expectations_met",
    "can_talk",
    "cannot_talk",
    "conflicts",
    "in_conflict",
    "knows_about_depression",
    "supportive",
    "confides",
    "change_since_onset",
    "change_wanted",
    "in_focus",
    "deceased",
    "lost_contact",
    "past",
    "notes",
    "accepted",
    "updated_at",
)


def _inventory(client: Client) -> list[Row]:
    """The people in the client's life (the interpersonal inventory)."""
    return [_fields(p, PERSON_FIELDS) for p in Person.objects.filter(client=client)]


def _snapshots(client: Client) -> list[Row]:
    """The inventory as it stood on dates the clinician saved."""
    rows = Snapshot.objects.filter(client=client)
    return [_fields(s, ("label", "taken_at", "people")) for s in rows]


def _life_event(event: LifeEvent) -> Row:
    return {
        "when": str(event.when),
        **_fields(event, ("precision", "category", "description", "impact", "planned")),
        "people": [p.name for p in event.people.all()],
        "people_text": event.people_text,
    }


def _episode(episode: Episode) -> Row:
    ends = episode.ends
    return {
        "when": str(episode.when),
        "ends": str(ends) if ends else None,
        "description": episode.description,
    }


def _in_time_order(client: Client, rows: Iterable) -> list:
    """Rows with approximate dates, earliest first (an age needs the date of birth to place;
    without it, such rows come last)."""
    born = client.date_of_birth
    return sorted(rows, key=lambda r: (r.when.start(born) or date.max, r.pk))


def _timeline(client: Client) -> Row:
    """Life events and symptom episodes, with their approximate dates."""
    events = LifeEvent.objects.filter(client=client).prefetch_related(
        Prefetch("people", queryset=Person.objects.filter(client=client))
    )
    episodes = Episode.objects.filter(client=client)
    return {
        "life_events": [_life_event(e) for e in _in_time_order(client, events)],
        "episodes": [_episode(e) for e in _in_time_order(client, episodes)],
    }


def _diary(client: Client) -> list[Row]:
    """The mood diary, oldest day first."""
    rows = (
        DiaryEntry.objects.filter(client=client)
        .prefetch_related(Prefetch("people", queryset=Person.objects.filter(client=client)))
        .order_by("day")
    )
    fields = ("day", "mood", "what_happened", "how_i_felt", "updated_at")
    return [{**_fields(d, fields), "people": [p.name for p in d.people.all()]} for d in rows]


FORMULATION_FIELDS = (
    "course_id",
    "primary_area",
    "dispute_stage",
    "secondary_area",
    "symptoms",
    "onset_events",
    "connection",
    "strengths",
    "plan",
    "text",
    "agreed_on",
    "updated_at",
)


def _formulations(client: Client) -> list[Row]:
    """The interpersonal formulation of each course that has one."""
    rows = Formulation.objects.filter(course__client=client).order_by("course__start_date", "pk")
    return [_fields(f, FORMULATION_FIELDS) for f in rows]


GOAL_FIELDS = ("id", "course_id", "area", "text", "minus2", "minus1", "zero", "plus1", "plus2")


def _rating(rating: GoalRating) -> Row:
    return {
        "session_id": rating.session_id,
        "date": _safe(rating.session.starts_at),
        "rating": rating.rating,
        "rated_at": _safe(rating.rated_at),
    }


def _goals(client: Client) -> list[Row]:
    """Goals (Goal Attainment Scaling) with their ratings session by session."""
    ratings = GoalRating.objects.select_related("session").order_by("session__starts_at", "pk")
    rows = (
        Goal.objects.filter(course__client=client)
        .prefetch_related(Prefetch("ratings", queryset=ratings))
        .order_by("created_at", "pk")
    )
    return [
        {**_fields(g, GOAL_FIELDS), "ratings": [_rating(r) for r in g.ratings.all()]} for g in rows
    ]


ACTIVITY_FIELDS = ("day", "orientation", "what")
CHECK_IN_FIELDS = ("day", "words", "note")


def _losses(client: Client) -> list[Row]:
    """Losses with the dual-process log and the 'where am I now' check-ins."""
    rows = Loss.objects.filter(client=client).prefetch_related("activities", "check_ins")
    return [
        {
            **_fields(loss, ("who", "died_on", "notes", "shared_with_client")),
            "activities": [_fields(a, ACTIVITY_FIELDS) for a in loss.activities.all()],
            "check_ins": [_fields(c, CHECK_IN_FIELDS) for c in loss.check_ins.all()],
        }
        for loss in rows
    ]


TRANSITION_FIELDS = (
    "title",
    "old_lost",
    "old_good",
    "old_hard",
    "new_demands",
    "new_opportunities",
    "new_skills",
    "new_supports",
    "phase",
    "shared_with_client",
    "updated_at",
)


def _transitions(client: Client) -> list[Row]:
    """Role-transition worksheets with their steps."""
    rows = Transition.objects.filter(client=client).prefetch_related("steps").order_by("pk")
    return [
        {
            **_fields(t, TRANSITION_FIELDS),
            "steps": [_fields(s, ("day", "phase", "note")) for s in t.steps.all()],
        }
        for t in rows
    ]


def _style_reflections(client: Client) -> list[Row]:
    """Reflections on the client's way of speaking with one person."""
    rows = StyleReflection.objects.filter(client=client).select_related("person")
    fields = ("day", "items", "counts", "style", "note", "version")
    return [{"person": r.person.name, **_fields(r, fields)} for r in rows]


EXCHANGE_FIELDS = (
    "day",
    "person_label",
    "area",
    "i_said",
    "they_said",
    "i_meant",
    "i_felt",
    "how_it_ended",
    "could_have_said",
    "might_have_landed",
    "shared_with_client",
    "updated_at",
)


def _exchanges(client: Client) -> list[Row]:
    """Communication analyses of charged exchanges."""
    rows = Exchange.objects.filter(client=client).order_by("day", "pk")
    return [_fields(e, EXCHANGE_FIELDS) for e in rows]


WORKSHEET_FIELDS = (
    "kind",
    "title",
    "person_label",
    "answers",
    "version",
    "completed_at",
    "shared_with_client",
    "updated_at",
)


def _worksheets(client: Client) -> list[Row]:
    """Step worksheets (DESC, NVC, DEAR MAN, repair, decision) with what was written."""
    rows = Worksheet.objects.filter(client=client).order_by("updated_at", "pk")
    return [_fields(w, WORKSHEET_FIELDS) for w in rows]


REHEARSAL_FIELDS = (
    "status",
    "language",
    "tension",
    "confidence_before",
    "confidence_after",
    "worked",
    "try_next",
    "started_at",
    "finished_at",
)
SCENARIO_FIELDS = (
    "title",
    "person_label",
    "relationship",
    "goal",
    "opening",
    "manner",
    "shared_with_client",
    "created_at",
)


def _rehearsal(rehearsal: Rehearsal) -> Row:
    return {
        **_fields(rehearsal, REHEARSAL_FIELDS),
        "turns": [_fields(t, ("number", "speaker", "text")) for t in rehearsal.turns.all()],
        "annotations": [
            {**_fields(a, ("turn_number", "text", "created_at")), "author": _name(a.author)}
            for a in rehearsal.annotations.all()
        ],
    }


def _scenarios(client: Client) -> list[Row]:
    """Role-play scenarios with their rehearsals, turn by turn, and the clinician's notes."""
    rehearsals = (
        Rehearsal.objects.filter(client=client)
        .order_by("started_at", "pk")
        .prefetch_related(
            "turns", Prefetch("annotations", queryset=Annotation.objects.select_related("author"))
        )
    )
    rows = (
        Scenario.objects.filter(client=client)
        .prefetch_related(Prefetch("rehearsals", queryset=rehearsals))
        .order_by("created_at", "pk")
    )
    return [
        {**_fields(s, SCENARIO_FIELDS), "rehearsals": [_rehearsal(r) for r in s.rehearsals.all()]}
        for s in rows
    ]


def _tasks(client: Client) -> list[Row]:
    """Tasks between sessions, done or not."""
    rows = Task.objects.filter(client=client).order_by("created_at", "pk")
    return [_fields(t, ("kind", "title", "due_on", "created_at", "done_at")) for t in rows]


def opened_summary(client: Client) -> list[Row]:
    """Who opened or changed the record, from the audit log: one row per label and role with
    how many times, first and last (most recent last time first). Never IP addresses; events
    about process notes are left out, as they are not part of the record."""
    rows = list(
        AuditEvent.objects.filter(client_id=client.pk, clinic_id=client.clinic_id)
        .exclude(object_type="process_note")
        .values("actor_id", "actor_label", "role")
        .annotate(times=Count("pk"), first=Min("at"), last=Max("at"))
        .order_by("-last", "actor_label", "role")
    )
    # People by their display name, never their sign-in email address.
    names = dict(
        User.objects.filter(pk__in={r["actor_id"] for r in rows if r["actor_id"]}).values_list(
            "pk", "display_name"
        )
    )
    return [
        {
            "who": names.get(r["actor_id"], "") if r["actor_id"] else gettext("Gentle (automatic)"),
            "role": r["role"],
            "times": r["times"],
            "first": _safe(r["first"]),
            "last": _safe(r["last"]),
        }
        for r in rows
    ]


SECTIONS: tuple[tuple[str, Callable[[Client], Any]], ...] = (
    ("client", _client),
    ("clinic", _clinic),
    ("consents", _consents),
    ("care_team", _care_team),
    ("courses", _courses),
    ("sessions", _sessions),
    ("progress_notes", _progress_notes),
    ("relapse_plans", _relapse_plans),
    ("safety_plans", _safety_plans),
    ("measures", _measures),
    ("alerts", _alerts),
    ("inventory", _inventory),
    ("snapshots", _snapshots),
    ("timeline", _timeline),
    ("diary", _diary),
    ("formulations", _formulations),
    ("goals", _goals),
    ("losses", _losses),
    ("transitions", _transitions),
    ("style_reflections", _style_reflections),
    ("exchanges", _exchanges),
    ("worksheets", _worksheets),
    ("scenarios", _scenarios),
    ("tasks", _tasks),
    ("access_summary", opened_summary),
)


def build_record(client: Client, *, progress: Progress | None = None) -> dict:
    """The client's whole record (without process notes) as JSON-safe data, section by section.
    ``progress(percent)`` is called after each section, with increasing values ending at 100."""
    record: dict[str, Any] = {
        "format": {"name": FORMAT_NAME, "version": FORMAT_VERSION},
        "generated_at": _safe(timezone.now()),
    }
    for done, (key, build) in enumerate(SECTIONS, start=1):
        record[key] = build(client)
        if progress is not None:
            progress(done * 100 // len(SECTIONS))
    return record


# The readable copy ---------------------------------------------------------------------------

DATE_KEYS = frozenset(
    {
        "generated_at",
        "date_of_birth",
        "made_at",
        "created_at",
        "added_at",
        "given_on",
        "withdrawn_on",
        "start_date",
        "ended_on",
        "starts_at",
        "date",
        "signed_at",
        "updated_at",
        "submitted_at",
        "raised_at",
        "acknowledged_at",
        "escalated_at",
        "taken_at",
        "day",
        "agreed_on",
        "rated_at",
        "died_on",
        "completed_at",
        "started_at",
        "finished_at",
        "due_on",
        "done_at",
        "first",
        "last",
    }
)
# Free-form mappings, shown as (key, value) pairs.
PAIR_KEYS = frozenset({"answers", "scores", "counts"})
# Codes shown by their (translated) label, by section path.
LABELS: dict[str, dict[str, Any]] = {
    "consents": {"kind": ConsentKind},
    "care_team": {"role": TeamRole},
    "courses": {
        "format": CourseFormat,
        "kind": CourseKind,
        "status": CourseStatus,
        "focus": ProblemArea,
    },
    "sessions": {"mode": SessionMode, "attendance": Attendance, "phase": PHASE_LABELS},
    "measures": {"mode": MeasureMode},
    "alerts": {"severity": Severity, "action": AlertAction},
    "alerts.contact_attempts": {"outcome": ContactOutcome},
    "inventory": {
        "relationship": Relationship,
        "contact": Frequency,
        "expectations_met": Answer,
        "knows_about_depression": Answer,
    },
    "snapshots.people": {"relationship": Relationship},
    "timeline.life_events": {"category": Category, "impact": Impact},
    "formulations": {
        "primary_area": ProblemArea,
        "secondary_area": ProblemArea,
        "dispute_stage": DisputeStage,
    },
    "goals": {"area": ProblemArea},
    "losses.activities": {"orientation": Orientation},
    "transitions": {"phase": BridgesPhase},
    "transitions.steps": {"phase": BridgesPhase},
    "exchanges": {"area": ProblemArea},
    "worksheets": {"kind": WorksheetKind},
    "scenarios": {"manner": Manner},
    "scenarios.rehearsals": {"status": RehearsalStatus},
    "tasks": {"kind": TaskKind},
    "access_summary": {"role": Role},
}


def _as_date(value: Any) -> Any:
    """An ISO date or date-time string as a date or aware datetime; anything else unchanged."""
    if not isinstance(value, str):
        return value
    try:
        return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except ValueError:
        return value


def _label(choices: Any, value: Any) -> Any:
    """The display label of a code (a TextChoices class or a plain mapping)."""
    mapping = dict(choices.choices) if hasattr(choices, "choices") else choices
    return mapping.get(value, value) if value else value


def _readable(value: Any, path: str = "") -> Any:
    """A copy of (part of) the record for the template: dates parsed, codes labelled, free-form
    mappings as pairs. ``path`` names the section (and sub-list) the value sits in."""
    if isinstance(value, list):
        return [_readable(item, path) for item in value]
    if not isinstance(value, dict):
        return value
    labels = LABELS.get(path, {})
    readable: dict[str, Any] = {}
    for key, item in value.items():
        if key in labels:
            readable[key] = _label(labels[key], item)
        elif key in DATE_KEYS:
            readable[key] = _as_date(item)
        elif key in PAIR_KEYS and isinstance(item, dict):
            readable[key] = list(item.items())
        else:
            readable[key] = _readable(item, f"{path}.{key}" if path else key)
    return readable


def render_html(record: dict) -> str:
    """The record as a standalone, printable HTML page, in the client's language."""
    language = (record.get("client") or {}).get("language") or settings.LANGUAGE_CODE
    with translation.override(language):
        labels = {section.id: section.label for section in plan_sections()}
        safety_plans = [
            {
                **version,
                "saved_at": _as_date(version["saved_at"]),
                "sections": [
                    {"label": labels.get(s["id"], s["id"]), "text": s["text"]}
                    for s in version["sections"]
                ],
            }
            for version in record.get("safety_plans", [])
        ]
        return render_to_string(
            "portal/record_copy.html",
            {"record": _readable(record), "safety_plans": safety_plans},
        )
