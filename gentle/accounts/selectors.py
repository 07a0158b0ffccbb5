"""Reads about people and their roles."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gentle.accounts.models import Membership, Role, User
from gentle.audit.log import PUBLIC_ROLE


@dataclass(frozen=True)
class Person:
    user: User
    roles: tuple[str, ...]  # role labels, in Role order


def clinic_members(clinic, *, clients: bool) -> QuerySet:
    """The clinic's staff (anyone with a role but client) or its clients with a portal login:
    one row a person, ``{"user_id": ...}``, for a keyset page by user id over the index of
    either kind (``membership_clinic_staff``, ``membership_clinic_role``)."""
    memberships = Membership.objects.filter(clinic=clinic)
    if clients:
        memberships = memberships.filter(role=Role.CLIENT)
    else:
        memberships = memberships.exclude(role=Role.CLIENT)
    return memberships.values("user_id").distinct()


def people_of(clinic, user_ids: list[int]) -> list[Person]:
    """The people ``user_ids`` names (a page of ``clinic_members``), in that order, with all
    their roles in the clinic; one query."""
    order = {role.value: index for index, role in enumerate(Role)}
    roles_by_user: dict[int, list[str]] = {}
    users: dict[int, User] = {}
    for membership in Membership.objects.filter(clinic=clinic, user_id__in=user_ids).select_related(
        "user"
    ):
        users[membership.user_id] = membership.user
        roles_by_user.setdefault(membership.user_id, []).append(membership.role)
    return [
        Person(
            user=users[pk],
            roles=tuple(Role(r).label for r in sorted(roles_by_user[pk], key=order.__getitem__)),
        )
        for pk in user_ids
        if pk in users
    ]


def people_counts(clinic) -> dict[str, int]:
    """How many people hold a role in the clinic (``people``), how many of them a staff role
    (``staff``) and how many the client role (``clients``): one query over the clinic's part
    of the index ``membership_clinic_role`` (on SQLite it reads no row of the table)."""
    return Membership.objects.filter(clinic=clinic).aggregate(
        people=Count("user", distinct=True),
        staff=Count("user", distinct=True, filter=~Q(role=Role.CLIENT)),
        clients=Count("user", filter=Q(role=Role.CLIENT)),
    )


def member_of_clinic(clinic, user_id) -> User:
    """A person holding any role in ``clinic`` (404 otherwise, including for other clinics')."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        raise Http404 from None
    user = User.objects.filter(pk=pk, memberships__clinic=clinic).distinct().first()
    if user is None:
        raise Http404
    return user


def administers_every_clinic_of(actor: User, person: User) -> bool:
    """Whether every role ``person`` holds is in a clinic where ``actor`` is an administrator.
    Disabling an account or ending its sessions reaches every clinic the person works in, so
    only such an administrator may do it; the others can remove the person's roles in their own
    clinic. One query."""
    administered = Membership.objects.filter(user=actor, role=Role.ADMIN).values("clinic_id")
    return not Membership.objects.filter(user=person).exclude(clinic_id__in=administered).exists()


def other_administrators(clinic, person: User) -> list[User]:
    """The clinic's active administrators other than ``person``: who can change their roles."""
    return list(
        User.objects.filter(
            memberships__clinic=clinic, memberships__role=Role.ADMIN, is_active=True
        )
        .exclude(pk=person.pk)
        .distinct()
        .order_by("display_name", "email")
    )


def role_label(code: str) -> str:
    """How the role an audit row was recorded with reads: the role's name, "Visitor" for
    someone not signed in, and "Not recorded" for a row written without one (by Gentle itself,
    or outside a request)."""
    if code in Role.values:
        return str(Role(code).label)
    if code == PUBLIC_ROLE:
        return _("Visitor")
    return code or _("Not recorded")
