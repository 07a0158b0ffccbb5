"""Reads about a client record that its pages compose (the record itself comes through
``gentle.clients.access``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gentle.accounts.models import Invitation, InvitationPurpose, User
from gentle.clients.models import CareTeamMember, Client, TeamRole


@dataclass(frozen=True)
class PortalLogin:
    """Who the client's portal login is, where it came from, and whether it waits for review."""

    email: str
    activated_at: datetime | None
    invited_by: User | None
    review_since: datetime | None
    other_address: bool  # the login's address is not the one in the client's details


def portal_login(client: Client) -> PortalLogin | None:
    if client.user_id is None:
        return None
    login = User.objects.get(pk=client.user_id)
    origin = (
        Invitation.objects.select_related("created_by")
        .filter(pk=client.portal_invitation_id)
        .first()
        if client.portal_invitation_id
        else None
    )
    return PortalLogin(
        email=login.email,
        activated_at=origin.used_at if origin else None,
        invited_by=origin.created_by if origin else None,
        review_since=client.portal_review_since,
        other_address=bool(client.email) and client.email.strip().lower() != login.email.lower(),
    )


def open_portal_invitation(client: Client) -> Invitation | None:
    """The client's open portal invitation, if one waits for activation."""
    for invitation in Invitation.objects.select_related("created_by").filter(
        clinic_id=client.clinic_id,
        client_id=client.pk,
        purpose=InvitationPurpose.CLIENT_PORTAL,
        used_at=None,
        revoked_at=None,
    ):
        if invitation.state == "open":
            return invitation
    return None


def team_clinicians(client_ids: list[int]) -> dict[int, list[str]]:
    """The names of each of these clients' care-team clinicians (one query on the care team's
    unique index, over these clients only)."""
    names: dict[int, list[str]] = {}
    for client_id, display_name, email in (
        CareTeamMember.objects.filter(client_id__in=client_ids, role=TeamRole.CLINICIAN)
        .order_by("client_id", "added_at", "pk")
        .values_list("client_id", "user__display_name", "user__email")
    ):
        names.setdefault(client_id, []).append(display_name or email)
    return names
