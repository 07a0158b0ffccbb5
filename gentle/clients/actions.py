"""Writes to client records, care teams and break-glass grants; each audited in its
transaction."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gentle.accounts import actions as account_actions
from gentle.accounts.models import (
    CODE_ATTEMPTS,
    Invitation,
    InvitationPurpose,
    Membership,
    Role,
    User,
)
from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.clients.models import BreakGlassGrant, CareTeamMember, Client, Consent, TeamRole
from gentle.lib.tokens import new_code, normalize_code


class CareTeamError(ValueError):
    """The requested care team is not possible (message is for the user)."""


def client_create(
    *, by: User, clinic, given_name: str, family_name: str, preferred_name: str = ""
) -> Client:
    with transaction.atomic():
        client = Client.objects.create(
            clinic=clinic,
            given_name=given_name,
            family_name=family_name,
            preferred_name=preferred_name,
        )
        record(
            Action.CLIENT_CREATE,
            actor=by,
            role=Role.ADMIN,
            client=client,
            object_type="client",
            object_id=client.pk,
        )
    return client


def care_team_set(
    *,
    by: User,
    client: Client,
    clinicians: list[User],
    supervisor: User | None,
    taking_on: bool = False,
) -> None:
    """Replace the client's care team. Every member must hold that role in the client's
    clinic, and nobody adds themselves (separation of duties): another administrator does.
    The one exception is ``taking_on``: a clinician taking a new client from the intake queue
    for themselves."""
    eligible = {
        (m.user_id, m.role)
        for m in Membership.objects.filter(
            clinic=client.clinic, user__in=[*clinicians, *([supervisor] if supervisor else [])]
        )
    }
    for person in clinicians:
        if (person.pk, Role.CLINICIAN) not in eligible:
            raise CareTeamError(f"{person} is not a clinician of this clinic.")
    if supervisor and (supervisor.pk, Role.SUPERVISOR) not in eligible:
        raise CareTeamError(f"{supervisor} is not a supervisor of this clinic.")
    wanted = {(p.pk, TeamRole.CLINICIAN) for p in clinicians}
    if supervisor:
        wanted.add((supervisor.pk, TeamRole.SUPERVISOR))
    with transaction.atomic():
        current = {(m.user_id, m.role): m for m in client.care_team.select_for_update()}
        removed = [m for key, m in current.items() if key not in wanted]
        added = [key for key in wanted if key not in current]
        if not taking_on and any(user_id == by.pk for user_id, _role in added):
            raise CareTeamError(
                _(
                    "You cannot put yourself on a care team. Another administrator of this "
                    "clinic can."
                )
            )
        for member in removed:
            care_team_remove(by=by, client=client, user_id=member.user_id, roles=[member.role])
        CareTeamMember.objects.bulk_create(
            CareTeamMember(client=client, user_id=user_id, role=role) for user_id, role in added
        )
        for user_id, role in added:
            record(
                Action.CARE_TEAM_ADD,
                actor=by,
                role=Role.ADMIN,
                client=client,
                object_type="user",
                object_id=user_id,
                detail=f"as={role}",
            )


def care_team_remove(
    *,
    by: User,
    client: Client,
    user_id: int,
    roles=tuple(TeamRole),
    because: str = "",
) -> int:
    """Take a person off the client's care team (in ``roles``), one audit row per place. Every
    path that ends a place on a care team comes through here: the administrator's team page
    and the loss of a clinical role (``care_teams_leave``), so what must follow a removal is
    written once. ``because`` is a code for the audit row. Returns how many places ended."""
    with transaction.atomic():
        members = list(
            CareTeamMember.objects.select_for_update().filter(
                client=client, user_id=user_id, role__in=list(roles)
            )
        )
        CareTeamMember.objects.filter(pk__in=[m.pk for m in members]).delete()
        for member in members:
            record(
                Action.CARE_TEAM_REMOVE,
                actor=by,
                role=Role.ADMIN,
                client=client,
                object_type="user",
                object_id=user_id,
                detail=f"as={member.role}" + (f" because={because}" if because else ""),
            )
        if any(member.role == TeamRole.CLINICIAN for member in members):
            _portal_after_clinicians_left(by=by, client=client, left={user_id})
    return len(members)


TEAM_ROLE_OF = {Role.CLINICIAN: TeamRole.CLINICIAN, Role.SUPERVISOR: TeamRole.SUPERVISOR}


def care_teams_leave(*, by: User, clinic, user: User, role: str) -> None:
    """A role-removal step (``gentle.accounts.actions.on_role_removal``): whoever loses the
    clinician or supervisor role in a clinic leaves every care team there in that capacity."""
    team_role = TEAM_ROLE_OF.get(role)
    if team_role is None:
        return
    clients = Client.objects.filter(
        clinic=clinic, care_team__user=user, care_team__role=team_role
    ).distinct()
    for client in clients.order_by("pk"):
        care_team_remove(
            by=by,
            client=client,
            user_id=user.pk,
            roles=[team_role],
            because="role_removed",
        )


def break_glass_open(*, by: User, client: Client, reason: str) -> BreakGlassGrant:
    """Grant the clinician time-limited access to a client outside their care team."""
    minutes = settings.GENTLE_BREAK_GLASS_MINUTES
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            client=client,
            user=by,
            reason=reason,
            granted_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
        # The reason stays in the grant (for the administrator's review), not in the audit
        # detail: it may describe the client.
        record(
            Action.BREAK_GLASS_OPEN,
            actor=by,
            role=Role.CLINICIAN,
            client=client,
            object_type="break_glass",
            object_id=grant.pk,
            detail=f"minutes={minutes}",
        )
    return grant


class ReviewRefused(Exception):
    """Only another person, an administrator or a supervisor of the clinic, reviews a grant."""


def break_glass_review(*, by: User, grant: BreakGlassGrant) -> bool:
    """Mark the grant reviewed. The reviewer is an administrator or a supervisor of the
    client's clinic and never the grant's holder. False when it was already reviewed."""
    roles = set(
        Membership.objects.filter(
            user=by, clinic_id=grant.client.clinic_id, role__in=[Role.ADMIN, Role.SUPERVISOR]
        ).values_list("role", flat=True)
    )
    if grant.user_id == by.pk or not roles:
        raise ReviewRefused
    with transaction.atomic():
        changed = BreakGlassGrant.objects.filter(pk=grant.pk, reviewed_at__isnull=True).update(
            reviewed_by=by, reviewed_at=timezone.now()
        )
        if changed:
            record(
                Action.BREAK_GLASS_REVIEW,
                actor=by,
                role=Role.ADMIN if Role.ADMIN in roles else Role.SUPERVISOR,
                client=grant.client,
                object_type="break_glass",
                object_id=grant.pk,
            )
    return bool(changed)


# The portal login: invitations from the care team, activation, review ------------------


class PortalLinkError(Exception):
    """The client record cannot take this login (gone, or already linked)."""


class PortalInviteRefused(ValueError):
    """This portal invitation may not be sent (the message is for the user)."""


def _sends_for_the_team(client: Client, user: User) -> bool:
    """A clinician of the client's care team, still a clinician of the clinic."""
    return (
        user.is_active
        and CareTeamMember.objects.filter(
            client=client, user=user, role=TeamRole.CLINICIAN
        ).exists()
        and Membership.objects.filter(
            clinic_id=client.clinic_id, user=user, role=Role.CLINICIAN
        ).exists()
    )


