"""The door to losses and transitions: through their client's care team, or, in the portal,
to the client's own when the care team has shared them."""

from gentle.clients.access import client_object, own_shared_object
from gentle.grief.models import Loss, Transition


def loss_for(request, loss_id, *, write: bool = False) -> Loss:
    return client_object(request, Loss, loss_id, write=write, verb="grief")


def transition_for(request, transition_id, *, write: bool = False) -> Transition:
    return client_object(request, Transition, transition_id, write=write, verb="transition")


def portal_loss(request, loss_id, *, write: bool = False) -> Loss:
    return own_shared_object(request, Loss, loss_id, write=write, verb="grief")


def portal_transition(request, transition_id, *, write: bool = False) -> Transition:
    return own_shared_object(request, Transition, transition_id, write=write, verb="transition")
