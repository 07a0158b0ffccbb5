"""The door to inventory people and snapshots: through their client's care team."""

from django.http import Http404

from gentle.clients.access import as_id, client_object
from gentle.inventory.models import Person, Snapshot


def person_for(request, person_id, *, write: bool = False) -> Person:
    return client_object(request, Person, person_id, write=write, verb="inventory")


def snapshots_for(request, client, ids) -> list[Snapshot]:
    """Snapshots of this (already permitted) client by id; 404 if any is not theirs."""
    wanted = [as_id(i) for i in ids]
    found = {s.pk: s for s in Snapshot.objects.filter(client=client, pk__in=wanted)}
    if len(found) != len(set(wanted)):
        raise Http404
    return [found[i] for i in wanted]
