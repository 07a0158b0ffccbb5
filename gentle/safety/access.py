"""The door to alerts: through their client's care team."""

from django.http import Http404

from gentle.accounts.models import Role
from gentle.clients.access import as_id, client_for, visible_clients
from gentle.safety.models import Alert


def may_work_on(alert: Alert, client) -> bool:
    """Who may act on an alert (log contact attempts, close it): the clinicians of the care
    team or holding a break-glass grant; once it is escalated, also the client's supervisors
    (on the care team or supervising its clinician). ``client`` is annotated by the clients
    app's door (``via_*``)."""
    if client.via_team_clinician or client.via_break_glass:
        return True
    return alert.escalated_at is not None and (client.via_team_supervisor or client.via_supervision)


def alert_for(request, alert_id, *, work: bool = False) -> Alert:
    """The alert if this person may see it (``work=True``: act on it); else 404, the same for
    missing and forbidden. Audited as alert.view, or alert.open for work."""
    alert = Alert.objects.select_related("acknowledged_by").filter(pk=as_id(alert_id)).first()
    if alert is None:
        raise Http404
    if work:
        # Checked before the door's audit row, so that a refused attempt records no opening.
        seen = visible_clients(request).filter(pk=alert.client_id).first()
        if seen is None or not may_work_on(alert, seen):
            raise Http404
    alert.client = client_for(
        request,
        alert.client_id,
        action="alert.open" if work else "alert.view",
        object_type="alert",
        object_id=alert.pk,
    )
    return alert


def acting_role(client) -> str:
    """The role in which this person acts on the client's alert (for the audit row)."""
    if client.via_team_clinician or client.via_break_glass:
        return Role.CLINICIAN
    return Role.SUPERVISOR