def portal_invitation_create(
    *, by: User, client: Client, email: str
) -> tuple[Invitation, str, str]:
    """A clinician of the care team invites the client to the portal. Returns the invitation,
    the link's token (for the email to the client only) and the activation code (for the
    printed letter only); neither is stored. Earlier open invitations of this client end."""
    if not _sends_for_the_team(client, by):
        raise PortalInviteRefused(_("Only a clinician of the care team can invite this client."))
    if client.user_id:
        raise PortalInviteRefused(_("This client already uses the portal."))
    if account_actions.holds_staff_role(client.clinic, email):
        raise PortalInviteRefused(
            _(
                "This address belongs to a staff member of the clinic. Use the client's own "
                "email address."
            )
        )
    code = new_code()
    with transaction.atomic():
        for earlier in Invitation.objects.filter(
            clinic_id=client.clinic_id,
            client_id=client.pk,
            used_at=None,
            revoked_at=None,
        ):
            account_actions.invitation_revoke(
                by=by, invitation=earlier, role=Role.CLINICIAN, reason="replaced"
            )
        invitation, token = account_actions.invitation_new(
            by=by,
            clinic=client.clinic,
            email=email,
            role=Role.CLIENT,
            purpose=InvitationPurpose.CLIENT_PORTAL,
            client_id=client.pk,
            code=normalize_code(code),
        )
        on_record = "yes" if client.email.strip().lower() == invitation.email else "no"
        where = account_actions.address_for_audit(invitation.email)
        record(
            Action.INVITATION_CREATE,
            actor=by,
            role=Role.CLINICIAN,
            client=client,
            object_type="invitation",
            object_id=invitation.pk,
            detail=f"role=client channel=email {where} on_record={on_record}",
        )
        record(
            Action.INVITATION_LETTER,
            actor=by,
            role=Role.CLINICIAN,
            client=client,
            object_type="invitation",
            object_id=invitation.pk,
            detail="channel=paper code=shown_once",
        )
    return invitation, token, code


