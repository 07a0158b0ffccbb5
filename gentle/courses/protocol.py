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
FORMATS = ("individual", "brief", "ipc", "group", "maintenance", "perinatal", "adolescent")
PHASES = ("initial", "middle", "termination")
# Agendas of a kind of session rather than a format (ADR 0053): one list of items, whatever the
# session's phase, for the format named in the file. A session is ticked under one when its
# ``agenda_format`` names it (the member's individual pre-group session of Group IPT).
SESSION_AGENDAS = ("pre_group",)
PRE_GROUP = "pre_group"
# Where an agenda item may point the clinician (the course's page of that name).
LINKS = ("relapse_plan",)


class ProtocolError(ValueError):
    """A data file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class Item:
    id: str
    en: str
    es: str
    link: str = ""  # one of LINKS: the course page the item works from

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
    spacing_days: int  # the usual days between sessions (the next session's date)


@dataclass(frozen=True)
class Agenda:
    format: str
    version: int
    phases: dict[str, tuple[Item, ...]]


def _items(raw: object, where: str, shared: dict[str, Item] | None = None) -> tuple[Item, ...]:
    """A list of items; with ``shared``, an entry ``{"use": "<id>"}`` is that shared item (so
    formats that do the same step say it once, in agendas/common.json)."""
    if not isinstance(raw, list) or not raw:
        raise ProtocolError(f"{where}: expected a non-empty list of items")
    items = []
    for entry in raw:
        if shared is not None and isinstance(entry, dict) and "use" in entry:
            if set(entry) != {"use"} or entry["use"] not in shared:
                raise ProtocolError(f"{where}: {entry.get('use')!r} is not a shared item")
            items.append(shared[entry["use"]])
            continue
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), str) and entry.get(k) for k in ("id", "en", "es")
        ):
            raise ProtocolError(f"{where}: each item needs id, en and es text")
        link = entry.get("link", "")
        if link not in ("", *LINKS):
            raise ProtocolError(f"{where}: item {entry['id']!r} links to an unknown page")
        items.append(Item(entry["id"], entry["en"], entry["es"], link))
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
            spacing_days=int(entry["spacing_days"]),
        )
        if not 1 <= d.initial_sessions < d.sessions - d.termination_sessions + 1:
            raise ProtocolError(f"formats.json: {name}: phases do not fit its sessions")
        if not 1 <= d.spacing_days <= 62:
            raise ProtocolError(f"formats.json: {name}: spacing_days must be 1 to 62")
        defaults[name] = d
    per_item = raw.get("minutes_per_item")
    if not isinstance(per_item, int) or per_item < 1:
        raise ProtocolError("formats.json: needs minutes_per_item, a positive integer")
    common = _read(DATA / "agendas" / "common.json").get("items")
    shared = {item.id: item for item in _items(common, "agendas/common.json")}
    agendas = {}
    for name in FORMATS:
        data = _read(DATA / "agendas" / f"{name}.json")
        if data.get("format") != name:
            raise ProtocolError(f"agendas/{name}.json: its format is not {name!r}")
        phases = {
            phase: _items(data.get("phases", {}).get(phase), f"agendas/{name}.json {phase}", shared)
            for phase in PHASES
        }
        for phase, items in phases.items():
            # A session cannot hold more than its minutes allow (IPC's 30 minutes are not 50).
            if len(items) * per_item > defaults[name].minutes:
                raise ProtocolError(
                    f"agendas/{name}.json {phase}: {len(items)} items do not fit "
                    f"{defaults[name].minutes} minutes ({per_item} minutes an item)"
                )
        agendas[name] = Agenda(format=name, version=data["version"], phases=phases)
    for name in SESSION_AGENDAS:
        data = _read(DATA / "agendas" / f"{name}.json")
        if data.get("agenda") != name or data.get("for_format") not in FORMATS:
            raise ProtocolError(f"agendas/{name}.json: names another agenda or no format")
        items = _items(data.get("items"), f"agendas/{name}.json", shared)
        if len(items) * per_item > defaults[data["for_format"]].minutes:
            raise ProtocolError(f"agendas/{name}.json: {len(items)} items do not fit its format")
        # Every phase is the same list: the session's phase (from its number) does not change it.
        agendas[name] = Agenda(
            format=name, version=data["version"], phases=dict.fromkeys(PHASES, items)
        )
    techniques = _items(raw.get("techniques"), "formats.json techniques")
    return defaults, agendas, techniques


def defaults_for(course_format: str) -> FormatDefaults:
    return load()[0][course_format]


def agenda_for(course_format: str) -> Agenda:
    """A format's agenda, or a session agenda of ``SESSION_AGENDAS`` by its name."""
    return load()[1][course_format]


def techniques() -> tuple[Item, ...]:
    return load()[2]


def agenda_of(course_format: str, session_format: str) -> Agenda:
    """The agenda a session is ticked under: the format it was first ticked under (kept when
    the course's format changes later), else the course's format."""
    known = (*FORMATS, *SESSION_AGENDAS)
    return agenda_for(session_format if session_format in known else course_format)
