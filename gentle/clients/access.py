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

Groups (ADR 0051): who sees which group (``visible_groups``, ``group_for``) and what a
person reaches of a group's members (``roster_may``). A lay facilitator (``Role.FACILITATOR``)
holds no clinical role: every door above answers 404 to them, and a member they reach only
through a group they run carries ``May.in_group()``: their name, nothing of their record.
"""

from __future__ import annotations

from collections.abc import Iterable
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
from gentle.lib.prepared import PreparedQuery

VIA_CARE_TEAM = "care_team"
VIA_SUPERVISION = "supervision"
VIA_BREAK_GLASS = "break_glass"
VIA_SAFETY_LEAD = "safety_lead"
VIA_GROUP = "group"  # a member of a group this person runs, reached through that group only


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
    # Open the client's record (client page, courses, notes, inventory): every path above, but
    # not a member reached only through their group (the name, and what the group records).
    record: bool = True
    # See that the member has an open alert and what to do next (never the alert's details):
    # a current member of a group this person runs, reached through it only (ADR 0053).
    group_alert: bool = False

    @property
    def alerts(self) -> bool:
        """Whether this person is told of the client's open alerts: through the record, or as
        the facilitator of the client's group."""
        return self.record or self.group_alert

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
    def in_group(cls, role: str, *, runs: bool = False) -> May:
        """A group's member seen by someone who reaches them only through the group (a lay
        facilitator, a supervisor reading the clinic's groups): no write, no record. Who runs
        the group (``runs``) is told that a current member has an open alert (``group_alert``)."""
        return cls(via=VIA_GROUP, role=role, record=False, group_alert=runs)

    @classmethod
    def as_safety_lead(cls, role: str) -> May:
        return cls(via=VIA_SAFETY_LEAD, role=role, safety_lead=True)

    @property
    def discuss(self) -> bool:
        """Take part in supervision comments on the client's courses (ADR 0055): the client's
        supervisors, who comment, and the care team's clinicians, who answer (not emergency
        access)."""
        return self.supervise or self.manage_portal

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


def care_team_clients(request: AuthenticatedHttpRequest) -> QuerySet[Client]:
    """The clients on this person's own care team as a clinician (not those seen through
    supervision or emergency access) in the request's clinic; none for anyone else. The same
    clients as ``via_team_clinician``, found from the person's care-team rows by index instead
    of by testing every client of the clinic (the clinician's home asks it in each of its
    lists; issue 20). Not annotated with the ways of access: the lists that nest it copied and
    compiled those four subqueries each time, and the home's lists of clients selected them for
    every row."""
    context = clinic_context(request)
    if context.clinic is None or not context.has(Role.CLINICIAN):
        return Client.objects.none()
    return care_team_of(context.clinic.pk, request.user.pk)


def care_team_of(clinic_id: int, user_id: int) -> QuerySet[Client]:
    """``care_team_clients`` by ids alone, for a query built once and bound to each request's
    ids (``gentle.lib.prepared``). The caller has checked that the person is a clinician in
    the clinic."""
    teams = CareTeamMember.objects.filter(user_id=user_id, role=TeamRole.CLINICIAN)
    return Client.objects.filter(clinic_id=clinic_id, pk__in=teams.values("client"))


def on_care_team(path: str, clinic_id: int, user_id: int) -> Q:
    """``care_team_of``'s rule as a condition on the client at ``path`` of another model
    (``"session__course__client"``), joined rather than nested: the database may then start
    from the other model's rows (the clinician's drafts to sign start from the clinic's drafts
    by their index, 3 → 1.5 ms at a programme's size; issue 20). A client has one clinician row
    per person on its care team, so the join repeats no row. ``path`` "" is the client."""
    at = f"{path}__" if path else ""
    return Q(
        **{
            f"{at}clinic_id": clinic_id,
            f"{at}care_team__user_id": user_id,
            f"{at}care_team__role": TeamRole.CLINICIAN,
        }
    )


def supervised_clients(request: AuthenticatedHttpRequest) -> QuerySet[Client]:
    """The clients this person sees as a supervisor: on the care team as its supervisor, or
    through a clinician they supervise in the request's clinic; none for anyone not a
    supervisor there. The same clients as ``via_team_supervisor`` or ``via_supervision``, found
    from the care teams' rows by index instead of by testing every client of the clinic (17 →
    2 ms for 2,000 of 10,000 clients; the supervisor's home asks it in each of its lists,
    issue 20). Not annotated, as ``care_team_clients``."""
    context = clinic_context(request)
    if context.clinic is None or not context.has(Role.SUPERVISOR):
        return Client.objects.none()
    return supervised_by(context.clinic.pk, request.user.pk)


