"""The door to alerts: through their client's care team."""

from django.http import Http404

from gentle.clients.access import as_id, client_for
from gentle.safety.models import Alert


def alert_for(request, alert_id, *, write: bool = False) -> Alert:
    alert = Alert.objects.filter(pk=as_id(alert_id)).first()
    if alert is None:
        raise Http404
    alert.client = client_for(
        request,
        alert.client_id,
        write=write,
        action="alert.open" if write else "alert.view",
        object_type="alert",
        object_id=alert.pk,
    )
    return alert
