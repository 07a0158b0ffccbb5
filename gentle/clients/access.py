"""The one door to client data.

Every view that shows or changes anything belonging to a client fetches the client here. A
client that does not exist and a client the person may not see both raise Http404. Each
successful fetch writes an audit row in the same transaction.

Who sees a client (all within the request's clinic):
- a clinician on the client's care team;
- a supervisor on the care team, or supervising one of its clinicians;
- a clinician holding an unexpired break-glass grant;
- the client themself, through the portal (``own_client_record``).
Administrators manage records and care teams but do not open clinical pages.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict, TypeVar, cast

from django.db import transaction
from django.db.models import BooleanField, Exists, Model, OuterRef, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone

from gentle.accounts.context import clinic_context
from gentle.accounts.decorators import AuthenticatedHttpRequest
from gentle.accounts.models import Clinic, Invitation, Role, Supervision, User
from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.clients.models import BreakGlassGrant, CareTeamMember, Client, TeamRole

VIA_CARE_TEAM = "care_team"
VIA_SUPERVISION = "supervision"
VIA_BREAK_GLASS = "break_glass"
VIA_SAFETY_LEAD = "safety_lead"


class Via(TypedDict):
    """How the person may see a client: the annotations ``_annotated`` puts on each one."""

    via_team_clinician: bool
    via_team_supervisor: bool
    via_supervision: bool
    via_break_glass: bool


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # A client fetched through this door, carrying the ``Via`` annotations.
    AccessedClient: TypeAlias = WithAnnotations[Client, Via]


M = TypeVar("M", bound=Model)  # a model with a ``client`` foreign key, or ``through`` one


@dataclass(frozen=True)
class May:
    """What this person may do with one client's record, from the paths by which they reach it.
    Every door attaches it (``client.may``, and ``obj.may`` on the objects it returns); views
    and templates ask it and never look at the paths themselves."""

    via: str
    role: str  # the role in which they act on this record (written in the audit row)
    write: bool = False  # change the clinical record: the team's clinicians, or break glass
    manage_portal: bool = False  # invite, review, end portal access: the team's clinicians
    emergency: bool = False  # reached only through break glass (pages say so)
    supervise: bool = False  # a supervisor on the team, or supervising one of its clinicians
    safety_lead: bool = False  # the clinic's safety lead, reaching an escalated alert

    @classmethod
    def of(cls, client: AccessedClient) -> May:
        """From the ``via_*`` annotations of ``_annotated``."""
        clinician = bool(client.via_team_clinician)
        glass = bool(client.via_break_glass)
        supervise = bool(client.via_team_supervisor or client.via_supervision)
        return cls(
            via=access_path(client),
            role=Role.CLINICIAN if clinician or glass else Role.SUPERVISOR,
            write=clinician or glass,
            manage_portal=clinician,
            emergency=glass and not clinician,
            supervise=supervise,
        )

    @classmethod
    def as_safety_lead(cls, role: str) -> May:
        return cls(via=VIA_SAFETY_LEAD, role=role, safety_lead=True)

    def on_alert(self, *, escalated: bool) -> May:
        """What they may do with one alert of this client: act on it (``write``: log contact
        attempts, close it) if they may write the record; once it is escalated, also the
        client's supervisors and the clinic's safety lead (ADR 0019)."""
        return replace(
            self, write=self.write or (escalated and (self.supervise or self.safety_lead))
        )


def _annotated(request: AuthenticatedHttpRequest) -> QuerySet[AccessedClient] | None:
    """Clients of the request's clinic, annotated with each path by which this person may see
    them; None when the person holds no clinical role there."""
    context = clinic_context(request)
    if context.clinic is None or not context.has(Role.CLINICIAN, Role.SUPERVISOR):
        return None
    user = request.user
    team = CareTeamMember.objects.filter(client=OuterRef("pk"))
    no = Value(False, output_field=BooleanField())
    is_clinician = context.has(Role.CLINICIAN)
    is_supervisor = context.has(Role.SUPERVISOR)
    supervised = Supervision.objects.filter(clinic=context.clinic, supervisor=user)
    return Client.objects.filter(clinic=context.clinic).annotate(
        via_team_clinician=Exists(team.filter(user=user, role=TeamRole.CLINICIAN))
        if is_clinician
        else no,
        via_team_supervisor=Exists(team.filter(user=user, role=TeamRole.SUPERVISOR))
        if is_supervisor
        else no,
        via_supervision=Exists(
            team.filter(role=TeamRole.CLINICIAN, user__in=supervised.values("clinician"))
        )
        if is_supervisor
        else no,
        via_break_glass=Exists(
            BreakGlassGrant.objects.filter(
                client=OuterRef("pk"), user=user, expires_at__gt=timezone.now()
            )
        )
        if is_clinician
        else no,
    )


def _visible_filter() -> Q:
    return (
        Q(via_team_clinician=True)
        | Q(via_team_supervisor=True)
        | Q(via_supervision=True)
        | Q(via_break_glass=True)
    )


def visible_clients(request: AuthenticatedHttpRequest) -> QuerySet[AccessedClient]:
    """The clients this person may open in the request's clinic (annotated with how)."""
    annotated = _annotated(request)
    if annotated is None:
        # Empty, so no row lacks the annotations.
        return cast("QuerySet[AccessedClient]", Client.objects.none())
    return annotated.filter(_visible_filter())


