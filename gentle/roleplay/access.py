"""The door to scenarios and rehearsals: through the client's care team, or, in the portal, to
the client's own scenarios (shared with them or written by them) and their rehearsals."""

from gentle.clients.access import client_object, own_shared_object
from gentle.roleplay.models import Rehearsal, Scenario


def scenario_for(request, scenario_id, *, write: bool = False) -> Scenario:
    return client_object(request, Scenario, scenario_id, write=write, verb="scenario")


def rehearsal_for(request, rehearsal_id, *, write: bool = False) -> Rehearsal:
    return client_object(request, Rehearsal, rehearsal_id, write=write, verb="rehearsal")


def portal_scenario(request, scenario_id, *, write: bool = False) -> Scenario:
    return own_shared_object(request, Scenario, scenario_id, write=write, verb="scenario")


def portal_rehearsal(request, rehearsal_id, *, write: bool = False) -> Rehearsal:
    return own_shared_object(
        request,
        Rehearsal,
        rehearsal_id,
        write=write,
        verb="rehearsal",
        shared="scenario__shared_with_client",
    )
