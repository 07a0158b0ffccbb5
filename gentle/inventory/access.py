"""The door to inventory people and snapshots: through their client's care team."""

from django.http import Http404

from gentle.clients.access import as_id, client_for
from gentle.inventory.models import Person, Snapshot


def person_for(request, person_id, *, write: bool = False) -> Person:
    person = Person.objects.filter(pk=as_id(person_id)).first()
    if person is None:
        raise Http404
    person.client = client_for(
        request,
        person.client_id,
        write=write,
        action="inventory.open" if write else "inventory.view",
        object_type="person",
        object_id=person.pk,
    )
    return person


def snapshots_for(request, client, ids) -> list[Snapshot]:
    """Snapshots of this (already permitted) client by id; 404 if any is not theirs."""
    wanted = [as_id(i) for i in ids]
    found = {s.pk: s for s in Snapshot.objects.filter(client=client, pk__in=wanted)}
    if len(found) != len(set(wanted)):
        raise Http404
    return [found[i] for i in wanted]
