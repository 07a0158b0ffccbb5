"""Instruments as data: loading and validating the versioned definitions in data/instruments.

An instrument file holds its items and answer options, its scores (sums or means, subscales,
reversed items), bands, conditional items, safety rules, source, licence note, version and LOINC
codes. The code here interprets the files; nothing about a particular questionnaire is written
in Python.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import get_language

from gentle.safety.severity import table as severity_table

DATA = Path(__file__).resolve().parent / "data" / "instruments"
SEVERITIES = ("low", "moderate", "high")


class InstrumentError(ValueError):
    """A definition is malformed; the message names the file and the part."""


def _text(value: object, where: str) -> dict[str, str]:
    if isinstance(value, str) and value:
        return {"en": value}
    if isinstance(value, dict) and isinstance(value.get("en"), str) and value["en"]:
        return {k: v for k, v in value.items() if isinstance(v, str)}
    raise InstrumentError(f"{where}: needs text (a string or an object with 'en')")


def localized(text: dict[str, str]) -> str:
    language = (get_language() or "en")[:2]
    return text.get(language) or text["en"]


@dataclass(frozen=True)
class Option:
    value: int | None  # None: an answer that is not scored ("not applicable")
    label: dict[str, str]

    @property
    def text(self) -> str:
        return localized(self.label)


@dataclass(frozen=True)
class Condition:
    """Ask this item only when ``item``'s answer is one of ``values``."""

    item: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class Item:
    id: str
    text_by_language: dict[str, str]
    options: tuple[Option, ...]
    required: bool = True
    condition: Condition | None = None
    loinc: str = ""

    @property
    def text(self) -> str:
        return localized(self.text_by_language)

    @property
    def values(self) -> frozenset:
        return frozenset(o.value for o in self.options)

    @property
    def scored_range(self) -> tuple[int, int]:
        scored = [o.value for o in self.options if o.value is not None]
        return min(scored), max(scored)


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    label: dict[str, str]
    severity: int  # 0 (none) upwards, for shading and sorting

    @property
    def text(self) -> str:
        return localized(self.label)


@dataclass(frozen=True)
class Score:
    id: str
    label: dict[str, str]
    method: str  # "sum" or "mean"
    items: tuple[str, ...]
    reversed: frozenset[str] = frozenset()
    minimum: float = 0
    maximum: float = 0
    bands: tuple[Band, ...] = ()
    loinc: str = ""
    reliability: dict = field(default_factory=dict)
    # A sum with an item answered "not applicable" is prorated to all its items: the mean of
    # the answered items times their number, rounded half up (WSAS; docs/outcomes.md).
    prorate: bool = False

    @property
    def text(self) -> str:
        return localized(self.label)

    def band_for(self, value: float | None) -> Band | None:
        if value is None:
            return None
        return next((b for b in self.bands if b.low <= value <= b.high), None)


@dataclass(frozen=True)
class Rule:
    """A deterministic safety rule: when ``item``'s answer is in ``values`` (and, if given,
    ``also`` holds), raise an alert of ``severity``. ``sign`` names the row of the one severity
    table (gentle.safety.severity) the severity comes from."""

    id: str
    severity: str
    item: str
    values: tuple[int, ...]
    also: Condition | None = None
    reason: dict[str, str] = field(default_factory=dict)
    sign: str = ""


@dataclass(frozen=True)
class Instrument:
    id: str
    version: int
    title: dict[str, str]
    rater: str  # "self" or "clinician"
    source: str
    licence: str
    licence_confirmed: bool
    items: tuple[Item, ...]
    scores: tuple[Score, ...]
    rules: tuple[Rule, ...] = ()
    loinc: str = ""
    notes: str = ""
    instructions: dict[str, str] = field(default_factory=dict)
    # What higher and lower scores mean, in plain words for the client (the portal); empty: the
    # portal's "lower scores mean fewer symptoms".
    meaning: dict[str, str] = field(default_factory=dict)
    # Each answer is about one person (``Administration.about``): results are kept per person,
    # never compared across people (ECR-RS).
    per_relationship: bool = False

    @property
    def name(self) -> str:
        return localized(self.title)

    @property
    def meaning_text(self) -> str:
        return localized(self.meaning) if self.meaning else ""

    @property
    def short_name(self) -> str:
        """ "PHQ-9" of "PHQ-9 (depression)"."""
        return self.name.split(" (")[0]

    def item(self, item_id: str) -> Item:
        return next(i for i in self.items if i.id == item_id)

    @property
    def main_score(self) -> Score:
        return self.scores[0]


