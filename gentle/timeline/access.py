"""The door to timeline events: through their client's care team."""

from django.http import Http404

from gentle.clients.access import as_id, client_for
from gentle.timeline.models import LifeEvent


def event_for(request, event_id, *, write: bool = False) -> LifeEvent:
    event = LifeEvent.objects.filter(pk=as_id(event_id)).first()
    if event is None:
        raise Http404
    event.client = client_for(
        request,
        event.client_id,
        write=write,
        action="timeline.open" if write else "timeline.view",
        object_type="life_event",
        object_id=event.pk,
    )
    return event
