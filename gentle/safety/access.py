"""The door to alerts and safety plans: through their client's care team, the client
themself in the portal, or, for an escalated alert still open, the clinic's safety lead (who is
told of it by email, ADR 0019)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.db import transaction
from django.http import Http404

from gentle.accounts.context import clinic_context
from gentle.accounts.decorators import AuthenticatedHttpRequest
from gentle.accounts.models import Role
from gentle.audit.log import record
from gentle.clients.access import Via, as_id, audit_own, client_for, own_client, visible_clients
from gentle.clients.models import Client
from gentle.safety.models import Alert, SafetyPlanVersion, SafetySettings

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from gentle.clients.access import AccessedClient


class SafetyLeadVia(Via):
    """The door's annotations on a client opened by the clinic's safety lead, who is not on
    its care team: all false, and the role they act in."""

    via_safety_lead: str


def may_work_on(alert: Alert, client: AccessedClient) -> bool:
    """Who may act on an alert (log contact attempts, close it): the clinicians of the care
    team or holding a break-glass grant; once it is escalated, also the client's supervisors
    (on the care team or supervising its clinician) and the clinic's safety lead. ``client`` is
    annotated by the clients app's door (``via_*``) or by ``_as_safety_lead``."""
    if client.via_team_clinician or client.via_break_glass:
        return True
    return alert.escalated_at is not None and (
        client.via_team_supervisor
        or client.via_supervision
        or bool(getattr(client, "via_safety_lead", None))
    )


def alert_for(request: AuthenticatedHttpRequest, alert_id: int, *, work: bool = False) -> Alert:
    """The alert if this person may see it (``work=True``: act on it); else 404, the same for
    missing and forbidden. Audited as alert.view, or alert.open for work."""
    alert = Alert.objects.select_related("acknowledged_by").filter(pk=as_id(alert_id)).first()
    if alert is None:
        raise Http404
    if work:
        # Checked before the door's audit row, so that a refused attempt records no opening.
        seen = visible_clients(request).filter(pk=alert.client_id).first()
        if seen is None or not may_work_on(alert, seen):
            alert.client = _as_safety_lead(request, alert, work=True)
            return alert
    try:
        alert.client = client_for(
            request,
            alert.client_id,
            action="alert.open" if work else "alert.view",
            object_type="alert",
            object_id=alert.pk,
        )
    except Http404:
        alert.client = _as_safety_lead(request, alert)
    return alert


def acting_role(client: AccessedClient) -> str:
    """The role in which this person acts on the client's alert (for the audit row)."""
    if client.via_team_clinician or client.via_break_glass:
        return Role.CLINICIAN
    return getattr(client, "via_safety_lead", None) or Role.SUPERVISOR


def plan_client(
    request: AuthenticatedHttpRequest, client_id: int, *, write: bool = False
) -> AccessedClient:
    """The client whose safety plan the care team opens (``write``: the team's clinicians or
    break-glass); 404 otherwise. Audited as safety_plan.view / safety_plan.open."""
    return client_for(
        request,
        client_id,
        write=write,
        action="safety_plan.open" if write else "safety_plan.view",
        object_type="safety_plan",
        object_id=as_id(client_id),
    )


def own_plan_client(request: AuthenticatedHttpRequest, *, write: bool = False) -> Client:
    """The signed-in client, opening their own safety plan in the portal (404 for anyone
    else). Audited."""
    client = own_client(request)
    action = "portal.safety_plan_open" if write else "portal.safety_plan_view"
    audit_own(request, client, action, object_type="safety_plan", object_id=client.pk)
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
            "safety_plan.view",
            request=request,
            role=Role.CLIENT if own else "",
            clinic_id=client.clinic_id,
            client_id=client.pk,
            object_type="safety_plan",
            object_id=client.pk,
            detail=f"version={version.number} via={via}",
        )


def _as_safety_lead(
    request: AuthenticatedHttpRequest, alert: Alert, *, work: bool = False
) -> WithAnnotations[Client, SafetyLeadVia]:
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
    found = Client.objects.filter(pk=alert.client_id, clinic=context.clinic).first()
    if found is None:
        raise Http404
    # Annotated by hand just below, as the door annotates the clients it opens.
    client = cast("WithAnnotations[Client, SafetyLeadVia]", found)
    client.via_team_clinician = client.via_team_supervisor = False
    client.via_supervision = client.via_break_glass = False
    client.via_safety_lead = context.primary_role()
    with transaction.atomic():
        record(
            "alert.open" if work else "alert.view",
            request=request,
            role=context.primary_role(),
            clinic_id=client.clinic_id,
            client_id=client.pk,
            object_type="alert",
            object_id=alert.pk,
            detail="via=safety_lead",
        )
    return client
