"""Reads about people and their roles."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext as _

from gentle.accounts.models import Membership, Role, User
from gentle.audit.log import PUBLIC_ROLE


@dataclass(frozen=True)
class Person:
    user: User
    roles: tuple[str, ...]  # role labels, in Role order


def clinic_people(clinic) -> list[Person]:
    """Everyone with a role in the clinic, once each, with all their roles; one query."""
    order = {role.value: index for index, role in enumerate(Role)}
    roles_by_user: dict[int, list[str]] = {}
    users: dict[int, User] = {}
    for membership in Membership.objects.filter(clinic=clinic).select_related("user"):
        users[membership.user_id] = membership.user
        roles_by_user.setdefault(membership.user_id, []).append(membership.role)
    people = [
        Person(
            user=users[pk],
            roles=tuple(Role(r).label for r in sorted(roles, key=order.__getitem__)),
        )
        for pk, roles in roles_by_user.items()
    ]
    return sorted(people, key=lambda p: (p.user.display_name.casefold(), p.user.email))


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
