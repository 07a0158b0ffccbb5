"""Losses with the dual-process log and check-ins, and role transitions with their steps, as
sections of the client's copy of their record (docs/record-export.md,
gentle/lib/record_sections.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from gentle.clients.models import Client
from gentle.grief.models import BridgesPhase, Loss, Orientation, Transition
from gentle.lib.record_sections import Row, Section, fields

ACTIVITY_FIELDS = ("day", "orientation", "what")
CHECK_IN_FIELDS = ("day", "words", "note")


def _losses(client: Client) -> list[Row]:
    """Losses with the dual-process log and the 'where am I now' check-ins."""
    rows = Loss.objects.filter(client=client).prefetch_related("activities", "check_ins")
    return [
        {
            **fields(loss, ("who", "died_on", "notes", "shared_with_client")),
            "activities": [fields(a, ACTIVITY_FIELDS) for a in loss.activities.all()],
            "check_ins": [fields(c, CHECK_IN_FIELDS) for c in loss.check_ins.all()],
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
            **fields(t, TRANSITION_FIELDS),
            "steps": [fields(s, ("day", "phase", "note")) for s in t.steps.all()],
        }
        for t in rows
    ]


LOSSES = Section(
    key="losses",
    build=_losses,
    title=gettext_lazy("Losses"),
    template="grief/record_copy/losses.html",
    dates=frozenset({"died_on", "day"}),
    labels={"activities": {"orientation": Orientation}},
)
TRANSITIONS = Section(
    key="transitions",
    build=_transitions,
    title=gettext_lazy("Role transitions"),
    template="grief/record_copy/transitions.html",
    dates=frozenset({"updated_at", "day"}),
    labels={"": {"phase": BridgesPhase}, "steps": {"phase": BridgesPhase}},
)

SECTIONS = (LOSSES, TRANSITIONS)
