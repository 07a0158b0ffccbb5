"""The session page's own parts of the "before this session" panel (ADR 0039): last session's
plan with the sessions left, the early warning signs of the plan for staying well (where the
session's agenda has an item that works from it, as maintenance IPT's do), and the tools used in
the session."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gentle.courses import protocol
from gentle.courses.models import (
    Attendance,
    CourseFormat,
    Participants,
    ProgressNote,
    RelapsePlan,
    Session,
    SessionTool,
    SessionToolKind,
)
from gentle.lib import session_panel
from gentle.lib.session_panel import PanelPart, ToolRef

RECENT_TOOLS = 8  # of each kind, offered for linking


def _before(session: Session) -> Q:
    """Sessions of the course before ``session`` (in the page's own order: time, then id)."""
    return Q(starts_at__lt=session.starts_at) | Q(starts_at=session.starts_at, pk__lt=session.pk)


def plan(session: Session, previous: Session | None, client: Any) -> dict[str, Any] | None:
    """The plan written in the latest earlier session's note, and where the course stands: two
    queries."""
    course = session.course
    last_note = None
    if previous is not None:
        last_note = (
            ProgressNote.objects.filter(
                session__in=Session.objects.filter(course=course).filter(_before(session))
            )
            .exclude(plan="")
            .select_related("session")
            .order_by("-session__starts_at", "-session__pk")
            .first()
        )
    held_before = Session.objects.filter(course=course, attendance=Attendance.ATTENDED).filter(
        _before(session)
    )
    held = held_before.count()
    # IPT-A: a session with a parent or carer alone is held, but not by the client (ADR 0049).
    parent_only = (
        held_before.filter(participants=Participants.PARENT_ONLY).count()
        if course.format == CourseFormat.ADOLESCENT
        else 0
    )
    number = session.number
    return {
        "last_note": last_note,
        "held": held,
        "parent_only": parent_only,
        "left": max(course.contracted_sessions - held, 0),
        "contracted": course.contracted_sessions,
        "before_termination": course.termination_first - number
        if number and number < course.termination_first
        else None,
        "termination_first": course.termination_first,
        "middle_first": course.initial_last + 1,
        "in_termination": bool(number and number >= course.termination_first),
        "last": bool(number and number >= course.contracted_sessions),
    }


def early_warning(session: Session, previous: Session | None, client: Any) -> dict[str, Any] | None:
    """The course's plan for staying well beside an agenda that reviews its early warning
    signs: one query, none when the agenda has no such item."""
    course = session.course
    agenda = protocol.agenda_of(course.format, session.agenda_format)
    items = agenda.phases[getattr(session, "phase", "middle")]
    linked = [item for item in items if item.link == "relapse_plan"]
    if not linked:
        return None
    return {
        "items": linked,
        "plan": RelapsePlan.objects.filter(course=course).first(),
        "course": course,
    }


def tools(session: Session, previous: Session | None, client: Any) -> dict[str, Any] | None:
    """The tools linked to the session, named by the apps that keep them, and (for those who
    may write) the client's latest tools to link: one query, one per kind linked, and one per
    kind offered."""
    kinds = session_panel.tool_kinds()
    links = list(SessionTool.objects.filter(session=session))
    by_kind: dict[str, list[int]] = {}
    for link in links:
        by_kind.setdefault(link.kind, []).append(link.object_id)
    named = {
        kind: kinds[kind].named(client.pk, ids) for kind, ids in by_kind.items() if kind in kinds
    }
    used = []
    for link in links:
        ref = named.get(link.kind, {}).get(link.object_id)
        if ref is not None:  # a tool deleted since it was linked is not shown
            used.append({"link": link, "tool": ref, "kind": SessionToolKind(link.kind).label})
    offered: list[dict[str, Any]] = []
    if client.may.write:
        linked = {(link.kind, link.object_id) for link in links}
        for kind in SessionToolKind:
            if kind.value not in kinds:
                continue
            refs: list[ToolRef] = [
                ref
                for ref in kinds[kind.value].recent(client.pk, RECENT_TOOLS)
                if (ref.kind, ref.id) not in linked
            ]
            if refs:
                offered.append({"label": kind.label, "tools": refs})
    if not used and not offered:
        return None
    return {"used": used, "offered": offered}


PARTS = (
    PanelPart("plan", 20, "courses/panel/plan.html", plan),
    PanelPart("early_warning", 25, "courses/panel/early_warning.html", early_warning),
    PanelPart("tools", 60, "courses/panel/tools.html", tools),
)
