"""Style reflections, communication analyses and step worksheets, as sections of the client's
copy of their record (docs/record-export.md, gentle/lib/record_sections.py)."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy

from gentle.clients.models import Client
from gentle.communication import selectors
from gentle.communication.models import Exchange, StyleReflection, Worksheet
from gentle.formulation.export import AREA_LABELS
from gentle.lib.record_sections import LazyLabels, Row, Section, as_date, fields


def _style_reflections(client: Client) -> list[Row]:
    """Reflections on the client's way of speaking with one person."""
    rows = StyleReflection.objects.filter(client=client).select_related("person")
    names = ("day", "items", "counts", "style", "note", "version")
    return [{"person": r.person.name, **fields(r, names)} for r in rows]


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
    return [fields(e, EXCHANGE_FIELDS) for e in rows]


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
    return [fields(w, WORKSHEET_FIELDS) for w in rows]


def _worksheets_readable(data: list[Row]) -> list[Row]:
    """Worksheets with their kind named (and tagged when it comes from outside IPT) and each
    step by its label, not its code."""
    names, known = selectors.kind_names(), selectors.kinds()
    readable = []
    for row in data:
        steps = (
            {s.id: s.label for s in selectors.steps(row["kind"])} if row["kind"] in known else {}
        )
        readable.append(
            {
                **row,
                "kind": names.get(row["kind"], row["kind"]),
                "completed_at": as_date(row["completed_at"]),
                "updated_at": as_date(row["updated_at"]),
                "answers": [(steps.get(k, k), text) for k, text in (row["answers"] or {}).items()],
            }
        )
    return readable


def _style_labels() -> dict[str, str]:
    return {**selectors.style_labels(), "mixed": gettext("mixed")}


STYLE_REFLECTIONS = Section(
    key="style_reflections",
    build=_style_reflections,
    title=gettext_lazy("How I speak with people"),
    template="communication/record_copy/style_reflections.html",
    anchor="styles",
    dates=frozenset({"day"}),
    labels={
        "": {
            "style": LazyLabels(_style_labels),
            "items": LazyLabels(lambda: dict(selectors.checklist())),
        }
    },
    pairs=frozenset({"counts"}),
)
EXCHANGES = Section(
    key="exchanges",
    build=_exchanges,
    title=gettext_lazy("Exchanges looked back at"),
    template="communication/record_copy/exchanges.html",
    dates=frozenset({"day", "updated_at"}),
    labels={"": {"area": AREA_LABELS}},
)
WORKSHEETS = Section(
    key="worksheets",
    build=_worksheets,
    title=gettext_lazy("Worksheets"),
    template="communication/record_copy/worksheets.html",
    pairs=frozenset({"answers"}),  # step id to text: shown by step label (prepare)
    prepare=_worksheets_readable,
)

SECTIONS = (STYLE_REFLECTIONS, EXCHANGES, WORKSHEETS)
