"""The door to communication work: through the client's care team, or, in the portal, to the
client's own exchanges and worksheets that the care team shared."""

from gentle.clients.access import client_object, own_shared_object
from gentle.communication.models import Exchange, Worksheet


def exchange_for(request, exchange_id, *, write: bool = False) -> Exchange:
    return client_object(request, Exchange, exchange_id, write=write, verb="exchange")


def worksheet_for(request, worksheet_id, *, write: bool = False) -> Worksheet:
    return client_object(request, Worksheet, worksheet_id, write=write, verb="worksheet")


def portal_exchange(request, exchange_id, *, write: bool = False) -> Exchange:
    return own_shared_object(request, Exchange, exchange_id, write=write, verb="exchange")


def portal_worksheet(request, worksheet_id, *, write: bool = False) -> Worksheet:
    return own_shared_object(request, Worksheet, worksheet_id, write=write, verb="worksheet")
