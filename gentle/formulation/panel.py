"""The formulation's part of the session page's "before this session" panel (ADR 0039): the
focus and the formulation in a line, and the course's goals to rate in this session."""

from __future__ import annotations

from typing import Any

from gentle.formulation import rules
from gentle.formulation.forms import SessionGoalsForm, signed
from gentle.formulation.models import Formulation, Goal, GoalRating
from gentle.lib.session_panel import PanelPart

LINE = 220  # characters of the formulation's text shown


def one_line(text: str) -> str:
    """The formulation's text on one line, cut at a word near ``LINE`` characters."""
    flat = " ".join(text.split())
    if len(flat) <= LINE:
        return flat
    return flat[:LINE].rsplit(" ", 1)[0] + "…"


def build(session: Any, previous: Any, client: Any) -> dict[str, Any] | None:
    """Three queries: the formulation, the goals, and their ratings up to this session."""
    course = session.course
    formulation = Formulation.objects.filter(course=course).first()
    goals = list(Goal.objects.filter(course=course))
    if formulation is None and not goals:
        return None
    ratings = GoalRating.objects.filter(
        goal__course=course, session__starts_at__lte=session.starts_at
    ).order_by("session__starts_at", "session_id")
    now: dict[int, int] = {}
    last: dict[int, int] = {}
    for rating in ratings.only("goal_id", "session_id", "rating"):
        if rating.session_id == session.pk:
            now[rating.goal_id] = rating.rating
        else:
            last[rating.goal_id] = rating.rating
    rateable = bool(goals) and session.number is not None and client.may.write
    form = (
        SessionGoalsForm(goals=goals, initial={f"goal-{g}": r for g, r in now.items()})
        if rateable
        else None
    )
    return {
        "formulation": formulation,
        "focus": rules.area_name(formulation.primary_area) if formulation else "",
        "secondary": rules.area_name(formulation.secondary_area)
        if formulation and formulation.secondary_area
        else "",
        "line": one_line(formulation.text) if formulation else "",
        "goals": [
            {
                "goal": g,
                "now": signed(now.get(g.pk)),
                "last": signed(last.get(g.pk)),
                "field": form[f"goal-{g.pk}"] if form else None,
            }
            for g in goals
        ],
        "form": form,
    }


PART = PanelPart("formulation", 10, "formulation/panel.html", build)
