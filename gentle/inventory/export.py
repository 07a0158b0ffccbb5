"""The people in the client's life and the saved views of them, as sections of the client's
copy of their record (docs/record-export.md, gentle/lib/record_sections.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from gentle.clients.models import Client
from gentle.inventory.models import Answer, Frequency, Person, Relationship, Snapshot
from gentle.lib.record_sections import Row, Section, fields

PERSON_FIELDS = (
    "id",
    "name",
    "relationship",
    "ring",
    "contact",
    "activities",
    "satisfying",
    "unsatisfying",
    "expectations",
    "expectations_met",
    "can_talk",
    "cannot_talk",
    "conflicts",
    "in_conflict",
    "knows_about_depression",
    "supportive",
    "confides",
    "change_since_onset",
    "change_wanted",
    "in_focus",
    "deceased",
    "lost_contact",
    "past",
    "notes",
    "accepted",
    "updated_at",
)


def _inventory(client: Client) -> list[Row]:
    """The people in the client's life (the interpersonal inventory)."""
    return [fields(p, PERSON_FIELDS) for p in Person.objects.filter(client=client)]


def _snapshots(client: Client) -> list[Row]:
    """The inventory as it stood on dates the clinician saved."""
    rows = Snapshot.objects.filter(client=client)
    return [fields(s, ("label", "taken_at", "people")) for s in rows]


INVENTORY = Section(
    key="inventory",
    build=_inventory,
    title=gettext_lazy("People in my life"),
    template="inventory/record_copy/inventory.html",
    dates=frozenset({"updated_at"}),
    labels={
        "": {
            "relationship": Relationship,
            "contact": Frequency,
            "expectations_met": Answer,
            "knows_about_depression": Answer,
        }
    },
)
SNAPSHOTS = Section(
    key="snapshots",
    build=_snapshots,
    title=gettext_lazy("Saved views of the people in my life"),
    template="inventory/record_copy/snapshots.html",
    dates=frozenset({"taken_at"}),
    labels={"people": {"relationship": Relationship}},
)

SECTIONS = (INVENTORY, SNAPSHOTS)