def supervised_by(clinic_id: int, user_id: int) -> QuerySet[Client]:
    """``supervised_clients`` by ids alone, for a query built once and bound to each request's
    ids (``gentle.lib.prepared``). The caller has checked that the person is a supervisor in
    the clinic."""
    return Client.objects.filter(
        clinic_id=clinic_id, pk__in=_supervising_rows(clinic_id, user_id).values("client")
    )


def under_supervision(path: str, clinic_id: int, user_id: int, *, clinic_kept: bool = False) -> Q:
    """``supervised_by``'s rule as a condition on the client at ``path`` of another model
    (``"session__course__client"``): the client is of the clinic, and its care team has a row
    for this supervisor or for a clinician they supervise. Tested row by row (EXISTS) rather
    than as a list of the supervised clients, so that the database may start from the other
    model's rows: the supervised clients' stale drafts, from the clinic's drafts by their
    index, 19 → 5 ms on SQLite for 2,000 supervised clients (issue 20). Not a join: a client
    may have both rows, which would repeat it. ``path`` "" is the client.

    ``clinic_kept``: the caller keeps the rows to this clinic's by a clinic of their own that
    is always their client's (``SampledSession.clinic``, which the worker copies from the
    client), so the client's clinic is not read again: PostgreSQL joined every client of the
    clinic for it (5 ms for the 5,300 sampled sessions of 8 weeks at a programme's size)."""
    at = f"{path}__" if path else ""
    rows = _supervising_rows(clinic_id, user_id).filter(client_id=OuterRef(f"{at}pk"))
    if clinic_kept:
        return Q(Exists(rows))
    return Q(**{f"{at}clinic_id": clinic_id}) & Q(Exists(rows))


def _supervising_rows(clinic_id: int, user_id: int) -> QuerySet[CareTeamMember]:
    """The care-team rows through which this person supervises a client: as the client's
    supervisor, or as the supervisor of the client's clinician in the clinic."""
    supervised = Supervision.objects.filter(clinic_id=clinic_id, supervisor_id=user_id)
    return CareTeamMember.objects.filter(
        Q(role=TeamRole.SUPERVISOR, user_id=user_id)
        | Q(role=TeamRole.CLINICIAN, user__in=supervised.values("clinician"))
    )


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


def _own_record(_shape: None, *, clinic_id: int, user_id: int) -> QuerySet[Client]:
    return Client.objects.filter(clinic_id=clinic_id, user_id=user_id).order_by("pk")[:1]


# Read on every page of the portal: built once (gentle.lib.prepared).
OWN_RECORD = PreparedQuery(_own_record, values=("clinic_id", "user_id"))


def own_client(request: AuthenticatedHttpRequest) -> Client:
    """The signed-in client's own record in the request's clinic (404 for anyone else).
    Not audited by itself: callers audit what they open (``own_client_record``, ``audit_own``)."""
    context = clinic_context(request)
    if context.clinic is None or not context.has(Role.CLIENT):
        raise Http404
    found = OWN_RECORD.objects(None, clinic_id=context.clinic.pk, user_id=request.user.pk)
    if not found:
        raise Http404
    return cast(Client, found[0])


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


# Groups (ADR 0051) ---------------------------------------------------------------------------
# The rules are here, the models in ``gentle.groups`` (which sits below this app): the helpers
# take the group model's queryset and use its field names (clinic, facilitator, co_facilitator,
# members__client).

G = TypeVar("G", bound=Model)  # gentle.groups.models.Group
GROUP_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.CLINICIAN, Role.FACILITATOR)
# Who may be a group's facilitator or co-facilitator.
FACILITATING_ROLES = (Role.FACILITATOR, Role.CLINICIAN)
VIA_FACILITATES = "facilitates"
VIA_CLINIC = "clinic"


@dataclass(frozen=True)
class GroupMay:
    """What this person may do with one group (``group.may``)."""

    via: str  # facilitates, clinic (administrator, supervisor) or care_team (a member's)
    role: str
    manage: bool = False  # edit it, add members: the administrator, a clinician running it
    run: bool = False  # record a member leaving (later: attendance, the shared session): who
    # runs it (facilitator, co-facilitator) and the administrator
    # See who has left the group: everyone but a lay facilitator, who sees current members only.
    past_members: bool = True
    # Print a session's facilitator guide and attendance sheet (the roster's names): who runs
    # it, the clinic's administrators and supervisors; not a clinician through a member only.
    paper: bool = False


