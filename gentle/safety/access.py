"""The door to alerts: through their client's care team, or, for an escalated alert still
open, as the clinic's safety lead (who is told of it by email, ADR 0016)."""

from django.db import transaction
from django.http import Http404

from gentle.accounts.context import clinic_context
from gentle.accounts.models import Role
from gentle.audit.log import record
from gentle.clients.access import as_id, client_for
from gentle.clients.models import Client
from gentle.safety.models import Alert, SafetySettings


def alert_for(request, alert_id, *, write: bool = False) -> Alert:
    alert = Alert.objects.filter(pk=as_id(alert_id)).first()
    if alert is None:
        raise Http404
    try:
        alert.client = client_for(
            request,
            alert.client_id,
            write=write,
            action="alert.open" if write else "alert.view",
            object_type="alert",
            object_id=alert.pk,
        )
    except Http404:
        if write:
            raise
        alert.client = _as_safety_lead(request, alert)
    return alert


def _as_safety_lead(request, alert: Alert) -> Client:
    """The alert's client for the clinic's safety lead, read only, while the alert is escalated
    and open (else 404); audited as ``via=safety_lead``."""
    context = clinic_context(request)
    if (
        alert.escalated_at is None
        or not alert.is_open
        or context.clinic is None
        or not context.has(Role.CLINICIAN, Role.SUPERVISOR)
        or not SafetySettings.objects.filter(
            clinic=context.clinic, safety_lead=request.user
        ).exists()
    ):
        raise Http404
    client = Client.objects.filter(pk=alert.client_id, clinic=context.clinic).first()
    if client is None:
        raise Http404
    client.via_team_clinician = client.via_team_supervisor = False
    client.via_supervision = client.via_break_glass = False
    with transaction.atomic():
        record(
            "alert.view",
            request=request,
            role=context.primary_role(),
            clinic_id=client.clinic_id,
            client_id=client.pk,
            object_type="alert",
            object_id=alert.pk,
            detail="via=safety_lead",
        )
    return client
