"""Reads about alerts and crisis texts."""

from __future__ import annotations

from django.db.models import Count, Max

from gentle.safety import risk
from gentle.safety.models import Alert, CrisisText

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


RECENT_ALERTS_SHOWN = 5


def recent_alerts(alert: Alert, limit: int = RECENT_ALERTS_SHOWN) -> list[Alert]:
    """The client's latest other alerts, newest first (one query)."""
    return list(Alert.objects.filter(client_id=alert.client_id).exclude(pk=alert.pk)[:limit])


def contact_attempts(alert: Alert) -> list:
    """The alert's contact log, newest first, with who made each attempt (one query)."""
    return list(alert.contact_attempts.select_related("made_by"))
