"""The session fidelity form as data (data/ipt_fidelity.json) and its one scoring function.

The form is read and validated at start-up (FidelityConfig.ready), so a broken file stops
Gentle early. A session's phase chooses its adherence items; the quality items are the same in
every phase. Scores: adherence as the percentage of the most the applicable items could score
(an item marked "not applicable" counts for neither side), and quality as the mean of the
quality items (ADR 0057).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import get_language

DATA = Path(__file__).resolve().parent / "data"
FILE = "ipt_fidelity.json"
PHASES = ("initial", "middle", "termination")
NOT_APPLICABLE = "na"  # an adherence answer that leaves the item out of the score


class FidelityFileError(ValueError):
    """The data file is malformed; the message names the problem."""


def _spanish() -> bool:
    return (get_language() or "en").startswith("es")


@dataclass(frozen=True)
class Choice:
    value: int
    en: str
    es: str

    @property
    def text(self) -> str:
        return self.es if _spanish() else self.en


@dataclass(frozen=True)
class Item:
    id: str
    en: str
    es: str
    anchor_en: str
    anchor_es: str

    @property
    def text(self) -> str:
        return self.es if _spanish() else self.en

    @property
    def anchor(self) -> str:
        return self.anchor_es if _spanish() else self.anchor_en


@dataclass(frozen=True)
class Instrument:
    id: str
    version: int
    adherence_scale: tuple[Choice, ...]
    quality_scale: tuple[Choice, ...]
    adherence: dict[str, tuple[Item, ...]]  # phase -> items
    quality: tuple[Item, ...]
    sources: tuple[str, ...]

    @property
    def adherence_max(self) -> int:
        return max(c.value for c in self.adherence_scale)

    @property
    def quality_range(self) -> tuple[int, int]:
        values = [c.value for c in self.quality_scale]
        return min(values), max(values)

    def items_for(self, phase: str) -> tuple[Item, ...]:
        return self.adherence.get(phase, self.adherence["middle"])


@dataclass(frozen=True)
class Scores:
    adherence: float | None  # percent, 0-100; None when no item applied
    quality: float | None  # mean of the quality items; None when none was rated


def _choices(raw: Any, where: str) -> tuple[Choice, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise FidelityFileError(f"{where}: expected a list of at least two choices")
    out = []
    for entry in raw:
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("value"), int)
            and all(isinstance(entry.get(k), str) and entry.get(k) for k in ("en", "es"))
        ):
            raise FidelityFileError(f"{where}: each choice needs an integer value, en and es")
        out.append(Choice(entry["value"], entry["en"], entry["es"]))
    values = [c.value for c in out]
    if len(set(values)) != len(values) or values != sorted(values):
        raise FidelityFileError(f"{where}: values must be distinct and increasing")
    return tuple(out)


def _items(raw: Any, where: str) -> tuple[Item, ...]:
    if not isinstance(raw, list) or not raw:
        raise FidelityFileError(f"{where}: expected a non-empty list of items")
    keys = ("id", "en", "es", "anchor_en", "anchor_es")
    items = []
    for entry in raw:
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), str) and entry.get(k) for k in keys
        ):
            raise FidelityFileError(f"{where}: each item needs {', '.join(keys)}")
        items.append(Item(*(entry[k] for k in keys)))
    ids = [i.id for i in items]
    if len(set(ids)) != len(ids):
        raise FidelityFileError(f"{where}: an item id is used twice")
    return tuple(items)


def parse(raw: Any) -> Instrument:
    """An instrument from the file's JSON, or FidelityFileError."""
    if not isinstance(raw, dict) or not isinstance(raw.get("version"), int):
        raise FidelityFileError(f"{FILE}: expected an object with an integer version")
    if not isinstance(raw.get("sources"), list) or not raw["sources"]:
        raise FidelityFileError(f"{FILE}: the sources must be named")
    adherence = raw.get("adherence")
    if not isinstance(adherence, dict) or set(adherence) != set(PHASES):
        raise FidelityFileError(f"{FILE}: adherence items are needed for each of {PHASES}")
    scale = _choices(raw.get("adherence_scale"), f"{FILE} adherence_scale")
    if scale[0].value != 0:
        raise FidelityFileError(f"{FILE} adherence_scale: the lowest value must be 0")
    quality_scale = _choices(raw.get("quality_scale"), f"{FILE} quality_scale")
    return Instrument(
        id=str(raw.get("id") or "ipt_fidelity"),
        version=raw["version"],
        adherence_scale=scale,
        quality_scale=quality_scale,
        adherence={p: _items(adherence[p], f"{FILE} adherence.{p}") for p in PHASES},
        quality=_items(raw.get("quality"), f"{FILE} quality"),
        sources=tuple(str(s) for s in raw["sources"]),
    )


@cache
def load() -> Instrument:
    with (DATA / FILE).open(encoding="utf-8") as handle:
        return parse(json.load(handle))


def score(instrument: Instrument, phase: str, answers: dict[str, Any]) -> Scores:
    """The scores of one rating. ``answers`` holds ``adherence`` (item id -> a value of the
    adherence scale, or ``NOT_APPLICABLE``) for the phase's items and ``quality`` (item id ->
    a value of the quality scale). Anything missing, unknown or out of range is a ValueError:
    a rating is scored whole or not at all."""
    adherence = answers.get("adherence", {})
    quality = answers.get("quality", {})
    if not isinstance(adherence, dict) or not isinstance(quality, dict):
        raise ValueError("answers must hold adherence and quality mappings")
    items = instrument.items_for(phase)
    if set(adherence) != {i.id for i in items}:
        raise ValueError("the adherence answers must be the phase's items")
    if set(quality) != {i.id for i in instrument.quality}:
        raise ValueError("the quality answers must be the quality items")
    allowed = {c.value for c in instrument.adherence_scale}
    given = []
    for value in adherence.values():
        if value == NOT_APPLICABLE:
            continue
        if isinstance(value, bool) or value not in allowed:
            raise ValueError(f"{value!r} is not on the adherence scale")
        given.append(value)
    quality_allowed = {c.value for c in instrument.quality_scale}
    for value in quality.values():
        if isinstance(value, bool) or value not in quality_allowed:
            raise ValueError(f"{value!r} is not on the quality scale")
    top = instrument.adherence_max
    percent = round(100 * sum(given) / (top * len(given)), 1) if given else None
    mean = round(sum(quality.values()) / len(quality), 2) if quality else None
    return Scores(adherence=percent, quality=mean)
