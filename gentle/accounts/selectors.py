"""Reads about people and their roles."""

from __future__ import annotations

from dataclasses import dataclass

from gentle.accounts.models import Membership, Role, User

STAFF_ROLES = frozenset({Role.ADMIN, Role.CLINICIAN, Role.SUPERVISOR})


def memberships_of(user) -> list[Membership]:
    """The user's memberships with their clinics, in one query, or [] for anonymous users."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Membership.objects.filter(user=user).select_related("clinic").order_by("pk"))


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
