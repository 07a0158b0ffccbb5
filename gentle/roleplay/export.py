"""Role-play scenarios with their rehearsals, turn by turn, and the clinician's notes, as a
section of the client's copy of their record (docs/record-export.md,
gentle/lib/record_sections.py)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy

from gentle.clients.models import Client
from gentle.lib.record_sections import Row, Section, display_name, fields
from gentle.roleplay.models import Annotation, Manner, Rehearsal, Scenario, Status

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
        **fields(rehearsal, REHEARSAL_FIELDS),
        "turns": [fields(t, ("number", "speaker", "text")) for t in rehearsal.turns.all()],
        "annotations": [
            {**fields(a, ("turn_number", "text", "created_at")), "author": display_name(a.author)}
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
        {**fields(s, SCENARIO_FIELDS), "rehearsals": [_rehearsal(r) for r in s.rehearsals.all()]}
        for s in rows
    ]


SCENARIOS = Section(
    key="scenarios",
    build=_scenarios,
    title=gettext_lazy("Rehearsed conversations"),
    template="roleplay/record_copy/scenarios.html",
    dates=frozenset({"created_at", "started_at", "finished_at"}),
    labels={"": {"manner": Manner}, "rehearsals": {"status": Status}},
)

SECTIONS = (SCENARIOS,)
