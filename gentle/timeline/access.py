"""The door to timeline events: through their client's care team."""

from gentle.clients.access import client_object
from gentle.timeline.models import LifeEvent


def event_for(request, event_id, *, write: bool = False) -> LifeEvent:
    return client_object(
        request, LifeEvent, event_id, write=write, verb="timeline", object_type="life_event"
    )
