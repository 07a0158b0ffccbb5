"""Reads about alerts and crisis texts."""

from __future__ import annotations

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from gentle.accounts.models import Role, Supervision, User
from gentle.clients.models import CareTeamMember, TeamRole
from gentle.safety import risk
from gentle.safety.models import Alert, CrisisText, SafetySettings

SEVERITY_RANK = {"low": 1, "moderate": 2, "high": 3}


def open_alerts(client) -> list[Alert]:
    return list(Alert.objects.filter(client=client, acknowledged_at__isnull=True))


def open_alert_summary(client_ids) -> dict[int, dict]:
    """For each client with open alerts: how many and the worst severity (one query)."""
    rows = (
        Alert.objects.filter(client_id__in=list(client_ids), acknowledged_at__isnull=True)
        .values("client_id", "severity")
        .annotate(n=Count("pk"), escalated=Max("escalated_at"))
    )
    summary: dict[int, dict] = {}
    for row in rows:
        entry = summary.setdefault(
            row["client_id"], {"count": 0, "severity": "low", "escalated": False}
        )
        entry["count"] += row["n"]
        entry["escalated"] = entry["escalated"] or row["escalated"] is not None
        if SEVERITY_RANK[row["severity"]] > SEVERITY_RANK[entry["severity"]]:
            entry["severity"] = row["severity"]
    return summary


def crisis_text_for(clinic, language: str) -> str:
    """The clinic's crisis text in this language, else its default text, else ''."""
    if clinic is None:
        return ""
    texts = {c.language: c.text for c in CrisisText.objects.filter(clinic=clinic)}
    return texts.get(language[:2]) or texts.get("en") or clinic.crisis_text


def escalated_alerts(clients_qs) -> list[Alert]:
    return list(
        Alert.objects.filter(client__in=clients_qs, acknowledged_at__isnull=True)
        .exclude(escalated_at=None)
        .select_related("client")
    )


def risk_phrases_in(text: str) -> list[str]:
    """The writer's own risk phrases in free text ('self' level of gentle.safety.risk.scan, in
    any language we know): someone else's suicide, the topic in general or a past event told as
    history give none. Deterministic word rules: a match raises an alert, it does not judge."""
    result = risk.scan(text or "")
    return [phrase for rule_id, phrase in result.matches if risk.match_level(rule_id) == "self"]


def crisis_response(clinic, language: str, *, client=None) -> dict:
    """What every crisis response shows, in the same response as the words that raised it:
    render it with ``{% include "safety/_crisis_response.html" %}`` (``crisis`` in the context).
    One place, so every form that hears risk answers alike."""
    return {"text": crisis_text_for(clinic, language), "client": client, "clinic": clinic}


# Who is told about an alert (gentle.safety.actions). Each is one query; only active people who
# still hold the role in the client's clinic.


def care_team_clinicians(client) -> list[User]:
    """The clinicians on the client's care team."""
    return list(
        User.objects.filter(
            is_active=True,
            care_teams__client=client,
            care_teams__role=TeamRole.CLINICIAN,
            memberships__clinic_id=client.clinic_id,
            memberships__role=Role.CLINICIAN,
        )
        .distinct()
        .order_by("pk")
    )


def client_supervisors(client) -> list[User]:
    """The supervisors on the client's care team and those supervising one of its clinicians:
    the people who see the client through supervision."""
    team_clinicians = CareTeamMember.objects.filter(client=client, role=TeamRole.CLINICIAN).values(
        "user_id"
    )
    return list(
        User.objects.filter(
            is_active=True,
            memberships__clinic_id=client.clinic_id,
            memberships__role=Role.SUPERVISOR,
        )
        .filter(
            Q(care_teams__client=client, care_teams__role=TeamRole.SUPERVISOR)
            | Q(supervisees__clinic_id=client.clinic_id, supervisees__clinician__in=team_clinicians)
        )
        .distinct()
        .order_by("pk")
    )


SAFETY_LEAD_ROLES = (Role.CLINICIAN, Role.SUPERVISOR)


def safety_lead_candidates(clinic):
    """Who may be the clinic's safety lead: its active clinicians and supervisors."""
    return (
        User.objects.filter(
            is_active=True, memberships__clinic=clinic, memberships__role__in=SAFETY_LEAD_ROLES
        )
        .distinct()
        .order_by("display_name", "email", "pk")
    )


def safety_lead(clinic_id: int) -> User | None:
    """The clinic's safety lead, while they still hold a clinical role there."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__clinic_id=clinic_id,
            memberships__role__in=SAFETY_LEAD_ROLES,
            pk__in=SafetySettings.objects.filter(clinic_id=clinic_id).values("safety_lead_id"),
        )
        .distinct()
        .first()
    )


def alerts_waiting_for(*, clinic, user, roles) -> QuerySet[Alert]:
    """The open alerts waiting for this person, for the navigation badge: as a clinician,
    those of clients on their care team; as a supervisor, the escalated ones of clients they
    supervise (on the care team, or through a clinician they supervise); as the clinic's
    safety lead, every escalated one in the clinic. Counting them is one query whatever the
    numbers."""
    if not (Role.CLINICIAN in roles or Role.SUPERVISOR in roles):
        return Alert.objects.none()
    team = CareTeamMember.objects.filter(client=OuterRef("client_id"), user=user)
    escalated = Q(escalated_at__isnull=False)
    # The safety lead's share; a lead who lost their clinical role was already returned above.
    waiting = escalated & Q(Exists(SafetySettings.objects.filter(clinic=clinic, safety_lead=user)))
    if Role.CLINICIAN in roles:
        waiting |= Q(Exists(team.filter(role=TeamRole.CLINICIAN)))
    if Role.SUPERVISOR in roles:
        supervised = Supervision.objects.filter(clinic=clinic, supervisor=user).values(
            "clinician_id"
        )
        waiting |= escalated & (
            Q(Exists(team.filter(role=TeamRole.SUPERVISOR)))
            | Q(
                Exists(
                    CareTeamMember.objects.filter(
                        client=OuterRef("client_id"),
                        role=TeamRole.CLINICIAN,
                        user_id__in=supervised,
                    )
                )
            )
        )
    return Alert.objects.filter(waiting, client__clinic=clinic, acknowledged_at__isnull=True)


def open_alert_count(*, clinic, user, roles) -> int:
    return alerts_waiting_for(clinic=clinic, user=user, roles=roles).count()