class Activation:
    """What became of an activation attempt."""

    DONE = "done"
    WRONG = "wrong"  # the code or the date of birth did not match; a try was counted
    LOCKED = "locked"  # that was the last try: the invitation is void


def _sender_left(invitation: Invitation, client: Client) -> bool:
    sender = invitation.created_by
    return sender is None or not _sends_for_the_team(client, sender)


def portal_activate(
    *,
    invitation: Invitation,
    user: User | None,
    code: str,
    date_of_birth=None,
    display_name: str = "",
    password: str = "",
) -> tuple[str, User | None]:
    """Activate a portal login from the emailed link with the letter's code and, when the
    record has one, the date of birth. A wrong answer counts a try (committed and audited);
    the last allowed wrong try voids the invitation. Raises ``InvitationUnusable`` when the
    invitation is not open, its sender has left the care team, or the account holds a staff
    role in the clinic."""
    with transaction.atomic():
        locked = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("created_by")
            .get(pk=invitation.pk, purpose=InvitationPurpose.CLIENT_PORTAL)
        )
        if locked.state != "open":
            raise account_actions.InvitationUnusable(locked.state)
        client = Client.objects.filter(pk=locked.client_id, clinic_id=locked.clinic_id).first()
        if client is None or client.user_id:
            raise account_actions.InvitationUnusable("used")
        if _sender_left(locked, client):
            raise account_actions.InvitationUnusable("revoked")
        if user is not None and account_actions.holds_staff_role(locked.clinic, user.email):
            raise account_actions.InvitationUnusable("staff_account")
        normalized = normalize_code(code) or ""
        code_ok = check_password(normalized, locked.code_hash)
        dob_asked = client.date_of_birth is not None
        dob_ok = not dob_asked or date_of_birth == client.date_of_birth
        if not (code_ok and dob_ok):
            failures = locked.failed_attempts + 1
            Invitation.objects.filter(pk=locked.pk).update(failed_attempts=failures)
            dob = ("ok" if dob_ok else "wrong") if dob_asked else "not_asked"
            record(
                Action.INVITATION_CODE_FAILED,
                role=Role.CLIENT,
                clinic_id=locked.clinic_id,
                client_id=client.pk,
                object_type="invitation",
                object_id=locked.pk,
                detail=f"attempt={failures} code={'ok' if code_ok else 'wrong'} dob={dob}",
            )
            if failures >= CODE_ATTEMPTS:
                record(
                    Action.INVITATION_LOCKED,
                    role=Role.CLIENT,
                    clinic_id=locked.clinic_id,
                    client_id=client.pk,
                    object_type="invitation",
                    object_id=locked.pk,
                    detail=f"attempts={failures}",
                )
                return Activation.LOCKED, None
            return Activation.WRONG, None
        user = account_actions.invitation_accept(
            invitation=locked,
            user=user,
            display_name=display_name,
            password=password,
        )
        client_link_user(
            client_id=locked.client_id,
            clinic=locked.clinic,
            user=user,
            invitation=locked,
        )
    return Activation.DONE, user


def client_link_user(
    *, client_id: int, clinic, user: User, invitation: Invitation | None = None
) -> Client:
    """Link a client record to its portal login (one login per record, one record per login),
    remembering the invitation it came from."""
    with transaction.atomic():
        client = Client.objects.select_for_update().filter(pk=client_id, clinic=clinic).first()
        if client is None or client.user_id or Client.objects.filter(user=user).exists():
            raise PortalLinkError
        client.user = user
        client.portal_invitation = invitation
        client.portal_review_since = None
        client.save(update_fields=["user", "portal_invitation", "portal_review_since"])
        record(
            Action.PORTAL_LINK,
            actor=user,
            role=Role.CLIENT,
            client=client,
            object_type="client",
            object_id=client.pk,
            detail=f"invitation={invitation.pk} invited_by={invitation.created_by_id}"
            if invitation
            else "invitation=none",
        )
    return client


