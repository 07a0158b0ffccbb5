"""Reads about alerts and crisis texts."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path

from django.db.models import Count, Max

from gentle.safety.models import Alert, CrisisText

SEVERITY_RANK = {"low": 1, "moderate": 2, "high": 3}
DATA = Path(__file__).resolve().parent / "data"


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


@cache
def _risk_patterns() -> dict[str, re.Pattern]:
    data = json.loads((DATA / "risk_phrases.json").read_text(encoding="utf-8"))
    return {
        language: re.compile(r"\b(" + "|".join(re.escape(_fold(p)) for p in phrases) + r")\b")
        for language, phrases in data["phrases"].items()
    }


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("\u2019", "'"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def risk_phrases_in(text: str) -> list[str]:
    """Risk phrases in free text, in any language we know (people switch languages when
    distressed). Deterministic word rules: a match raises an alert, it does not judge."""
    folded = _fold(text or "")
    found: list[str] = []
    for pattern in _risk_patterns().values():
        found.extend(m.group(0) for m in pattern.finditer(folded))
    return found