def may_create_groups(request: AuthenticatedHttpRequest) -> bool:
    """Administrators and clinicians set up groups; a lay facilitator runs the ones given."""
    return clinic_context(request).has(Role.ADMIN, Role.CLINICIAN)


def visible_groups(request: AuthenticatedHttpRequest, groups: QuerySet[G]) -> QuerySet[G]:
    """The groups of the request's clinic this person may see: all of them for its
    administrators and supervisors; those they run (facilitator or co-facilitator) for
    facilitators and clinicians; and, for clinicians, groups with a member on their care team."""
    context = clinic_context(request)
    if context.clinic is None or not context.has(*GROUP_ROLES):
        return groups.none()
    mine = groups.filter(clinic=context.clinic)
    if context.has(Role.ADMIN, Role.SUPERVISOR):
        return mine
    user = request.user
    reach = Q(facilitator=user) | Q(co_facilitator=user)
    if context.has(Role.CLINICIAN):
        team = CareTeamMember.objects.filter(
            user=user, role=TeamRole.CLINICIAN, client__clinic=context.clinic
        ).values("client_id")
        with_member = groups.model._default_manager.filter(members__client__in=team)
        reach |= Q(pk__in=with_member.values("pk"))
    return mine.filter(reach)


def group_may(request: AuthenticatedHttpRequest, group: Any) -> GroupMay:
    """What this person may do with a group they see (``visible_groups``)."""
    context = clinic_context(request)
    user_id = request.user.pk
    runs = user_id in (group.facilitator_id, group.co_facilitator_id) and context.has(
        *FACILITATING_ROLES
    )
    admin = context.has(Role.ADMIN)
    if runs:
        via = VIA_FACILITATES
        role = Role.CLINICIAN if context.has(Role.CLINICIAN) else Role.FACILITATOR
    elif context.has(Role.ADMIN, Role.SUPERVISOR):
        via, role = VIA_CLINIC, (Role.ADMIN if admin else Role.SUPERVISOR)
    else:
        via, role = VIA_CARE_TEAM, Role.CLINICIAN
    return GroupMay(
        via=via,
        role=role,
        manage=admin or (runs and context.has(Role.CLINICIAN)),
        run=admin or runs,
        past_members=role != Role.FACILITATOR,
        paper=runs or via == VIA_CLINIC,
    )


def group_for(
    request: AuthenticatedHttpRequest,
    groups: QuerySet[G],
    group_id: str | int,
    *,
    manage: bool = False,
    run: bool = False,
    paper: bool = False,
    action: str = Action.GROUP_VIEW,
) -> G:
    """The group with this id if this person may see it (and manage or run it, when asked),
    with ``.may``; else 404. The opening is audited."""
    found = visible_groups(request, groups).filter(pk=as_id(group_id)).first()
    if found is None:
        raise Http404
    may = group_may(request, found)
    if (manage and not may.manage) or (run and not may.run) or (paper and not may.paper):
        raise Http404
    cast(Any, found).may = may
    with transaction.atomic():
        record(
            action, role=may.role, object_type="group", object_id=found.pk, detail=f"via={may.via}"
        )
    return found


def roster_may(
    request: AuthenticatedHttpRequest,
    clients: Iterable[Client],
    *,
    group: Any = None,
    current: Iterable[int] = (),
) -> None:
    """Give each member's client of a group page its ``.may``: what the person may do through
    the one door (a clinician of their care team links to their record), else ``May.in_group``:
    the name, and nothing of the record. With the ``group`` (carrying ``.may``) and the ids of
    its ``current`` members' clients, the people who run it (facilitator, co-facilitator) are
    told of a current member's open alert (``May.group_alert``, ADR 0053); an administrator,
    a supervisor reading the group, and anyone about a member who has left, are not. One query."""
    clients = list(clients)
    runs = group is not None and group.may.via == VIA_FACILITATES
    current_ids = set(current)
    reached = {
        c.pk: c for c in visible_clients(request).filter(pk__in=[client.pk for client in clients])
    }
    role = clinic_context(request).primary_role()
    for client in clients:
        seen = reached.get(client.pk)
        client.may = (
            May.of(seen)
            if seen is not None
            else May.in_group(role, runs=runs and client.pk in current_ids)
        )


