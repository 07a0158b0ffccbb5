"""The shape of one section of the client's copy of their record (docs/record-export.md).

Each app that keeps part of a client's record describes its sections in its own ``export.py``
(a ``SECTIONS`` tuple of :class:`Section`); the portal lists them in reading order
(``gentle.portal.record.SECTIONS``) and makes the JSON and the readable page from that list
alone (docs/adr/0020-record-sections-from-each-app.md). This module knows no Gentle model: the
apps' ``build`` functions do the querying.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Row = dict[str, Any]


def json_safe(value: Any) -> Any:
    """A field value as JSON-safe data: dates and times as ISO 8601 strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def fields(obj: object, names: Iterable[str]) -> Row:
    """The named attributes of ``obj``, JSON-safe."""
    return {name: json_safe(getattr(obj, name)) for name in names}


def display_name(user: Any) -> str:
    """A staff member's display name; never their email address."""
    return (user.display_name or "") if user is not None else ""


def as_date(value: Any) -> Any:
    """An ISO date or date-time string as a date or aware datetime; anything else unchanged."""
    if not isinstance(value, str):
        return value
    try:
        return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except ValueError:
        return value


def label(choices: Any, value: Any) -> Any:
    """The display label of a code (a TextChoices class or a plain mapping), or of each code in
    a list of codes."""
    mapping = dict(choices.choices) if hasattr(choices, "choices") else choices
    if isinstance(value, list):
        return [mapping.get(item, item) for item in value]
    return mapping.get(value, value) if value else value


class LazyLabels(Mapping[str, Any]):
    """Labels read from a data file when the page is made, in its language: ``labels()``
    returns {code: label} and is called on each look-up."""

    def __init__(self, labels: Callable[[], Mapping[str, Any]]) -> None:
        self._labels = labels

    def __getitem__(self, code: str) -> Any:
        return self._labels()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._labels())

    def __len__(self) -> int:
        return len(self._labels())


@dataclass(frozen=True, eq=False)  # each section is one object, compared by identity
class Section:
    """One section of the record copy, contributed by the app that keeps its data.

    ``build(client)`` returns the section's JSON-safe data (``[]`` or an object when empty) with
    a fixed number of queries, bounded by the one client, whatever the amount of data. The
    readable page shows it under ``title`` in ``<details id="{html_id}">`` (a ``<section>`` in
    the PDF), with ``template`` included for the body; the template gets the section's data
    as ``data``, made readable by ``prepare(data)`` if given, otherwise from ``dates``,
    ``labels`` and ``pairs`` (:meth:`readable`).

    The same record as FHIR resources is written by each app's ``fhir_export.py`` and composed
    in ``gentle.interop.records`` (docs/fhir.md "Export", ADR 0061), not by these sections.
    """

    key: str  # the JSON key, part of the format: never renamed without a new format version
    build: Callable[[Any], Any]
    # The readable page: a lazily translated heading (also the entry in the contents) and the
    # body's template; a section without a template is in the JSON only (the clinic's name,
    # shown in the page's header).
    title: StrOrPromise = ""
    template: str = ""
    anchor: str = ""  # the HTML id, if not the key
    # Keys (at any depth) holding an ISO date or date-time, shown as dates.
    dates: frozenset[str] = frozenset()
    # Codes shown by their translated label: {sub-path: {key: choices}}, where the sub-path is
    # "" for the section's own rows and e.g. "contact_attempts" for a nested list.
    labels: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # Free-form mappings shown as (key, value) pairs.
    pairs: frozenset[str] = frozenset()
    prepare: Callable[[Any], Any] | None = None

    @property
    def html_id(self) -> str:
        return self.anchor or self.key

    def readable(self, data: Any) -> Any:
        """The section's data as its template shows it, in the active language."""
        if self.prepare is not None:
            return self.prepare(data)
        return self._readable(data, "")

    def _readable(self, value: Any, path: str) -> Any:
        if isinstance(value, list):
            return [self._readable(item, path) for item in value]
        if not isinstance(value, dict):
            return value
        labels = self.labels.get(path, {})
        readable: Row = {}
        for key, item in value.items():
            if key in labels:
                readable[key] = label(labels[key], item)
            elif key in self.dates:
                readable[key] = as_date(item)
            elif key in self.pairs and isinstance(item, dict):
                readable[key] = list(item.items())
            else:
                readable[key] = self._readable(item, f"{path}.{key}" if path else key)
        return readable
