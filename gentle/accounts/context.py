"""The clinic a request acts in, and the roles the person holds there.

A person may hold roles in several clinics; each request acts within one, chosen in the session
(``switch_clinic``) and defaulting to the first. Computed once per request, on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS

from gentle.accounts.models import Clinic, Membership, Role
from gentle.lib.prepared import PreparedQuery

SESSION_KEY = "gentle_clinic_id"
STAFF_ROLES = frozenset({Role.ADMIN, Role.CLINICIAN, Role.SUPERVISOR, Role.FACILITATOR})


@dataclass(frozen=True)
class ClinicContext:
    user: object
    clinic: Clinic | None
    roles: frozenset[str]
    clinics: tuple[Clinic, ...] = field(default=())
    is_staff_anywhere: bool = False

    def has(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    def primary_role(self) -> str:
        """The role written in audit rows when no more specific one applies."""
        for role in (Role.CLINICIAN, Role.SUPERVISOR, Role.ADMIN, Role.FACILITATOR, Role.CLIENT):
            if role in self.roles:
                return role
        return ""


ANONYMOUS = ClinicContext(user=None, clinic=None, roles=frozenset())
CLINIC_FIELDS = [field.attname for field in Clinic._meta.concrete_fields]


def _memberships(shape: None, *, user_id: int):
    """The person's roles with their clinics' fields, in clinic order."""
    return (
        Membership.objects.filter(user_id=user_id)
        .order_by("clinic_id")
        .values_list("role", *(f"clinic__{name}" for name in CLINIC_FIELDS))
    )


# Read on every signed-in request: built once (issue 20, the signed-in pages' throughput).
MEMBERSHIPS = PreparedQuery(_memberships, values=("user_id",))


def clinic_context(request) -> ClinicContext:
    cached = getattr(request, "_clinic_context", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        context = ANONYMOUS
    else:
        memberships = [
            (role, Clinic.from_db(DEFAULT_DB_ALIAS, CLINIC_FIELDS, clinic))
            for role, *clinic in MEMBERSHIPS.rows(None, user_id=user.pk)
        ]
        clinics = tuple({c.pk: c for _, c in memberships}.values())
        chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        clinic = next((c for c in clinics if c.pk == chosen), clinics[0] if clinics else None)
        context = ClinicContext(
            user=user,
            clinic=clinic,
            roles=frozenset(role for role, c in memberships if clinic and c.pk == clinic.pk),
            clinics=clinics,
            is_staff_anywhere=any(role in STAFF_ROLES for role, _ in memberships),
        )
    request._clinic_context = context
    return context


def bind_token_user(request, user, clinic_id: int) -> ClinicContext:
    """A request made with an API token (ADR 0062) acts as the token's person in the token's
    clinic: ``request.user`` becomes that person (so the audit context names them) and the
    clinic context is theirs there, whatever the session holds."""
    request.user = user
    request._clinic_context = None
    memberships = [
        (role, Clinic.from_db(DEFAULT_DB_ALIAS, CLINIC_FIELDS, clinic))
        for role, *clinic in MEMBERSHIPS.rows(None, user_id=user.pk)
    ]
    clinic = next((c for _, c in memberships if c.pk == clinic_id), None)
    context = ClinicContext(
        user=user,
        clinic=clinic,
        roles=frozenset(role for role, c in memberships if clinic and c.pk == clinic.pk),
        clinics=(clinic,) if clinic else (),
        is_staff_anywhere=any(role in STAFF_ROLES for role, _ in memberships),
    )
    request._clinic_context = context
    return context