def group_facilitators(clinic: Clinic) -> QuerySet[User]:
    """Who may facilitate a group in ``clinic``: its active lay facilitators and clinicians."""
    return (
        User.objects.filter(
            memberships__clinic=clinic, memberships__role__in=FACILITATING_ROLES, is_active=True
        )
        .distinct()
        .order_by("display_name", "email")
    )


def supervision_log_for(
    request: AuthenticatedHttpRequest, clinician_id: str | int
) -> tuple[User, bool]:
    """The clinician whose supervision log this is, and whether this person may add to it: the
    clinician's supervisor in the request's clinic reads and writes it (ADR 0055), the clinician
    reads their own. 404 for anyone else."""
    context = clinic_context(request)
    if context.clinic is None or not context.has(Role.CLINICIAN, Role.SUPERVISOR):
        raise Http404
    number = as_id(clinician_id)
    supervises = context.has(Role.SUPERVISOR) and (
        Supervision.objects.filter(
            clinic=context.clinic, supervisor=request.user, clinician_id=number
        ).exists()
    )
    if not supervises and number != request.user.pk:
        raise Http404
    clinician = User.objects.filter(pk=number).first()
    if clinician is None:
        raise Http404
    return clinician, supervises


def supervised_courses(
    request: AuthenticatedHttpRequest, clinician: User, courses: QuerySet[M]
) -> QuerySet[M]:
    """Of ``courses``, those of clients on ``clinician``'s care team that this person sees as a
    supervisor in the request's clinic: the courses a supervision meeting may name (only their
    supervisor writes one). The clients are found from the care teams' rows by index
    (``supervised_clients``): testing every client of the clinic for each way of access took
    35 ms at a programme's size (issue 20)."""
    team = CareTeamMember.objects.filter(user=clinician, role=TeamRole.CLINICIAN)
    return courses.filter(
        client__in=supervised_clients(request).values("pk"),
        client_id__in=team.values("client_id"),
    )


# Session fidelity (ADR 0057) -----------------------------------------------------------------
# The roles a rating is given in (gentle.fidelity.models.RaterRole has the same values).
RATER_SELF = "self"
RATER_SUPERVISOR = "supervisor"


def fidelity_rater_role(session: Any, user: User) -> str | None:
    """In which role this person may rate a session reached through the one door (its
    ``course.client`` carries ``.may``): its own clinician, on the client's care team, rates
    it (a self-rating, also marks it recorded for supervision); the client's supervisors rate a
    supervisee's session; anyone else, None."""
    return rater_role_of(session.course.client.may, session.clinician_id, user)


def rater_role_of(may: May, clinician_id: int | None, user: User) -> str | None:
    """``fidelity_rater_role`` for a session of a client reached through the one door (its
    ``may``) held by ``clinician_id``: for a page listing a course's sessions."""
    if clinician_id == user.pk and may.manage_portal:
        return RATER_SELF
    if may.supervise and clinician_id != user.pk:
        return RATER_SUPERVISOR
    return None


def fidelity_clinician_for(request: AuthenticatedHttpRequest, user_id: str | int) -> User:
    """The clinician whose fidelity over time this is: the clinician themself, their supervisor
    in the request's clinic, and the clinic's administrators (a member of the clinic) see it;
    404 for anyone else. The page shows ratings only, no client."""
    context = clinic_context(request)
    if context.clinic is None or not context.has(Role.CLINICIAN, Role.SUPERVISOR, Role.ADMIN):
        raise Http404
    number = as_id(user_id)
    clinician = User.objects.filter(pk=number, memberships__clinic=context.clinic).first()
    if clinician is None:
        raise Http404
    own = number == request.user.pk and context.has(Role.CLINICIAN)
    supervises = context.has(Role.SUPERVISOR) and (
        Supervision.objects.filter(
            clinic=context.clinic, supervisor=request.user, clinician_id=number
        ).exists()
    )
    if not (own or supervises or context.has(Role.ADMIN)):
        raise Http404
    return clinician


# The clinic's outcome report (ADR 0058): counts over the clinic's courses, no client named.
REPORT_ROLES = (Role.ADMIN, Role.SUPERVISOR)


def report_clinic(request: AuthenticatedHttpRequest) -> Clinic:
    """The clinic whose courses the outcome report counts: all of the request's clinic, for
    its administrators and its supervisors (a supervisor leads the programme's quality, and
    the report names clinicians and counts, never a client); 404 for anyone else."""
    context = clinic_context(request)
    if context.clinic is None or not context.has(*REPORT_ROLES):
        raise Http404
    return context.clinic
