"""Writes about people, roles and invitations. Each is audited in its own transaction.

Ending a person's sessions is done by raising ``User.auth_epoch``: Django compares the
session's auth hash with ``User.get_session_auth_hash`` on every request.

Separation of duties (ADR 0007): nobody changes their own roles, and an administrator acts on
an account itself (disable, end its sessions) only when they administer every clinic its
person works in. The views explain; these actions refuse regardless.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from gentle.accounts.models import (
    ApiToken,
    Invitation,
    InvitationPurpose,
    Membership,
    Role,
    Supervision,
    User,
)
from gentle.accounts.selectors import administers_every_clinic_of
from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.lib import addresses
from gentle.lib.tokens import new_token, token_hash

INVITATION_PURPOSE = "invitation"
CLINICAL_ROLES = frozenset({Role.CLINICIAN, Role.SUPERVISOR})


class ChangeRefused(Exception):
    """A change the acting person may not make: ``reason`` is "self" (one's own roles) or
    "other_clinics" (an account that also works where they are not an administrator)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# What must end with a role lives in apps above accounts (care teams in clients, the calendar
# link in courses), which accounts may not import. Those apps add a step here from their
# AppConfig.ready(); membership_remove calls each step, keyword arguments ``by, request,
# clinic, user, role``, inside its own transaction, after the role is gone: a failing step
# undoes the whole removal.
RoleRemovalStep = Callable[..., None]
ROLE_REMOVAL_STEPS: list[RoleRemovalStep] = []


def on_role_removal(step: RoleRemovalStep) -> RoleRemovalStep:
    """Register ``step`` to run whenever a person loses a role in a clinic."""
    if step not in ROLE_REMOVAL_STEPS:
        ROLE_REMOVAL_STEPS.append(step)
    return step


STAFF_ROLES = (Role.ADMIN, Role.CLINICIAN, Role.SUPERVISOR, Role.FACILITATOR)


def end_sessions(user: User) -> None:
    """Every session of ``user`` ends on its next request."""
    User.objects.filter(pk=user.pk).update(auth_epoch=F("auth_epoch") + 1)
    user.refresh_from_db(fields=["auth_epoch"])


def membership_add(*, by: User, clinic, user: User, role: str) -> bool:
    """Give ``user`` a role in ``clinic``. Never one's own: a clinical role for an
    administrator (or the administrator role for a clinician) comes from another
    administrator, and the audit row says that the person now holds both."""
    if user.pk == by.pk:
        raise ChangeRefused("self")
    with transaction.atomic():
        held = set(
            Membership.objects.filter(user=user, clinic=clinic).values_list("role", flat=True)
        )
        _, created = Membership.objects.get_or_create(user=user, clinic=clinic, role=role)
        if created:
            detail = f"role={role}"
            if role in CLINICAL_ROLES and Role.ADMIN in held:
                detail += " holder_is_admin=1"
            elif role == Role.ADMIN and held & CLINICAL_ROLES:
                detail += " holder_is_clinical=1"
            record(
                Action.ROLE_ADD,
                actor=by,
                role=Role.ADMIN,
                clinic_id=clinic.pk,
                object_type="user",
                object_id=user.pk,
                detail=detail,
            )
    return created


def membership_remove(*, by: User, clinic, user: User, role: str) -> bool:
    """Take a role away, with what depends on it (supervision here; care teams and the
    calendar link through ``ROLE_REMOVAL_STEPS``). The person's sessions end when ``by``
    administers every clinic they work in; otherwise they keep working elsewhere and the
    removal takes effect here on their next request (roles are read on every request)."""
    if user.pk == by.pk:
        raise ChangeRefused("self")
    with transaction.atomic():
        everywhere = administers_every_clinic_of(by, user)
        deleted, _ = Membership.objects.filter(user=user, clinic=clinic, role=role).delete()
        if deleted:
            if role == Role.SUPERVISOR:
                Supervision.objects.filter(clinic=clinic, supervisor=user).delete()
            if role == Role.CLINICIAN:
                Supervision.objects.filter(clinic=clinic, clinician=user).delete()
            for step in ROLE_REMOVAL_STEPS:
                step(by=by, clinic=clinic, user=user, role=role)
            if everywhere:
                end_sessions(user)
            record(
                Action.ROLE_REMOVE,
                actor=by,
                role=Role.ADMIN,
                clinic_id=clinic.pk,
                object_type="user",
                object_id=user.pk,
                detail=f"role={role}" + ("" if everywhere else " sessions=kept"),
            )
    return bool(deleted)


def supervisors_set(*, by: User, clinic, clinician: User, supervisors: list[User]) -> None:
    """Choose the clinician's supervisors. Supervising opens the clinician's clients, so
    nobody adds themselves (another administrator does); leaving is allowed."""
    with transaction.atomic():
        current = set(
            Supervision.objects.filter(clinic=clinic, clinician=clinician).values_list(
                "supervisor_id", flat=True
            )
        )
        wanted = {s.pk for s in supervisors}
        if by.pk in wanted - current:
            raise ChangeRefused("self")
        Supervision.objects.filter(
            clinic=clinic, clinician=clinician, supervisor_id__in=current - wanted
        ).delete()
        Supervision.objects.bulk_create(
            Supervision(clinic=clinic, clinician=clinician, supervisor_id=pk)
            for pk in wanted - current
        )
        for pk in sorted(wanted - current):
            record(
                Action.SUPERVISION_ADD,
                actor=by,
                role=Role.ADMIN,
                clinic_id=clinic.pk,
                object_type="user",
                object_id=clinician.pk,
                detail=f"supervisor={pk}",
            )
        for pk in sorted(current - wanted):
            record(
                Action.SUPERVISION_REMOVE,
                actor=by,
                role=Role.ADMIN,
                clinic_id=clinic.pk,
                object_type="user",
                object_id=clinician.pk,
                detail=f"supervisor={pk}",
            )


def account_set_active(*, by: User, clinic, user: User, active: bool) -> None:
    """Disable or enable the account: it reaches every clinic, so ``by`` must administer all
    of the person's clinics."""
    if not administers_every_clinic_of(by, user):
        raise ChangeRefused("other_clinics")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=active)
        user.is_active = active
        if not active:
            end_sessions(user)
        record(
            Action.ACCOUNT_ENABLE if active else Action.ACCOUNT_DISABLE,
            actor=by,
            role=Role.ADMIN,
            clinic_id=clinic.pk,
            object_type="user",
            object_id=user.pk,
        )