def _condition(raw: object, where: str, known: dict[str, Item]) -> Condition | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or raw.get("item") not in known:
        raise InstrumentError(f"{where}: a condition must name an earlier item")
    values = tuple(raw.get("in") or ()) if isinstance(raw.get("in"), list) else ()
    if not values or not set(values) <= known[raw["item"]].values:
        raise InstrumentError(f"{where}: condition values must be answers of {raw['item']}")
    return Condition(raw["item"], values)


def _objects(value: object, where: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InstrumentError(f"{where}: expected a list of objects")
    return value


def _rule_severity(raw: dict, where: str) -> str:
    """A rule's severity: from the severity table when it names its sign (every shipped
    instrument does), else its own (a clinic's file may); both given must agree."""
    sign = raw.get("sign")
    if (sign is None or "severity" in raw) and raw.get("severity") not in SEVERITIES:
        raise InstrumentError(f"{where}: severity is one of {', '.join(SEVERITIES)}")
    if sign is None:
        return raw["severity"]
    signs = severity_table().signs
    if sign not in signs:
        raise InstrumentError(f"{where}: sign is one of {', '.join(signs)}")
    if raw.get("severity") not in (None, signs[sign].severity):
        raise InstrumentError(
            f"{where}: severity {raw['severity']!r} disagrees with the severity table "
            f"({sign} is {signs[sign].severity})"
        )
    return signs[sign].severity


def parse(data: dict, name: str = "instrument") -> Instrument:
    """Build and validate an Instrument from its JSON form. Anything malformed raises
    InstrumentError naming the file and, where it can, the item, score or rule."""
    try:
        return _parse(data, name)
    except InstrumentError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise InstrumentError(f"{name}: malformed ({type(exc).__name__}: {exc})") from None


def _parse(data: dict, name: str) -> Instrument:
    """The file's parts in the order they are checked: the header, the items (each with its
    answer options and condition), the scores (each with its range and bands), the safety
    rules, then the rater, title and instructions."""
    _check_header(data, name)
    items = _items(data, name)
    scores = _scores(data, name, items)
    rules = _rules(data, name, items)
    if data.get("rater", "self") not in ("self", "clinician"):
        raise InstrumentError(f"{name}: rater is 'self' or 'clinician'")
    return Instrument(
        id=data["id"],
        version=data["version"],
        title=_text(data["title"], f"{name} title"),
        rater=data.get("rater", "self"),
        source=data["source"],
        licence=data["licence"],
        licence_confirmed=bool(data.get("licence_confirmed", False)),
        items=tuple(items.values()),
        scores=scores,
        rules=rules,
        loinc=data.get("loinc", ""),
        notes=data.get("notes", ""),
        instructions=_text(data["instructions"], f"{name} instructions")
        if data.get("instructions")
        else {},
        meaning=_text(data["meaning"], f"{name} meaning") if data.get("meaning") else {},
        per_relationship=bool(data.get("per_relationship", False)),
    )


def _check_header(data: object, name: str) -> None:
    if not isinstance(data, dict):
        raise InstrumentError(f"{name}: expected an object")
    for key in ("id", "version", "title", "items", "scores", "source", "licence"):
        if key not in data:
            raise InstrumentError(f"{name}: missing '{key}'")
    if not isinstance(data["version"], int) or data["version"] < 1:
        raise InstrumentError(f"{name}: version must be a positive whole number")


def _items(data: dict, name: str) -> dict[str, Item]:
    """The items by id, in order; an item's options default to the file's shared ``options``,
    and its condition may name only an earlier item."""
    items: dict[str, Item] = {}
    for index, raw in enumerate(_objects(data["items"], f"{name} items")):
        where = f"{name} item {index + 1}"
        if not isinstance(raw.get("id"), str):
            raise InstrumentError(f"{where}: needs an id")
        if raw["id"] in items:
            raise InstrumentError(f"{where}: id {raw['id']!r} repeats")
        options = _options(raw.get("options", data.get("options")), where, raw["id"])
        items[raw["id"]] = Item(
            id=raw["id"],
            text_by_language=_text(raw.get("text"), where),
            options=options,
            required=bool(raw.get("required", True)),
            condition=_condition(raw.get("condition"), where, items),
            loinc=raw.get("loinc", ""),
        )
    return items


def _options(raw: object, where: str, item_id: str) -> tuple[Option, ...]:
    """An item's answer options: values unique whole numbers (or null, not scored), at least
    one scored."""
    if not isinstance(raw, list) or not raw:
        raise InstrumentError(f"{where} ({item_id}): needs answer options")
    options = []
    for option in _objects(raw, f"{where} ({item_id}) options"):
        value = option.get("value")
        if not (value is None or (isinstance(value, int) and not isinstance(value, bool))):
            raise InstrumentError(f"{where} ({item_id}): option values are whole numbers")
        options.append(Option(value, _text(option.get("label"), f"{where} option")))
    if len({o.value for o in options}) != len(options):
        raise InstrumentError(f"{where} ({item_id}): option values repeat")
    if all(o.value is None for o in options):
        raise InstrumentError(f"{where} ({item_id}): no scored option")
    return tuple(options)


def _scores(data: dict, name: str, items: dict[str, Item]) -> tuple[Score, ...]:
    scores = tuple(_score(raw, name, items) for raw in _objects(data["scores"], f"{name} scores"))
    if not scores:
        raise InstrumentError(f"{name}: needs at least one score")
    return scores


def _score(raw: dict, name: str, items: dict[str, Item]) -> Score:
    """A sum or mean over some items (some reversed); its range follows from the items'
    scored answers, and its bands, if any, cover that range without overlapping."""
    where = f"{name} score {raw.get('id', '?')}"
    members = tuple(raw.get("items") or ())
    if not members or not set(members) <= set(items):
        raise InstrumentError(f"{where}: items must name the instrument's items")
    reversed_ = frozenset(raw.get("reversed") or ())
    if not reversed_ <= set(members):
        raise InstrumentError(f"{where}: reversed items must be among its items")
    if raw.get("method") not in ("sum", "mean"):
        raise InstrumentError(f"{where}: method is 'sum' or 'mean'")
    low, high = _score_range(raw["method"], [items[i] for i in members])
    bands = _bands(raw.get("bands"), where, low, high)
    return Score(
        id=raw["id"],
        label=_text(raw.get("label", raw["id"]), where),
        method=raw["method"],
        items=members,
        reversed=reversed_,
        minimum=low,
        maximum=high,
        bands=bands,
        loinc=raw.get("loinc", ""),
        reliability=raw.get("reliability") or {},
        prorate=_prorate(raw, where),
    )


def _prorate(raw: dict, where: str) -> bool:
    if not raw.get("prorate"):
        return False
    if raw["method"] != "sum":
        raise InstrumentError(f"{where}: only a sum is prorated")
    return True


def _score_range(method: str, members: list[Item]) -> tuple[int, int]:
    ranges = [item.scored_range for item in members]
    if method == "sum":
        return sum(r[0] for r in ranges), sum(r[1] for r in ranges)
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


def _bands(raw: object, where: str, low: float, high: float) -> tuple[Band, ...]:
    bands = sorted(
        (
            Band(
                float(band["min"]),
                float(band["max"]),
                _text(band.get("label"), f"{where} band"),
                int(band.get("severity", 0)),
            )
            for band in _objects(raw, f"{where} bands")
        ),
        key=lambda b: b.low,
    )
    for before, after in zip(bands, bands[1:], strict=False):
        if after.low <= before.high:
            raise InstrumentError(f"{where}: bands overlap")
    if bands and (bands[0].low > low or bands[-1].high < high):
        raise InstrumentError(f"{where}: bands must cover {low:g}–{high:g}")
    return tuple(bands)


def _rules(data: dict, name: str, items: dict[str, Item]) -> tuple[Rule, ...]:
    return tuple(_rule(raw, name, items) for raw in _objects(data.get("safety"), f"{name} safety"))


def _rule(raw: dict, name: str, items: dict[str, Item]) -> Rule:
    """A safety rule: its severity (see _rule_severity), the item and answers that trigger it,
    and an optional second condition ``also``."""
    where = f"{name} safety rule {raw.get('id', '?')}"
    severity = _rule_severity(raw, where)
    if raw.get("item") not in items:
        raise InstrumentError(f"{where}: must name an item")
    values = tuple(raw.get("in") or ())
    if not values or not set(values) <= items[raw["item"]].values:
        raise InstrumentError(f"{where}: values must be answers of {raw['item']}")
    return Rule(
        raw["id"],
        severity,
        raw["item"],
        values,
        _condition(raw.get("also"), where, items),
        _text(raw.get("reason", raw["id"]), where),
        raw.get("sign", ""),
    )


def load_file(path: Path) -> Instrument:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InstrumentError(f"{path.name}: cannot be read ({exc})") from None
    instrument = parse(data, path.name)
    if instrument.id != path.stem:
        raise InstrumentError(f"{path.name}: its id must be {path.stem!r}")
    return instrument


@cache
def catalogue() -> dict[str, Instrument]:
    """Every shipped instrument, and the clinic's own (GENTLE_INSTRUMENTS_DIR), by id; loaded
    and validated once. A clinic file cannot replace a shipped instrument."""
    from django.conf import settings

    shipped = {path.stem: load_file(path) for path in sorted(DATA.glob("*.json"))}
    own_dir = Path(settings.GENTLE_INSTRUMENTS_DIR)
    own = {}
    if own_dir.is_dir():
        own = {
            path.stem: load_file(path)
            for path in sorted(own_dir.glob("*.json"))
            if path.stem not in shipped
        }
    return {**shipped, **own}
