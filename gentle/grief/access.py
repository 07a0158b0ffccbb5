"""The door to losses and transitions: through their client's care team."""

from django.http import Http404

from gentle.clients.access import as_id, audit_own, client_for, own_client
from gentle.grief.models import Loss, Transition


def loss_for(request, loss_id, *, write: bool = False) -> Loss:
    loss = Loss.objects.filter(pk=as_id(loss_id)).first()
    if loss is None:
        raise Http404
    loss.client = client_for(
        request,
        loss.client_id,
        write=write,
        action="grief.open" if write else "grief.view",
        object_type="loss",
        object_id=loss.pk,
    )
    return loss


def transition_for(request, transition_id, *, write: bool = False) -> Transition:
    transition = Transition.objects.filter(pk=as_id(transition_id)).first()
    if transition is None:
        raise Http404
    transition.client = client_for(
        request,
        transition.client_id,
        write=write,
        action="transition.open" if write else "transition.view",
        object_type="transition",
        object_id=transition.pk,
    )
    return transition


def portal_loss(request, loss_id, *, write: bool = False) -> Loss:
    """A loss of the signed-in client's own that the care team has shared with them."""
    client = own_client(request)
    loss = Loss.objects.filter(pk=as_id(loss_id), client=client, shared_with_client=True).first()
    if loss is None:
        raise Http404
    action = "portal.grief_open" if write else "portal.grief_view"
    audit_own(request, client, action, object_type="loss", object_id=loss.pk)
    loss.client = client
    return loss


def portal_transition(request, transition_id, *, write: bool = False) -> Transition:
    """A transition worksheet of the signed-in client's own, shared with them."""
    client = own_client(request)
    transition = Transition.objects.filter(
        pk=as_id(transition_id), client=client, shared_with_client=True
    ).first()
    if transition is None:
        raise Http404
    action = "portal.transition_open" if write else "portal.transition_view"
    audit_own(request, client, action, object_type="transition", object_id=transition.pk)
    transition.client = client
    return transition
