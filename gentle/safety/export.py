"""The safety plan's versions and the safety alerts with the attempts to reach the client, as
sections of the client's copy of their record (docs/record-export.md,
gentle/lib/record_sections.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy

from gentle.clients.models import Client
from gentle.lib.record_sections import Row, Section, as_date, display_name, fields, json_safe
from gentle.safety.models import (
    Alert,
    AlertAction,
    ContactAttempt,
    ContactOutcome,
    SafetyPlanVersion,
    Severity,
)
from gentle.safety.selectors import plan_sections


def _safety_plans(client: Client) -> list[Row]:
    """Every version of the safety plan, oldest first, with who saved it and when."""
    rows = SafetyPlanVersion.objects.filter(client=client).select_related("saved_by")
    return [
        {
            "number": v.number,
            "saved_at": json_safe(v.saved_at),
            "saved_by": client.full_name if v.saved_as == "client" else display_name(v.saved_by),
            "saved_as": v.saved_as,
            "sections": [{"id": key, "text": text} for key, text in v.sections.items()],
        }
        for v in sorted(rows, key=lambda v: v.number)
    ]


def _readable_plans(data: Any) -> list[Row]:
    """The versions with each written section under its heading in the reader's language."""
    labels = {section.id: section.label for section in plan_sections()}
    return [
        {
            **version,
            "saved_at": as_date(version["saved_at"]),
            "sections": [
                {"label": labels.get(s["id"], s["id"]), "text": s["text"]}
                for s in version["sections"]
            ],
        }
        for version in data or []
    ]


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
            **fields(a, ALERT_FIELDS),
            "contact_attempts": [
                {**fields(t, ("made_at", "outcome", "note")), "made_by": display_name(t.made_by)}
                for t in a.contact_attempts.all()
            ],
        }
        for a in rows
    ]


SAFETY_PLANS = Section(
    key="safety_plans",
    build=_safety_plans,
    title=gettext_lazy("Safety plan"),
    template="safety/record_copy/safety_plans.html",
    anchor="safety-plans",
    prepare=_readable_plans,
)
ALERTS = Section(
    key="alerts",
    build=_alerts,
    title=gettext_lazy("Safety alerts"),
    template="safety/record_copy/alerts.html",
    dates=frozenset({"raised_at", "acknowledged_at", "escalated_at", "made_at"}),
    labels={
        "": {"severity": Severity, "action": AlertAction},
        "contact_attempts": {"outcome": ContactOutcome},
    },
)

SECTIONS = (SAFETY_PLANS, ALERTS)
