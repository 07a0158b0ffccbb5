"""Reads about alerts and crisis texts."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gentle.accounts.decorators import AuthenticatedHttpRequest
from gentle.accounts.models import Clinic, Role, Supervision, User
from gentle.clients.models import CareTeamMember, Client, TeamRole
from gentle.lib.prepared import ID_LIST, PreparedQuery, id_lists, listed_ids
from gentle.safety import risk
from gentle.safety.access import audit_plan_read
from gentle.safety.models import (
    Alert,
    ContactAttempt,
    CrisisText,
    SafetyPlanVersion,
    SafetySettings,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DATA = Path(__file__).resolve().parent / "data"

SEVERITY_RANK = {"low": 1, "moderate": 2, "high": 3}


def open_alerts(client: Client) -> list[Alert]:
    return list(Alert.objects.filter(client=client, acknowledged_at__isnull=True))


class AlertSummary(TypedDict):
    count: int
    severity: str
    escalated: bool
    by_severity: list[tuple[str, int]]  # (severity, how many), the worst first


def _open_alerts_of(shape: str, **ids: int) -> QuerySet[Any]:
    return (
        Alert.objects.filter(client_id__in=listed_ids(ids), acknowledged_at__isnull=True)
        .values("client_id", "severity")
        .annotate(n=Count("pk"), escalated=Max("escalated_at"))
        .values_list("client_id", "severity", "n", "escalated")
    )


# Built and compiled once per process (issue 20).
OPEN_ALERTS_OF = PreparedQuery(_open_alerts_of, values=ID_LIST)


def open_alert_summary(client_ids: Iterable[int]) -> dict[int, AlertSummary]:
    """For each client with open alerts: how many, the worst severity and how many of each
    (one query for a page of clients)."""
    summary: dict[int, AlertSummary] = {}
    for ids in id_lists(client_ids):
        for client_id, severity, n, escalated in OPEN_ALERTS_OF.rows("page", **ids):
            entry = summary.setdefault(
                client_id, {"count": 0, "severity": "low", "escalated": False, "by_severity": []}
            )
            entry["count"] += n
            entry["by_severity"].append((severity, n))
            entry["by_severity"].sort(key=lambda pair: -SEVERITY_RANK[pair[0]])
            entry["escalated"] = entry["escalated"] or escalated is not None
            if SEVERITY_RANK[severity] > SEVERITY_RANK[entry["severity"]]:
                entry["severity"] = severity
    return summary


@cache
def _load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _lang(language: str | None = None) -> str:
    return (language or get_language() or settings.LANGUAGE_CODE)[:2]


def _crisis_texts(_shape: None, clinic_id: int) -> QuerySet:
    return CrisisText.objects.filter(clinic_id=clinic_id).values_list("language", "text")


# Read for the crisis page and with every answer the safety path checks: built once.
CRISIS_TEXTS = PreparedQuery(_crisis_texts, values=("clinic_id",))


def crisis_text_for(clinic: Clinic | None, language: str) -> str:
    """The clinic's crisis text in this language. The clinic's own crisis resources (set with
    the clinic) stand for the site's default language. Where a language has none, the default
    language's text rather than nothing: the administrator is warned (``crisis_texts_missing``)."""
    if clinic is None:
        return ""
    texts = dict(CRISIS_TEXTS.rows(None, clinic_id=clinic.pk))
    default = settings.LANGUAGE_CODE
    own = texts.get(_lang(language))
    if own:
        return own
    if _lang(language) == default and clinic.crisis_text:
        return clinic.crisis_text
    return texts.get(default) or clinic.crisis_text or next(iter(texts.values()), "")


def crisis_texts_missing(clinic: Clinic | None) -> list[tuple[str, StrOrPromise]]:
    """The enabled languages (settings.LANGUAGES) for which this clinic has no crisis text."""
    if clinic is None:
        return []
    have = set(
        CrisisText.objects.filter(clinic=clinic).exclude(text="").values_list("language", flat=True)
    )
    if clinic.crisis_text:
        have.add(settings.LANGUAGE_CODE)
    return [(code, name) for code, name in settings.LANGUAGES if code not in have]


def crisis_text_default(language: str) -> str:
    """A starting point for a language's crisis text (data/crisis_defaults.json), to be checked
    and completed with the clinic's own numbers; '' for a language we have none for."""
    return _load("crisis_defaults.json")["texts"].get(_lang(language), "")


def risk_phrases_in(text: str) -> list[str]:
    """The writer's own risk phrases in free text ('self' level of gentle.safety.risk.scan, in
    any language we know): someone else's suicide, the topic in general or a past event told as
    history give none. Deterministic word rules: a match raises an alert, it does not judge."""
    result = risk.scan(text or "")
    return [phrase for rule_id, phrase in result.matches if risk.match_level(rule_id) == "self"]


class CrisisResponse(TypedDict):
    text: str
    client: Client | None
    clinic: Clinic | None
    plan: list[PlanSectionText] | None


