"""The clinic a request acts in, and the roles the person holds there.

A person may hold roles in several clinics; each request acts within one, chosen in the session
(``switch_clinic``) and defaulting to the first. Computed once per request, on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gentle.accounts.models import Clinic, Membership, Role

SESSION_KEY = "gentle_clinic_id"
STAFF_ROLES = frozenset({Role.ADMIN, Role.CLINICIAN, Role.SUPERVISOR})


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
        for role in (Role.CLINICIAN, Role.SUPERVISOR, Role.ADMIN, Role.CLIENT):
            if role in self.roles:
                return role
        return ""


ANONYMOUS = ClinicContext(user=None, clinic=None, roles=frozenset())


def clinic_context(request) -> ClinicContext:
    cached = getattr(request, "_clinic_context", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        context = ANONYMOUS
    else:
        memberships = list(
            Membership.objects.filter(user=user).select_related("clinic").order_by("clinic_id")
        )
        clinics = tuple({m.clinic_id: m.clinic for m in memberships}.values())
        chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        clinic = next((c for c in clinics if c.pk == chosen), clinics[0] if clinics else None)
        context = ClinicContext(
            user=user,
            clinic=clinic,
            roles=frozenset(m.role for m in memberships if clinic and m.clinic_id == clinic.pk),
            clinics=clinics,
            is_staff_anywhere=any(m.role in STAFF_ROLES for m in memberships),
        )
    request._clinic_context = context
    return context
