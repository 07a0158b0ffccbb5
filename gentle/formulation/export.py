"""Formulations and goals with their Goal Attainment Scaling ratings, as sections of the
client's copy of their record (docs/record-export.md, gentle/lib/record_sections.py)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy

from gentle.clients.models import Client
from gentle.formulation.models import DisputeStage, Formulation, Goal, GoalRating
from gentle.formulation.rules import AREAS, plain_name
from gentle.lib.record_sections import LazyLabels, Row, Section, fields, json_safe

# The focus (problem area) codes as the client reads them, in plain words (WHO group IPT's
# names; data/client_text.json), for the sections of apps that record a focus.
AREA_LABELS = LazyLabels(lambda: {area: plain_name(area) for area in AREAS})

FORMULATION_FIELDS = (
    "course_id",
    "primary_area",
    "dispute_stage",
    "secondary_area",
    "secondary_dispute_stage",
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
    return [fields(f, FORMULATION_FIELDS) for f in rows]


GOAL_FIELDS = ("id", "course_id", "area", "text", "minus2", "minus1", "zero", "plus1", "plus2")


def _rating(rating: GoalRating) -> Row:
    return {
        "session_id": rating.session_id,
        "date": json_safe(rating.session.starts_at),
        "rating": rating.rating,
        "rated_at": json_safe(rating.rated_at),
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
        {**fields(g, GOAL_FIELDS), "ratings": [_rating(r) for r in g.ratings.all()]} for g in rows
    ]


FORMULATIONS = Section(
    key="formulations",
    build=_formulations,
    title=gettext_lazy("Formulations"),
    template="formulation/record_copy/formulations.html",
    dates=frozenset({"agreed_on", "updated_at"}),
    labels={
        "": {
            "primary_area": AREA_LABELS,
            "secondary_area": AREA_LABELS,
            "dispute_stage": DisputeStage,
            "secondary_dispute_stage": DisputeStage,
        }
    },
)
GOALS = Section(
    key="goals",
    build=_goals,
    title=gettext_lazy("Goals"),
    template="formulation/record_copy/goals.html",
    dates=frozenset({"date", "rated_at"}),
    labels={"": {"area": AREA_LABELS}},
)

SECTIONS = (FORMULATIONS, GOALS)
