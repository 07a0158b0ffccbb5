"""Problem-area names and suggestion rules, as data (data/areas.json, data/suggestions.json).

Each suggestion names its rule and the evidence (events, people) that matched, so the clinician
sees why; nothing is applied automatically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import get_language

DATA = Path(__file__).resolve().parent / "data"
AREAS = ("grief", "dispute", "transition", "deficits")
KINDS = ("event_in_window", "person_conflict", "few_people")


class RuleError(ValueError):
    pass


def _lang(text: dict) -> str:
    return text.get((get_language() or "en")[:2]) or text["en"]


@cache
def load() -> tuple[dict, dict]:
    areas = json.loads((DATA / "areas.json").read_text(encoding="utf-8"))
    rules = json.loads((DATA / "suggestions.json").read_text(encoding="utf-8"))
    for rule in rules["rules"]:
        if rule.get("area") not in AREAS or rule.get("kind") not in KINDS:
            raise RuleError(
                f"suggestions.json: rule {rule.get('id')!r} has an unknown area or kind"
            )
        if "en" not in rule.get("reason", {}):
            raise RuleError(f"suggestions.json: rule {rule['id']!r} needs an English reason")
    for scheme in areas["names"].values():
        if not set(scheme) <= set(AREAS):
            raise RuleError("areas.json: unknown area in names")
    return areas, rules


SCRIPT = (
    "symptoms",
    "illness",
    "link",
    "onset",
    "connection",
    "secondary",
    "strengths",
    "sessions",
    "plan",
)


@cache
def client_text() -> dict:
    """The words the client reads (data/client_text.json): plain names of the areas, what we
    will do for each, and the sentences of the formulation text, in each language."""
    data = json.loads((DATA / "client_text.json").read_text(encoding="utf-8"))
    for part in ("names", "aims"):
        if set(data[part]) != set(AREAS) or any("en" not in t for t in data[part].values()):
            raise RuleError(f"client_text.json: {part} needs every area, each in English")
    if set(data["script"]) != set(SCRIPT):
        raise RuleError("client_text.json: the script has unknown or missing sentences")
    return data


def plain_name(area: str) -> str:
    """The area as the client reads it (WHO group IPT's plain names, in our words)."""
    names = client_text()["names"]
    return _lang(names[area]) if area in names else ""


def client_aim(area: str) -> str:
    return _lang(client_text()["aims"][area])


def sentence(key: str, n: int | None = None) -> str:
    """One sentence of the client's formulation text; one with a count ("one" and "other"
    forms, as in English and Spanish) takes ``n``."""
    entry = client_text()["script"][key]
    if "one" in entry:
        entry = entry["one"] if n == 1 else entry["other"]
    return _lang(entry)


def scheme() -> str:
    return settings.GENTLE_PROBLEM_AREAS


def area_choices() -> list[tuple[str, str]]:
    names = load()[0]["names"][scheme()]
    return [(area, _lang(names[area])) for area in AREAS if area in names]


def area_name(area: str) -> str:
    names = load()[0]["names"][scheme()]
    return _lang(names[area]) if area in names else area


def aim(area: str) -> str:
    return _lang(load()[0]["aims"][area])


def goal_templates(area: str) -> list[str]:
    return [_lang(t) for t in load()[0]["goal_templates"].get(area, [])]


@dataclass
class Suggestion:
    area: str
    rule_id: str
    reason: str
    evidence: list = field(default_factory=list)  # (kind, object) pairs


def suggest(people, rows) -> list[Suggestion]:
    """Apply the rules to the inventory (people) and the timeline rows (with near_onset)."""
    suggestions: dict[str, Suggestion] = {}
    allowed = {area for area, _name in area_choices()}
    for rule in load()[1]["rules"]:
        if rule["area"] not in allowed:
            continue
        evidence = []
        if rule["kind"] == "event_in_window":
            evidence = [
                ("event", r.obj)
                for r in rows
                if r.kind == "event" and r.near_onset and r.obj.category in rule["categories"]
            ]
        elif rule["kind"] == "person_conflict":
            evidence = [
                ("person", p)
                for p in people
                if p.in_conflict
                and p.ring <= rule["ring_max"]
                and p.expectations_met in rule["expectations_met"]
            ]
        elif rule["kind"] == "few_people":
            others = set(rule.get("unless_suggested", ())) & set(suggestions)
            current = [p for p in people if not (p.deceased or p.lost_contact or p.past)]
            if not others and len(current) <= rule["max_people"]:
                evidence = [("person", p) for p in current] or [("none", None)]
        if evidence:
            found = suggestions.setdefault(
                rule["area"], Suggestion(rule["area"], rule["id"], _lang(rule["reason"]))
            )
            found.evidence.extend(e for e in evidence if e[0] != "none")
    return list(suggestions.values())