def access_path(client: AccessedClient) -> str:
    if client.via_team_clinician or client.via_team_supervisor:
        return VIA_CARE_TEAM
    if client.via_supervision:
        return VIA_SUPERVISION
    return VIA_BREAK_GLASS


def as_id(value: str | int) -> int:
    """A positive database id from a URL or form value, or 404."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < number < 2**63:
        raise Http404
    return number


def client_for(
    request: AuthenticatedHttpRequest,
    client_id: str | int,
    *,
    action: str = Action.CLIENT_VIEW,
    detail: str = "",
    write: bool = False,
    object_type: str = "client",
    object_id: str | int | None = None,
) -> AccessedClient:
    """The client with this id if this person may see it (else 404); the access is audited.

    ``write=True`` asks for the right to change the client's clinical record: clinicians on the
    care team or holding a break-glass grant; supervisors read only.
    """
    annotated = _annotated(request)
    if annotated is None:
        raise Http404
    client = annotated.filter(_visible_filter(), pk=as_id(client_id)).first()
    if client is None:
        raise Http404
    client.may = May.of(client)
    if write and not client.may.write:
        raise Http404
    with transaction.atomic():
        record(
            action,
            client=client,
            object_type=object_type,
            object_id=client.pk if object_id is None else object_id,
            detail=" ".join(filter(None, [f"via={client.may.via}", detail])),
        )
    return client


def break_glass_candidate(request: AuthenticatedHttpRequest, client_id: str | int) -> Client:
    """A client of this clinic that a clinician may open by breaking the glass (404 otherwise,
    including for clients of other clinics)."""
    context = clinic_context(request)
    if context.clinic is None or not context.has(Role.CLINICIAN):
        raise Http404
    client = Client.objects.filter(clinic=context.clinic, pk=as_id(client_id)).first()
    if client is None:
        raise Http404
    return client


def managed_client(request: AuthenticatedHttpRequest, client_id: str | int) -> Client:
    """A client record of the administrator's clinic, for record and care-team management (no
    clinical content is shown through it)."""
    context = clinic_context(request)
    if context.clinic is None or not context.has(Role.ADMIN):
        raise Http404
    client = Client.objects.filter(clinic=context.clinic, pk=as_id(client_id)).first()
    if client is None:
        raise Http404
    return client


def own_client(request: AuthenticatedHttpRequest) -> Client:
    """The signed-in client's own record in the request's clinic (404 for anyone else).
    Not audited by itself: callers audit what they open (``own_client_record``, ``audit_own``)."""
    context = clinic_context(request)
    if context.clinic is None or not context.has(Role.CLIENT):
        raise Http404
    client = Client.objects.filter(clinic=context.clinic, user=request.user).first()
    if client is None:
        raise Http404
    return client


def audit_own(client: Client, action: str, *, object_type: str, object_id: str | int) -> None:
    """Audit the client opening part of their own record in the portal."""
    with transaction.atomic():
        record(
            action,
            role=Role.CLIENT,
            clinic_id=client.clinic_id,
            client_id=client.pk,
            object_type=object_type,
            object_id=object_id,
        )


def client_object(
    request: AuthenticatedHttpRequest,
    model: type[M],
    object_id: str | int,
    *,
    write: bool = False,
    verb: str,
    action: str | None = None,
    object_type: str | None = None,
    through: str | None = None,
) -> M:
    """An object of ``model`` through its client's door (404 for missing and forbidden alike),
    with ``.may`` (what this person may do with it); the per-kind doors (``course_for``,
    ``loss_for``, ...) are this, named. The object has a ``client`` foreign key, or reaches its
    client ``through`` one (a session through its course). Audited as ``<verb>.view``, or
    ``<verb>.open`` when opened to write, unless ``action`` names another read."""
    query = model._default_manager.all()
    found: M | None = (
        (query if through is None else query.select_related(through))
        .filter(pk=as_id(object_id))
        .first()
    )
    if found is None:
        raise Http404
    owner: Any = found if through is None else getattr(found, through)
    owner.client = client_for(
        request,
        owner.client_id,
        write=write,
        action=action or (f"{verb}.open" if write else f"{verb}.view"),
        object_type=object_type or cast(str, model._meta.model_name),
        object_id=found.pk,
    )
    cast(Any, found).may = owner.client.may
    return found


def own_shared_object(
    request: AuthenticatedHttpRequest,
    model: type[M],
    object_id: str | int,
    *,
    write: bool = False,
    verb: str,
    shared: str = "shared_with_client",
) -> M:
    """An object of ``model`` that belongs to the signed-in client and that their care team
    shared with them (the ``shared`` lookup is true); anything else is 404. Audited."""
    client = own_client(request)
    found: M | None = model._default_manager.filter(
        pk=as_id(object_id), client=client, **{shared: True}
    ).first()
    if found is None:
        raise Http404
    action = f"portal.{verb}_open" if write else f"portal.{verb}_view"
    audit_own(client, action, object_type=cast(str, model._meta.model_name), object_id=found.pk)
    cast(Any, found).client = client
    return found


def own_client_record(request: AuthenticatedHttpRequest) -> Client:
    """The signed-in client's own record, its opening audited."""
    client = own_client(request)
    audit_own(client, Action.PORTAL_VIEW, object_type="client", object_id=client.pk)
    return client


def record_list_read(request: AuthenticatedHttpRequest, action: str, *, count: int) -> None:
    """Audit the reading of a list of clients (names only, no ids of each)."""
    context = clinic_context(request)
    with transaction.atomic():
        record(
            action,
            role=context.primary_role(),
            clinic_id=context.clinic.pk if context.clinic else None,
            detail=f"count={count}",
        )


def break_glass_reviewers(clinic: Clinic) -> list[User]:
    """Who reviews emergency access in ``clinic``: its active administrators and supervisors
    (each grant by someone other than its holder)."""
    return list(
        User.objects.filter(
            memberships__clinic=clinic,
            memberships__role__in=[Role.ADMIN, Role.SUPERVISOR],
            is_active=True,
        )
        .distinct()
        .order_by("display_name", "email")
    )


def portal_invitation_asks_birth_date(invitation: Invitation) -> bool:
    """Whether activating this portal invitation asks for the date of birth (when the record has
    one). Only that yes or no leaves here, for the public activation page."""
    if invitation.client_id is None:  # a staff invitation
        return False
    return Client.objects.filter(
        pk=invitation.client_id, clinic_id=invitation.clinic_id, date_of_birth__isnull=False
    ).exists()
