"""The client's copy of their record: everything that belongs to them, as plain JSON-safe data
(see docs/record-export.md), and a readable HTML page of it.

Each app describes its own sections in its ``export.py`` (gentle/lib/record_sections.py);
``SECTIONS`` lists them in the order the copy reads (docs/adr/0020). This module knows no app's
models. Process notes (the clinician's psychotherapy notes) are not part of the record and no
section reads them. Every query is bounded by the one client, and their number does not grow
with the amount of data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from gentle.clients import export as clients_export
from gentle.clients.export import opened_summary
from gentle.communication import export as communication_export
from gentle.courses import export as courses_export
from gentle.formulation import export as formulation_export
from gentle.grief import export as grief_export
from gentle.inventory import export as inventory_export
from gentle.lib.pdf import html_to_pdf
from gentle.lib.record_sections import Section, as_date, json_safe
from gentle.measures import export as measures_export
from gentle.portal import export as portal_export
from gentle.roleplay import export as roleplay_export
from gentle.safety import export as safety_export
from gentle.timeline import export as timeline_export

__all__ = [
    "FORMAT_VERSION",
    "SECTIONS",
    "build_record",
    "opened_summary",
    "render_html",
    "render_pdf",
]

FORMAT_NAME = "gentle-record"
FORMAT_VERSION = 1

Progress = Callable[[int], None]

# The sections in reading order, which is also the order of the JSON's keys. A new app with
# part of the client's record adds its sections here (tests/test_record_sections.py fails on
# an app's section left out).
SECTIONS: tuple[Section, ...] = (
    clients_export.CLIENT,
    clients_export.CLINIC,
    clients_export.CONSENTS,
    clients_export.CARE_TEAM,
    courses_export.COURSES,
    courses_export.SESSIONS,
    courses_export.REMOTE_CHECKS,
    courses_export.ROLE_PLAYS,
    courses_export.PROGRESS_NOTES,
    courses_export.RELAPSE_PLANS,
    safety_export.SAFETY_PLANS,
    measures_export.MEASURES,
    safety_export.ALERTS,
    inventory_export.INVENTORY,
    inventory_export.SNAPSHOTS,
    timeline_export.TIMELINE,
    timeline_export.DIARY,
    formulation_export.FORMULATIONS,
    formulation_export.GOALS,
    grief_export.LOSSES,
    grief_export.TRANSITIONS,
    communication_export.STYLE_REFLECTIONS,
    communication_export.EXCHANGES,
    communication_export.WORKSHEETS,
    roleplay_export.SCENARIOS,
    portal_export.TASKS,
    clients_export.ACCESS_SUMMARY,
)


def build_record(client, *, progress: Progress | None = None) -> dict:
    """The client's whole record (without process notes) as JSON-safe data, section by section.
    ``progress(percent)`` is called after each section, with increasing values ending at 100."""
    record: dict[str, Any] = {
        "format": {"name": FORMAT_NAME, "version": FORMAT_VERSION},
        "generated_at": json_safe(timezone.now()),
    }
    for done, section in enumerate(SECTIONS, start=1):
        record[section.key] = section.build(client)
        if progress is not None:
            progress(done * 100 // len(SECTIONS))
    return record


def render_pdf(record: dict) -> bytes:
    """The record as a tagged PDF (ADR 0063): the same page, laid out for paper."""
    return html_to_pdf(render_html(record, printing=True))


def render_html(record: dict, *, printing: bool = False) -> str:
    """The record as a standalone, printable HTML page, in the client's language; with
    ``printing``, the page WeasyPrint makes the PDF of (every section open, no site links)."""
    language = (record.get("client") or {}).get("language") or settings.LANGUAGE_CODE
    with translation.override(language):
        readable = {s.key: s.readable(record.get(s.key)) for s in SECTIONS}
        return render_to_string(
            "portal/record_copy.html",
            {
                "record": {
                    **readable,
                    "format": record.get("format"),
                    "generated_at": as_date(record.get("generated_at")),
                },
                "parts": [{"section": s, "data": readable[s.key]} for s in SECTIONS if s.template],
                "printing": printing,
            },
        )