def _portal_after_clinicians_left(*, by: User, client: Client, left: set[int]) -> None:
    """Inside ``care_team_remove``: the portal invitations those clinicians sent for this client
    end, and a login activated from one of them waits for the remaining team's review."""
    for invitation in Invitation.objects.filter(
        clinic_id=client.clinic_id,
        client_id=client.pk,
        created_by_id__in=left,
        used_at=None,
        revoked_at=None,
    ):
        account_actions.invitation_revoke(by=by, invitation=invitation, reason="sender_left_team")
    client.refresh_from_db(fields=["user", "portal_invitation", "portal_review_since"])
    origin = client.portal_invitation
    from_leaver = origin is not None and origin.created_by_id in left
    if client.user_id and from_leaver and not client.portal_review_since:
        Client.objects.filter(pk=client.pk).update(portal_review_since=timezone.now())
        record(
            Action.PORTAL_REVIEW_NEEDED,
            actor=by,
            role=Role.ADMIN,
            client=client,
            object_type="user",
            object_id=client.user_id,
            detail=f"invitation={origin.pk} invited_by={origin.created_by_id}",
        )


def portal_access_confirm(*, by: User, client: Client) -> bool:
    """The remaining care team confirmed with the client that the login is theirs."""
    with transaction.atomic():
        changed = Client.objects.filter(
            pk=client.pk, user_id=client.user_id, portal_review_since__isnull=False
        ).update(portal_review_since=None)
        if changed:
            record(
                Action.PORTAL_REVIEW_CONFIRM,
                actor=by,
                role=Role.CLINICIAN,
                client=client,
                object_type="user",
                object_id=client.user_id,
            )
    return bool(changed)


def portal_access_end(*, by: User, client: Client) -> bool:
    """End the client's portal login: the record loses it, the account loses its client role
    in this clinic, and every session of it ends. False when there was none."""
    with transaction.atomic():
        locked = Client.objects.select_for_update().filter(pk=client.pk).first()
        if locked is None or locked.user_id is None:
            return False
        login = locked.user
        Client.objects.filter(pk=locked.pk).update(
            user=None, portal_invitation=None, portal_review_since=None
        )
        Membership.objects.filter(user=login, clinic_id=locked.clinic_id, role=Role.CLIENT).delete()
        account_actions.end_sessions(login)
        record(
            Action.PORTAL_END,
            actor=by,
            role=Role.CLINICIAN,
            client=locked,
            object_type="user",
            object_id=login.pk,
            detail=f"under_review={'yes' if locked.portal_review_since else 'no'}",
        )
    return True


DETAIL_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "pronouns",
    "date_of_birth",
    "email",
    "phone",
    "emergency_contact_name",
    "emergency_contact_phone",
    "emergency_contact_relation",
    "language",
)


def client_update(*, by: User, client: Client, fields: dict) -> Client:
    with transaction.atomic():
        changed = sorted(name for name in DETAIL_FIELDS if getattr(client, name) != fields[name])
        for name in DETAIL_FIELDS:
            setattr(client, name, fields[name])
        client.save(update_fields=[*DETAIL_FIELDS, "search_text"])  # the names, folded
        record(
            Action.CLIENT_UPDATE,
            actor=by,
            role=Role.CLINICIAN,
            client=client,
            object_type="client",
            object_id=client.pk,
            detail=f"fields={','.join(changed)}"[:200],
        )
    return client


def consent_record(*, by: User, client: Client, kind: str, given_on) -> Consent:
    with transaction.atomic():
        consent = Consent.objects.create(
            client=client, kind=kind, given_on=given_on, recorded_by=by
        )
        record(
            Action.CONSENT_ADD,
            actor=by,
            role=Role.CLINICIAN,
            client=client,
            object_type="consent",
            object_id=consent.pk,
            detail=f"kind={kind}",
        )
    return consent


def consent_withdraw(*, by: User, client: Client, consent: Consent) -> None:
    with transaction.atomic():
        Consent.objects.filter(pk=consent.pk, withdrawn_on__isnull=True).update(
            withdrawn_on=timezone.localdate()
        )
        record(
            Action.CONSENT_WITHDRAW,
            actor=by,
            role=Role.CLINICIAN,
            client=client,
            object_type="consent",
            object_id=consent.pk,
            detail=f"kind={consent.kind}",
        )


def share_with_client(*, by: User, item, shared: bool, verb: str) -> None:
    """Open a piece of clinical work (a grief curve, a worksheet...) to its client in the
    portal, or close it again. ``item`` has ``client`` and ``shared_with_client``."""
    with transaction.atomic():
        type(item).objects.filter(pk=item.pk).update(shared_with_client=shared)
        record(
            f"{verb}.{'share' if shared else 'unshare'}",
            actor=by,
            client=item.client,
            object_type=type(item)._meta.model_name,
            object_id=item.pk,
        )