def sessions_end(*, by: User, clinic, user: User) -> None:
    """Sign ``user`` out everywhere: one's own sessions, or those of a person whose every
    clinic ``by`` administers."""
    if user.pk != by.pk and not administers_every_clinic_of(by, user):
        raise ChangeRefused("other_clinics")
    with transaction.atomic():
        end_sessions(user)
        record(
            Action.ACCOUNT_SESSIONS_END,
            actor=by,
            role=Role.ADMIN,
            clinic_id=clinic.pk,
            object_type="user",
            object_id=user.pk,
        )


def address_for_audit(email: str) -> str:
    """Where an invitation went, for an audit row's detail: a keyed tag that matches rows about
    the same address, and the address masked (never the address itself)."""
    return f"addr={addresses.tag(email, key=settings.SECRET_KEY)} to={addresses.mask(email)}"


def holds_staff_role(clinic, email: str) -> bool:
    """Whether the account with this address holds a staff role in ``clinic``."""
    return Membership.objects.filter(
        clinic=clinic, user__email__iexact=email.strip(), role__in=STAFF_ROLES
    ).exists()


class InvitationRefused(ValueError):
    """This invitation may not be made here (the pages offer only what may be made)."""


def invitation_new(
    *,
    by: User,
    clinic,
    email: str,
    role: str,
    purpose: str,
    client_id: int | None = None,
    code: str = "",
) -> tuple[Invitation, str]:
    """The invitation row and its token, without any check of who may invite or an audit row:
    only ``invitation_create`` (staff) and ``clients.actions.portal_invitation_create`` (after
    checking the care team) call it, inside their transaction."""
    token = new_token()
    invitation = Invitation.objects.create(
        clinic=clinic,
        email=email.strip().lower(),
        role=role,
        purpose=purpose,
        client_id=client_id,
        token_hash=token_hash(token, purpose=INVITATION_PURPOSE),
        code_hash=make_password(code) if code else "",
        created_by=by,
        expires_at=timezone.now() + timedelta(days=settings.GENTLE_INVITATION_DAYS),
    )
    return invitation, token


def invitation_create(*, by: User, clinic, email: str, role: str) -> tuple[Invitation, str]:
    """An administrator invites a colleague to a staff role; returns the invitation and its
    token, which is not stored anywhere and is shown once to the administrator. Clients are
    invited only by a clinician of their care team
    (``clients.actions.portal_invitation_create``)."""
    if role not in STAFF_ROLES:
        raise InvitationRefused("Administrators invite staff only.")
    with transaction.atomic():
        invitation, token = invitation_new(
            by=by, clinic=clinic, email=email, role=role, purpose=InvitationPurpose.STAFF
        )
        record(
            Action.INVITATION_CREATE,
            actor=by,
            role=Role.ADMIN,
            clinic_id=clinic.pk,
            object_type="invitation",
            object_id=invitation.pk,
            detail=f"role={role} channel=link {address_for_audit(invitation.email)}",
        )
    return invitation, token


def invitation_revoke(
    *, by: User, invitation: Invitation, role: str = Role.ADMIN, reason: str = ""
) -> bool:
    """Withdraw an open invitation; False when it was already used or withdrawn."""
    with transaction.atomic():
        changed = Invitation.objects.filter(
            pk=invitation.pk, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if changed:
            record(
                Action.INVITATION_REVOKE,
                actor=by,
                role=role,
                clinic_id=invitation.clinic_id,
                client_id=invitation.client_id,
                object_type="invitation",
                object_id=invitation.pk,
                detail=f"reason={reason}" if reason else "",
            )
    return bool(changed)


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation for this token, whatever its state (None if unknown)."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("clinic")
        .filter(token_hash=token_hash(token, purpose=INVITATION_PURPOSE))
        .first()
    )


