"""Style reflections, communication analyses and step worksheets, as sections of the client's
copy of their record (docs/record-export.md, gentle/lib/record_sections.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from gentle.clients.models import Client
from gentle.communication.models import Exchange, Kind, StyleReflection, Worksheet
from gentle.formulation.export import AREA_LABELS
from gentle.lib.record_sections import Row, Section, fields


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


STYLE_REFLECTIONS = Section(
    key="style_reflections",
    build=_style_reflections,
    title=gettext_lazy("How I speak with people"),
    template="communication/record_copy/style_reflections.html",
    anchor="styles",
    dates=frozenset({"day"}),
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
    dates=frozenset({"completed_at", "updated_at"}),
    labels={"": {"kind": Kind}},
    pairs=frozenset({"answers"}),
)

SECTIONS = (STYLE_REFLECTIONS, EXCHANGES, WORKSHEETS)
