"""The grief curve's data: scores, the dual-process lanes and check-ins, in months since the
loss; and the prolonged-grief flag (for the clinician only)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils import timezone
from django.utils.translation import get_language

from gentle.measures.instruments import catalogue
from gentle.measures.models import Administration, Status

DATA = Path(__file__).resolve().parent / "data" / "grief.json"


@cache
def rules() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def words() -> list[tuple[str, str]]:
    language = (get_language() or "en")[:2]
    return [(w["id"], w.get(language) or w["en"]) for w in rules()["words"]]


def months_since(loss, day) -> float:
    return round((day - loss.died_on).days / 30.44, 1)


@dataclass
class Flag:
    score: float
    months: float


def scores(loss) -> dict[str, list[tuple[float, float, object]]]:
    """PG-13-R and PHQ-9 totals after the loss, by months since it."""
    wanted = rules()["curve_instruments"]
    series: dict[str, list] = {i: [] for i in wanted}
    for administration in Administration.objects.filter(
        client=loss.client_id,
        instrument_id__in=wanted,
        status=Status.SUBMITTED,
        corrections__isnull=True,
    ).order_by("submitted_at"):
        day = timezone.localtime(administration.submitted_at).date()
        score = catalogue()[administration.instrument_id].main_score
        value = administration.scores.get(score.id)
        if value is not None and day >= loss.died_on:
            series[administration.instrument_id].append((months_since(loss, day), value, score))
    return series


def prolonged_flag(loss, series) -> Flag | None:
    """The clinician's flag: the latest PG-13-R at or above the threshold, at least the
    required months after the death. Never shown to the client."""
    rule = rules()["prolonged"]
    latest = series.get(rule["instrument"]) or []
    if not latest:
        return None
    months, value, _score = latest[-1]
    if value >= rule["threshold"] and months >= rule["months"]:
        return Flag(value, months)
    return None
