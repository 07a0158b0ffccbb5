"""The course's agreed focus for the session page's agenda and the course grid
(gentle.lib.course_focus; docs/adr/0045-middle-phase-agendas-and-the-focus-registry.md)."""

from __future__ import annotations

from typing import Any

from gentle.formulation.models import Formulation
from gentle.lib.course_focus import Focus


def of(course: Any) -> Focus | None:
    """The focus from the course's formulation (one query), or None when it has none."""
    row = (
        Formulation.objects.filter(course_id=course.pk)
        .values(
            "primary_area",
            "dispute_stage",
            "secondary_area",
            "secondary_dispute_stage",
            "agreed_on",
        )
        .first()
    )
    if row is None:
        return None
    areas = [(row["primary_area"], row["dispute_stage"])]
    if row["secondary_area"]:
        areas.append((row["secondary_area"], row["secondary_dispute_stage"]))
    return Focus(areas=tuple(areas), agreed=row["agreed_on"] is not None)
