"""Reads: the circle's people, and what changed between two snapshots."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from gentle.inventory.models import Person


def rings() -> int:
    return settings.GENTLE_CIRCLE_RINGS


def circle_people(people) -> list[dict]:
    """People (models, or dicts from a snapshot) as the circle drawing wants them."""

    def get(person, name):
        return person[name] if isinstance(person, dict) else getattr(person, name)

    return [
        {
            "id": None if isinstance(p, dict) else p.pk,
            # Each person's place around the circle follows the order they were added in.
            "order": get(p, "id"),
            "name": get(p, "name"),
            "ring": get(p, "ring"),
            "support": get(p, "supportive"),
            "conflict": get(p, "in_conflict"),
            "focus": get(p, "in_focus"),
        }
        for p in people
    ]


def accepted_people(client) -> list[Person]:
    return list(Person.objects.filter(client=client, accepted=True))


@dataclass(frozen=True)
class Change:
    kind: str  # closer, further, new, gone, conflict_eased, conflict_new, support_new, ...
    name: str
    before: int | None = None
    after: int | None = None


def compare(before: list[dict], after: list[dict]) -> list[Change]:
    """What changed from one snapshot to another, person by person (matched by id)."""
    old = {p["id"]: p for p in before}
    new = {p["id"]: p for p in after}
    changes = []
    for pid, person in new.items():
        if pid not in old:
            changes.append(Change("new", person["name"], None, person["ring"]))
            continue
        was = old[pid]
        if person["ring"] < was["ring"]:
            changes.append(Change("closer", person["name"], was["ring"], person["ring"]))
        elif person["ring"] > was["ring"]:
            changes.append(Change("further", person["name"], was["ring"], person["ring"]))
        if was["in_conflict"] and not person["in_conflict"]:
            changes.append(Change("conflict_eased", person["name"]))
        if person["in_conflict"] and not was["in_conflict"]:
            changes.append(Change("conflict_new", person["name"]))
        if person["supportive"] and not was["supportive"]:
            changes.append(Change("support_new", person["name"]))
        if was["supportive"] and not person["supportive"]:
            changes.append(Change("support_lost", person["name"]))
    for pid, person in old.items():
        if pid not in new:
            changes.append(Change("gone", person["name"], person["ring"], None))
    return changes
