"""The course protocol as data: formats with their defaults, phase agendas and techniques.

Read from the versioned files in ``data/`` at start-up (CoursesConfig.ready) and validated, so a
broken file stops Gentle at once instead of on a clinician's screen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

DATA = Path(__file__).resolve().parent / "data"
FORMATS = ("individual", "brief", "ipc", "group", "perinatal")
PHASES = ("initial", "middle", "termination")


class ProtocolError(ValueError):
    """A data file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class Item:
    id: str
    en: str
    es: str

    @property
    def text(self) -> str:
        return self.es if (get_language() or "en").startswith("es") else self.en


@dataclass(frozen=True)
class FormatDefaults:
    sessions: int
    suggested: tuple[int, int]
    minutes: int
    initial_sessions: int
    termination_sessions: int


@dataclass(frozen=True)
class Agenda:
    format: str
    version: int
    phases: dict[str, tuple[Item, ...]]


def _items(raw, where: str) -> tuple[Item, ...]:
    if not isinstance(raw, list) or not raw:
        raise ProtocolError(f"{where}: expected a non-empty list of items")
    items = []
    for entry in raw:
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), str) and entry.get(k) for k in ("id", "en", "es")
        ):
            raise ProtocolError(f"{where}: each item needs id, en and es text")
        items.append(Item(entry["id"], entry["en"], entry["es"]))
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise ProtocolError(f"{where}: item ids repeat")
    return tuple(items)


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ProtocolError(f"{path.name}: cannot be read ({exc})") from None
    if not isinstance(data.get("version"), int):
        raise ProtocolError(f"{path.name}: needs an integer version")
    return data


@cache
def load() -> tuple[dict[str, FormatDefaults], dict[str, Agenda], tuple[Item, ...]]:
    raw = _read(DATA / "formats.json")
    defaults = {}
    for name in FORMATS:
        entry = raw.get("formats", {}).get(name)
        if entry is None:
            raise ProtocolError(f"formats.json: format {name!r} is missing")
        d = FormatDefaults(
            sessions=int(entry["sessions"]),
            suggested=tuple(entry["suggested"]),
            minutes=int(entry["minutes"]),
            initial_sessions=int(entry["initial_sessions"]),
            termination_sessions=int(entry["termination_sessions"]),
        )
        if not 1 <= d.initial_sessions < d.sessions - d.termination_sessions + 1:
            raise ProtocolError(f"formats.json: {name}: phases do not fit its sessions")
        defaults[name] = d
    agendas = {}
    for name in FORMATS:
        data = _read(DATA / "agendas" / f"{name}.json")
        phases = {
            phase: _items(data.get("phases", {}).get(phase), f"agendas/{name}.json {phase}")
            for phase in PHASES
        }
        agendas[name] = Agenda(format=name, version=data["version"], phases=phases)
    techniques = _items(raw.get("techniques"), "formats.json techniques")
    return defaults, agendas, techniques


def defaults_for(course_format: str) -> FormatDefaults:
    return load()[0][course_format]


def agenda_for(course_format: str) -> Agenda:
    return load()[1][course_format]


def techniques() -> tuple[Item, ...]:
    return load()[2]
