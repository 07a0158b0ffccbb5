"""The client and their care team as FHIR R4 resources (docs/fhir.md "Export", ADR 0061): a
Patient and a CareTeam per client, for a batch of clients in two queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from gentle.clients.models import CareTeamMember, Client, TeamRole
from gentle.lib.fhir import GENTLE, Resource, compact, concept, gentle_code, instant, ref


def patient(client: Client) -> Resource:
    names = [{"use": "official", "family": client.family_name, "given": [client.given_name]}]
    if client.preferred_name:
        names.append({"use": "usual", "given": [client.preferred_name]})
    telecom = []
    if client.email:
        telecom.append({"system": "email", "value": client.email})
    if client.phone:
        telecom.append({"system": "phone", "value": client.phone})
    contact = {}
    if client.emergency_contact_name or client.emergency_contact_phone:
        contact = {
            "relationship": [concept(client.emergency_contact_relation or "Emergency contact")],
            "name": {"text": client.emergency_contact_name},
            "telecom": (
                [{"system": "phone", "value": client.emergency_contact_phone}]
                if client.emergency_contact_phone
                else []
            ),
        }
    return compact(
        {
            "resourceType": "Patient",
            "id": str(client.pk),
            "identifier": [{"system": f"{GENTLE}/client", "value": str(client.pk)}],
            "active": True,
            "name": names,
            "telecom": telecom,
            "birthDate": instant(client.date_of_birth),
            "contact": [contact],
            "communication": [
                {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": client.language}]}}
            ],
            "managingOrganization": ref("Organization", client.clinic_id),
        }
    )


def resources(clients: Sequence[Client]) -> Iterator[Resource]:
    """A Patient and a CareTeam (its members as Practitioners) for each client."""
    team: dict[int, list[CareTeamMember]] = defaultdict(list)
    for member in CareTeamMember.objects.filter(client__in=list(clients)).order_by("pk"):
        team[member.client_id].append(member)
    labels = dict(TeamRole.choices)
    for client in clients:
        yield patient(client)
        members = team.get(client.pk, [])
        if not members:
            continue
        yield compact(
            {
                "resourceType": "CareTeam",
                "id": str(client.pk),
                "status": "active",
                "name": "Care team",
                "subject": ref("Patient", client.pk),
                "participant": [
                    {
                        "role": [
                            concept(
                                str(labels.get(m.role, m.role)), gentle_code("team-role", m.role)
                            )
                        ],
                        "member": ref("Practitioner", m.user_id),
                        "period": {"start": instant(m.added_at)},
                    }
                    for m in members
                ],
                "managingOrganization": [ref("Organization", client.clinic_id)],
            }
        )
