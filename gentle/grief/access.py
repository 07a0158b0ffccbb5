"""The door to losses and transitions: through their client's care team."""

from django.http import Http404

from gentle.clients.access import as_id, client_for
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
