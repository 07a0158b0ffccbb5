"""Submitted questionnaires with their answers and scores, as a section of the client's copy of
their record (docs/record-export.md, gentle/lib/record_sections.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from gentle.clients.models import Client
from gentle.lib.record_sections import Row, Section, fields
from gentle.measures.models import Administration, Mode, Status

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
    rows = Administration.objects.filter(client=client, status=Status.SUBMITTED).order_by(
        "submitted_at", "pk"
    )
    return [fields(a, MEASURE_FIELDS) for a in rows]


MEASURES = Section(
    key="measures",
    build=_measures,
    title=gettext_lazy("Questionnaires"),
    template="measures/record_copy/measures.html",
    dates=frozenset({"submitted_at"}),
    labels={"": {"mode": Mode}},
    pairs=frozenset({"answers", "scores"}),
)

SECTIONS = (MEASURES,)
