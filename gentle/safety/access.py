"""The door to alerts and safety plans: through their client's care team, the client
themself in the portal, or, for an escalated alert still open, the clinic's safety lead (who is
told of it by email, ADR 0019)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.http import Http404

from gentle.accounts.context import clinic_context
from gentle.accounts.decorators import AuthenticatedHttpRequest
from gentle.accounts.models import Role
from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.clients.access import (
    May,
    as_id,
    audit_own,
    client_for,
    own_client,
    visible_clients,
)
from gentle.clients.models import Client
from gentle.safety.models import Alert, SafetyPlanVersion, SafetySettings

if TYPE_CHECKING:
    from gentle.clients.access import AccessedClient


def alert_for(
    request: AuthenticatedHttpRequest, alert_id: str | int, *, work: bool = False
) -> Alert:
    """The alert if this person may see it (``work=True``: act on it); else 404, the same for
    missing and forbidden. Audited as alert.view, or alert.open for work."""
    alert = Alert.objects.select_related("acknowledged_by").filter(pk=as_id(alert_id)).first()
    if alert is None:
        raise Http404
    escalated = alert.escalated_at is not None
    if work:
        # Checked before the door's audit row, so that a refused attempt records no opening.
        seen = visible_clients(request).filter(pk=alert.client_id).first()
        if seen is None or not May.of(seen).on_alert(escalated=escalated).write:
            alert.client = _as_safety_lead(request, alert, work=True)
            alert.may = alert.client.may.on_alert(escalated=escalated)
            return alert
    try:
        alert.client = client_for(
            request,
            alert.client_id,
            action=Action.ALERT_OPEN if work else Action.ALERT_VIEW,
            object_type="alert",
            object_id=alert.pk,
        )
    except Http404:
        alert.client = _as_safety_lead(request, alert)
    alert.may = alert.client.may.on_alert(escalated=escalated)
    return alert


def plan_client(
    request: AuthenticatedHttpRequest, client_id: str | int, *, write: bool = False
) -> AccessedClient:
    """The client whose safety plan the care team opens (``write``: the team's clinicians or
    break-glass); 404 otherwise. Audited as safety_plan.view / safety_plan.open."""
    return client_for(
        request,
        client_id,
        write=write,
        action=Action.SAFETY_PLAN_OPEN if write else Action.SAFETY_PLAN_VIEW,
        object_type="safety_plan",
        object_id=as_id(client_id),
    )


def own_plan_client(request: AuthenticatedHttpRequest, *, write: bool = False) -> Client:
    """The signed-in client, opening their own safety plan in the portal (404 for anyone
    else). Audited."""
    client = own_client(request)
    action = Action.PORTAL_SAFETY_PLAN_OPEN if write else Action.PORTAL_SAFETY_PLAN_VIEW
    audit_own(client, action, object_type="safety_plan", object_id=client.pk)
    return client


def audit_plan_read(
    request: AuthenticatedHttpRequest | None,
    client: Client,
    version: SafetyPlanVersion,
    *,
    via: str,
) -> None:
    """A safety plan shown outside its own page (a crisis response, the alert page)."""
    own = request is not None and client.user_id is not None and request.user.pk == client.user_id
    with transaction.atomic():
        record(
            Action.SAFETY_PLAN_VIEW,
            role=Role.CLIENT if own else "",
            clinic_id=client.clinic_id,
            client_id=client.pk,
            object_type="safety_plan",
            object_id=client.pk,
            detail=f"version={version.number} via={via}",
        )


def _as_safety_lead(
    request: AuthenticatedHttpRequest, alert: Alert, *, work: bool = False
) -> Client:
    """The alert's client for the clinic's safety lead, while the alert is escalated and open
    (else 404): the last one it escalates to, who may also act on it; audited with
    ``via=safety_lead``."""
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
    client.may = May.as_safety_lead(context.primary_role())
    with transaction.atomic():
        record(
            Action.ALERT_OPEN if work else Action.ALERT_VIEW,
            role=context.primary_role(),
            clinic_id=client.clinic_id,
            client_id=client.pk,
            object_type="alert",
            object_id=alert.pk,
            detail="via=safety_lead",
        )
    return client
