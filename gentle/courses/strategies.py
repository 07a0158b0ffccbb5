"""Middle-phase strategies per problem area and dispute stage, as data (data/strategies.json).

The middle phase of a session's agenda is the format's own items followed by the strategies of
the course's agreed focus: the primary area, then the secondary one, a role dispute by its
stage. Read and validated at start-up (CoursesConfig.ready) like the format agendas, kept in a
file of its own so that each format's agenda stays the format's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gentle.courses import protocol
from gentle.courses.protocol import DATA, Item, ProtocolError
from gentle.lib.course_focus import Focus

FILE = "strategies.json"
AREAS = ("grief", "dispute", "transition", "deficits")
STAGES = ("renegotiation", "impasse", "dissolution")
AREA_LABELS = {
    "grief": gettext_lazy("For the grief"),
    "dispute": gettext_lazy("For the role dispute"),
    "transition": gettext_lazy("For the role transition"),
    "deficits": gettext_lazy("For the interpersonal deficits"),
}
STAGE_LABELS = {
    "renegotiation": gettext_lazy("renegotiation"),
    "impasse": gettext_lazy("impasse"),
    "dissolution": gettext_lazy("dissolution"),
}


@dataclass(frozen=True)
class Strategy(Item):
    techniques: tuple[str, ...] = ()


@dataclass(frozen=True)
class Strategies:
    version: int
    # (area, stage) -> items; stage "" holds an area's items when it has no stages, and a
    # dispute's items while its stage is not yet known.
    items: dict[tuple[str, str], tuple[Strategy, ...]]
    # Items once on an agenda and no longer: their text, so that old ticks still read.
    retired: tuple[Item, ...]


@dataclass(frozen=True)
class Group:
    """One group of a session's agenda: the format's own items (area ""), or an area's."""

    area: str
    stage: str
    secondary: bool
    items: tuple[Item, ...] = field(default=())

    @property
    def label(self) -> str:
        if not self.area:
            return ""
        label = str(AREA_LABELS[self.area])
        if self.stage:
            label = _("%(focus)s — %(stage)s") % {"focus": label, "stage": STAGE_LABELS[self.stage]}
        if self.secondary:
            label = _("%(focus)s (secondary focus)") % {"focus": label}
        return label


def _strategies(raw: Any, where: str, known: set[str]) -> tuple[Strategy, ...]:
    items = protocol._items(raw, where)
    result = []
    for item, entry in zip(items, raw, strict=True):
        techniques = entry.get("techniques")
        if not isinstance(techniques, list) or not techniques:
            raise ProtocolError(f"{where}: {item.id}: needs a non-empty list of techniques")
        unknown = [t for t in techniques if t not in known]
        if unknown:
            raise ProtocolError(f"{where}: {item.id}: unknown techniques {unknown}")
        result.append(Strategy(item.id, item.en, item.es, techniques=tuple(techniques)))
    return tuple(result)


@cache
def load() -> Strategies:
    raw = protocol._read(DATA / FILE)
    known = {t.id for t in protocol.techniques()}
    areas = raw.get("areas")
    if not isinstance(areas, dict) or set(areas) != set(AREAS):
        raise ProtocolError(f"{FILE}: needs exactly the areas {', '.join(AREAS)}")
    items: dict[tuple[str, str], tuple[Strategy, ...]] = {}
    for area in AREAS:
        entry = areas[area]
        items[(area, "")] = _strategies(entry.get("items"), f"{FILE} {area}", known)
        stages = entry.get("stages")
        if area != "dispute":
            if stages is not None:
                raise ProtocolError(f"{FILE}: {area}: only a role dispute has stages")
            continue
        if not isinstance(stages, dict) or set(stages) != set(STAGES):
            raise ProtocolError(f"{FILE}: dispute: needs exactly the stages {', '.join(STAGES)}")
        for stage in STAGES:
            items[(area, stage)] = _strategies(stages[stage], f"{FILE} dispute {stage}", known)
    retired = protocol._items(raw.get("retired"), f"{FILE} retired")
    ids = [item.id for group in items.values() for item in group]
    agenda_ids = {
        item.id
        for agenda in protocol.load()[1].values()
        for phase in agenda.phases.values()
        for item in phase
    }
    if len(set(ids)) != len(ids):
        raise ProtocolError(f"{FILE}: item ids repeat")
    clash = sorted(set(ids) & agenda_ids)
    if clash:
        raise ProtocolError(f"{FILE}: ids also used by a format's agenda: {clash}")
    return Strategies(version=raw["version"], items=items, retired=retired)


def groups(course_format: str, phase: str, focus: Focus) -> list[Group]:
    """A session's agenda in groups: the format's items for the phase, then (in the middle
    phase) the strategies of each area of the focus, primary first."""
    result = [Group("", "", False, protocol.agenda_for(course_format).phases[phase])]
    if phase != "middle":
        return result
    items = load().items
    for index, (area, stage) in enumerate(focus.areas):
        if area not in AREAS:
            continue
        stage = stage if (area, stage) in items else ""
        result.append(Group(area, stage, index > 0, items[(area, stage)]))
    return result


def flat(agenda: list[Group]) -> list[Item]:
    return [item for group in agenda for item in group.items]


@cache
def _every_item() -> dict[str, Item]:
    # The first text an id has, formats in their order (an id such as "inventory" is in
    # several formats' agendas, worded for each; the individual format's is the general one).
    found: dict[str, Item] = {}
    for agenda in protocol.load()[1].values():
        for phase in agenda.phases.values():
            for item in phase:
                found.setdefault(item.id, item)
    for group in load().items.values():
        for item in group:
            found.setdefault(item.id, item)
    for item in load().retired:
        found.setdefault(item.id, item)
    return found


def named(ids: list[str]) -> list[tuple[str, str]]:
    """Ticked ids that are not on the agenda shown (the focus or the agenda changed since),
    with their text where any agenda knows it, else the id itself."""
    every = _every_item()
    return [(i, every[i].text if i in every else i) for i in ids]