class InvitationUnusable(Exception):
    """The invitation is not open (used, revoked, locked, expired), or cannot be given to this
    account (``state="staff_account"``)."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


def invitation_accept(
    *,
    invitation: Invitation,
    user: User | None,
    display_name: str = "",
    password: str = "",
) -> User:
    """Use the invitation once: create the account if needed and give the role. Must be called
    inside the caller's transaction when the caller links more (a client record). A client role
    is never added to an account that holds a staff role in the clinic."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.state != "open":
            raise InvitationUnusable(locked.state)
        if user is not None and user.pk == locked.created_by_id:
            raise InvitationUnusable("own")  # nobody gives themselves a role
        if (
            locked.role == Role.CLIENT
            and user is not None
            and holds_staff_role(locked.clinic, user.email)
        ):
            raise InvitationUnusable("staff_account")
        if user is None:
            user = User.objects.create_user(
                email=locked.email, password=password, display_name=display_name
            )
        Membership.objects.get_or_create(user=user, clinic=locked.clinic, role=locked.role)
        Invitation.objects.filter(pk=locked.pk).update(used_at=timezone.now(), used_by=user)
        record(
            Action.INVITATION_ACCEPT,
            actor=user,
            role=locked.role,
            clinic_id=locked.clinic_id,
            client_id=locked.client_id,
            object_type="invitation",
            object_id=locked.pk,
        )
        record(
            Action.ROLE_ADD,
            actor=user,
            role=locked.role,
            clinic_id=locked.clinic_id,
            object_type="user",
            object_id=user.pk,
            detail=f"role={locked.role} via=invitation",
        )
    return user


# Personal access tokens for the API (ADR 0062) ------------------------------------------------

API_TOKEN_PURPOSE = "api"  # noqa: S105 (a hash purpose, not a secret)
API_TOKEN_MARK = "gentle_"  # noqa: S105 (every token starts so: secret scanners look for it)


class ApiTokenRefused(ValueError):
    pass


def api_token_create(
    *, by: User, clinic, user: User, name: str, scopes: list[str], days: int
) -> tuple[ApiToken, str]:
    """An administrator makes a token for a clinician or supervisor of their clinic; returns it
    with its secret, which is stored only as a hash and shown once."""
    if not Membership.objects.filter(clinic=clinic, user=user, role__in=CLINICAL_ROLES).exists():
        raise ApiTokenRefused("Tokens are for the clinic's clinicians and supervisors.")
    secret = API_TOKEN_MARK + new_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            clinic=clinic,
            user=user,
            name=name,
            prefix=secret[: len(API_TOKEN_MARK) + 4],
            token_hash=token_hash(secret, purpose=API_TOKEN_PURPOSE),
            scopes=sorted(set(scopes)),
            created_by=by,
            expires_at=timezone.now() + timedelta(days=days),
        )
        record(
            Action.API_TOKEN_CREATE,
            actor=by,
            role=Role.ADMIN,
            clinic_id=clinic.pk,
            object_type="api_token",
            object_id=token.pk,
            detail=f"user={user.pk} scopes={','.join(token.scopes)} days={days}",
        )
    return token, secret


def api_token_revoke(*, by: User, token: ApiToken) -> bool:
    """Revoke a token at once; False when it was already revoked."""
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if changed:
            record(
                Action.API_TOKEN_REVOKE,
                actor=by,
                role=Role.ADMIN,
                clinic_id=token.clinic_id,
                object_type="api_token",
                object_id=token.pk,
            )
    return bool(changed)


def api_token_find(secret: str) -> ApiToken | None:
    """The active token (not revoked, not expired) with this secret, its person and clinic
    loaded, if the person is still active; None otherwise. One query."""
    if not secret.startswith(API_TOKEN_MARK) or len(secret) > 100:
        return None
    return (
        ApiToken.objects.select_related("user", "clinic")
        .filter(
            token_hash=token_hash(secret, purpose=API_TOKEN_PURPOSE),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )


def api_token_used(token: ApiToken, *, limit: int, detail: str) -> int | None:
    """Count one request made with the token against its rate (``limit`` a minute), note when
    it was last used and audit it (call inside the request's transaction, so the row commits
    with the request's own reads and writes). Over the limit: nothing is written, and the
    seconds until the next minute are returned. One UPDATE counts and checks at once, so
    concurrent requests in several processes cannot all slip under the limit."""
    now = timezone.now()
    stamp = now.timestamp()
    window = int(stamp // 60)
    counted = (
        ApiToken.objects.filter(pk=token.pk)
        .filter(~Q(rate_window=window) | Q(rate_count__lt=limit))
        .update(
            rate_count=Case(When(rate_window=window, then=F("rate_count") + 1), default=Value(1)),
            rate_window=window,
            last_used_at=now,
        )
    )
    if not counted:
        return int((window + 1) * 60 - stamp) + 1
    record(
        Action.API_TOKEN_USE,
        object_type="api_token",
        object_id=token.pk,
        detail=detail,
    )
    return None