def crisis_response(
    clinic: Clinic | None,
    language: str,
    *,
    client: Client | None = None,
    request: AuthenticatedHttpRequest | None = None,
) -> CrisisResponse:
    """What every crisis response shows, in the same response as the words that raised it:
    render it with ``{% include "safety/_crisis_response.html" %}`` (``crisis`` in the context).
    One place, so every form that hears risk answers alike. With ``client``, the crisis parts of
    their safety plan (what they can do, whom to ask, which lines to call) come with it; that
    reading is audited."""
    plan = None
    if client is not None:
        version = safety_plan(client)
        if version is not None:
            audit_plan_read(request, client, version, via="crisis_response")
            plan = plan_view(version, crisis_only=True)
    return {
        "text": crisis_text_for(clinic, language),
        "client": client,
        "clinic": clinic,
        "plan": plan,
    }


# The safety plan


@dataclass(frozen=True)
class PlanSection:
    id: str
    label: str
    prompt: str
    crisis: bool


def plan_sections_version() -> int:
    return _load("safety_plan.json")["version"]


class PlanSectionText(TypedDict):
    section: PlanSection
    text: str


def plan_sections(language: str | None = None) -> list[PlanSection]:
    """The Stanley-Brown sections in the reader's language (data/safety_plan.json)."""
    lang = _lang(language)
    return [
        PlanSection(
            s["id"],
            s.get(lang) or s["en"],
            s["prompt"].get(lang) or s["prompt"]["en"],
            s["crisis"],
        )
        for s in _load("safety_plan.json")["sections"]
    ]


def safety_plan(client: Client) -> SafetyPlanVersion | None:
    """The client's plan: its newest version, or None."""
    return SafetyPlanVersion.objects.filter(client=client).select_related("saved_by").first()


def plan_versions(client: Client) -> list[SafetyPlanVersion]:
    """Every saved version, newest first (who saved it and when)."""
    return list(SafetyPlanVersion.objects.filter(client=client).select_related("saved_by"))


def plan_view(
    version: SafetyPlanVersion, *, crisis_only: bool = False, written_only: bool = True
) -> list[PlanSectionText]:
    """The sections of one version as (section, text), in the data file's order: the written
    ones (all of them with ``written_only=False``, for print), and with ``crisis_only`` only
    those a crisis response shows."""
    return [
        {"section": section, "text": version.sections.get(section.id, "")}
        for section in plan_sections()
        if (version.sections.get(section.id, "").strip() or not written_only)
        and (section.crisis or not crisis_only)
    ]


def plan_page(client: Client, *, number: str | None = None) -> dict[str, Any]:
    """What a safety plan page shows: the current version, the one asked for (``number``, for
    an earlier version; None if there is no such version) and the list of versions."""
    versions = plan_versions(client)
    current = versions[0] if versions else None
    shown = current
    if number not in (None, ""):
        shown = next((v for v in versions if str(v.number) == str(number)), None)
    return {
        "plan": current,
        "shown": shown,
        "shown_sections": plan_view(shown) if shown is not None else [],
        "all_sections": plan_view(shown, written_only=False) if shown is not None else [],
        "versions": versions,
        "is_earlier": shown is not None and current is not None and shown.number != current.number,
    }


RECENT_ALERTS_SHOWN = 5


def recent_alerts(alert: Alert, limit: int = RECENT_ALERTS_SHOWN) -> list[Alert]:
    """The client's latest other alerts, newest first (one query)."""
    return list(Alert.objects.filter(client_id=alert.client_id).exclude(pk=alert.pk)[:limit])


def contact_attempts(alert: Alert) -> list[ContactAttempt]:
    """The alert's contact log, newest first, with who made each attempt (one query)."""
    return list(alert.contact_attempts.select_related("made_by"))


# Who is told about an alert (gentle.safety.actions). Each is one query; only active people who
# still hold the role in the client's clinic.


def care_team_clinicians(client: Client) -> list[User]:
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


def client_supervisors(client: Client) -> list[User]:
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


def safety_lead_candidates(clinic: Clinic) -> QuerySet[User]:
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


def alerts_waiting_for(*, clinic: Clinic, user: User, roles: Collection[str]) -> QuerySet[Alert]:
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
        # A list of the person's clients, made once, not a look-up for each alert: 1.9 ms
        # against 1.1 for a clinician's count over the clinic's 2,000 open alerts on SQLite
        # (issue 20).
        own = CareTeamMember.objects.filter(user=user, role=TeamRole.CLINICIAN)
        waiting |= Q(client_id__in=own.values("client_id"))
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


def open_alerts_before_signing(session: Any, client: Any) -> list[str]:
    """For a note's confirmation page (gentle.lib.before_signing): the client's open alerts,
    most severe first. One query."""
    alerts = sorted(
        Alert.objects.filter(client_id=client.pk, acknowledged_at__isnull=True),
        key=lambda alert: (-SEVERITY_RANK.get(alert.severity, 0), -alert.raised_at.timestamp()),
    )
    return [
        _("There is an open %(severity)s alert for this client, raised %(when)s: %(reason)s")
        % {
            "severity": alert.get_severity_display().lower(),
            "when": date_format(timezone.localtime(alert.raised_at), "SHORT_DATETIME_FORMAT"),
            "reason": alert.reason,
        }
        for alert in alerts
    ]
