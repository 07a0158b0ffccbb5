"""The client's people, offered to the apps that may not read the inventory (role plays on the
session page; docs/adr/0050-role-plays-tied-to-the-inventory.md)."""

from __future__ import annotations

from collections.abc import Collection

from django.urls import reverse

from gentle.inventory.models import Person, Relationship
from gentle.lib.client_people import People, PersonRef


def _ref(person: Person) -> PersonRef:
    return PersonRef(
        id=person.pk,
        name=person.name,
        relationship=str(Relationship(person.relationship).label),
        url=reverse("person_edit", kwargs={"person_id": person.pk}),
    )


def offered(client_id: int) -> list[PersonRef]:
    """The people the clinician accepted into the inventory (not a client's draft), closest
    ring first."""
    return [_ref(p) for p in Person.objects.filter(client_id=client_id, accepted=True)]


def named(client_id: int, ids: Collection[int]) -> dict[int, PersonRef]:
    """Only this client's people: an id of another client's person names nobody."""
    return {p.pk: _ref(p) for p in Person.objects.filter(client_id=client_id, pk__in=list(ids))}


PEOPLE = People(offered=offered, named=named)
