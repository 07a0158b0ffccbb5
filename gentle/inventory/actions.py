"""Writes to the inventory, the circle and snapshots; each audited without the text."""

from __future__ import annotations

import unicodedata

from django.db import IntegrityError, transaction
from django.utils import timezone

from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.inventory.models import Person, Snapshot
from gentle.safety.actions import Heard, text_hear
from gentle.safety.hearing import source_key, words_of


class DuplicatePerson(Exception):
    """The client's inventory already has someone of this name."""


PERSON_TEXTS = (
    "name",
    "activities",
    "satisfying",
    "unsatisfying",
    "expectations",
    "can_talk",
    "cannot_talk",
    "conflicts",
    "change_since_onset",
    "change_wanted",
    "notes",
)


def name_key(name: str) -> str:
    """Names compare without regard to case or Unicode form ('Ángela' and 'ángela' are one)."""
    return unicodedata.normalize("NFC", name.strip()).casefold()[:100]


def person_save(
    *, by, client, fields: dict, person: Person | None = None, role="clinician"
) -> tuple[Person, Heard | None]:
    """Add or change a person. A client's own addition (``role="client"``) arrives as a draft
    that waits for the clinician's review; its words go through the safety path in the same
    transaction, and the ``Heard`` returned tells the page to show the crisis response (None
    when the care team wrote)."""
    fields = {**fields, "name_key": name_key(fields["name"])}
    try:
        with transaction.atomic():
            if person is None:
                person = Person.objects.create(client=client, updated_by=by, **fields)
                action = Action.INVENTORY_ADD
            else:
                for name, value in fields.items():
                    setattr(person, name, value)
                person.updated_by, person.updated_at = by, timezone.now()
                person.save()
                action = Action.INVENTORY_UPDATE
            record(
                action,
                actor=by,
                client=client,
                object_type="person",
                object_id=person.pk,
                role=role,
            )
            heard = None
            if role == "client":
                words = words_of(*(fields.get(name) for name in PERSON_TEXTS))
                heard = text_hear(
                    client=client,
                    text=words,
                    source="people_draft",
                    source_id=source_key(person.pk, words),
                    actor=by,
                )
    except IntegrityError:
        raise DuplicatePerson from None
    return person, heard


def person_move(*, by, person: Person, ring: int) -> None:
    with transaction.atomic():
        Person.objects.filter(pk=person.pk).update(
            ring=ring, updated_by=by, updated_at=timezone.now()
        )
        record(
            Action.INVENTORY_MOVE,
            actor=by,
            client=person.client,
            object_type="person",
            object_id=person.pk,
            detail=f"ring={ring}",
        )


def person_accept(*, by, person: Person) -> None:
    with transaction.atomic():
        Person.objects.filter(pk=person.pk).update(
            accepted=True, updated_by=by, updated_at=timezone.now()
        )
        record(
            Action.INVENTORY_ACCEPT,
            actor=by,
            client=person.client,
            object_type="person",
            object_id=person.pk,
        )


def person_remove(*, by, person: Person) -> None:
    with transaction.atomic():
        record(
            Action.INVENTORY_REMOVE,
            actor=by,
            client=person.client,
            object_type="person",
            object_id=person.pk,
        )
        person.delete()


SNAPSHOT_FIELDS = (
    "id",
    "name",
    "relationship",
    "ring",
    "supportive",
    "in_conflict",
    "in_focus",
    "deceased",
    "lost_contact",
    "past",
)


def snapshot_take(*, by, client, label: str) -> Snapshot:
    people = [
        {field: getattr(p, field) for field in SNAPSHOT_FIELDS}
        for p in Person.objects.filter(client=client, accepted=True)
    ]
    with transaction.atomic():
        snapshot = Snapshot.objects.create(client=client, label=label, taken_by=by, people=people)
        record(
            Action.INVENTORY_SNAPSHOT,
            actor=by,
            client=client,
            object_type="snapshot",
            object_id=snapshot.pk,
            detail=f"people={len(people)}",
        )
    return snapshot
