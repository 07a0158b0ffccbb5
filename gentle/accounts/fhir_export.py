"""The clinic and its staff as FHIR R4 resources (docs/fhir.md "Export", ADR 0061):
the Organization, a Practitioner per staff member named in an export and a PractitionerRole per
clinical membership. Staff are named by their display name only, never their email address."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from gentle.accounts.models import Clinic, Membership, Role, User
from gentle.lib.fhir import GENTLE, Resource, compact, concept, gentle_code, ref

#: The memberships that are a role in the clients' care (an administrator's is not).
CARE_ROLES = (Role.CLINICIAN, Role.SUPERVISOR, Role.FACILITATOR)


def organization(clinic: Clinic) -> Resource:
    return compact(
        {
            "resourceType": "Organization",
            "id": str(clinic.pk),
            "identifier": [{"system": f"{GENTLE}/clinic", "value": clinic.slug}],
            "active": True,
            "name": clinic.name,
        }
    )


def staff_resources(clinic: Clinic, user_ids: Collection[int]) -> Iterator[Resource]:
    """The Organization, then a Practitioner for each of these users and a PractitionerRole
    for each of their care roles in the clinic (two queries)."""
    yield organization(clinic)
    users = User.objects.filter(pk__in=list(user_ids)).only("pk", "display_name", "is_active")
    for user in users.order_by("pk"):
        yield compact(
            {
                "resourceType": "Practitioner",
                "id": str(user.pk),
                "active": user.is_active,
                "name": [{"text": user.display_name or f"Practitioner {user.pk}"}],
            }
        )
    memberships = Membership.objects.filter(
        clinic=clinic, user_id__in=list(user_ids), role__in=CARE_ROLES
    ).order_by("pk")
    labels = dict(Role.choices)
    for membership in memberships:
        yield compact(
            {
                "resourceType": "PractitionerRole",
                "id": str(membership.pk),
                "active": True,
                "practitioner": ref("Practitioner", membership.user_id),
                "organization": ref("Organization", clinic.pk),
                "code": [
                    concept(
                        str(labels.get(membership.role, membership.role)),
                        gentle_code("role", membership.role),
                    )
                ],
            }
        )
