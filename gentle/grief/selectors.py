"""The grief curve's data: scores, the dual-process lanes and check-ins, in months since the
loss; and the prolonged-grief flag (for the clinician only)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gentle.grief.models import Orientation
from gentle.lib import svg
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


def curve_data(loss) -> dict:
    """Load the loss's log and check-ins (labelled in the reader's language) onto it, and
    return its score series: two queries besides the scores, whatever the length."""
    loss.activity_list = list(loss.activities.all())
    loss.check_in_list = list(loss.check_ins.all())
    names = dict(words())
    for check_in in loss.check_in_list:
        check_in.labels = [names.get(w, w) for w in check_in.words]
    return scores(loss)


def curve_svg(loss, series) -> str:
    """The grief curve as SVG (call ``curve_data`` first)."""
    last = max(
        [
            0.0,
            *[m for points in series.values() for m, _v, _s in points],
            *[months_since(loss, a.day) for a in loss.activity_list],
            *[months_since(loss, c.day) for c in loss.check_in_list],
        ]
    )
    lines = []
    for css, (instrument_id, points) in zip(("pg", "phq"), series.items(), strict=False):
        lines.append(
            (
                catalogue()[instrument_id].main_score.text,
                css,
                [
                    (m, round((v - s.minimum) / (s.maximum - s.minimum) * 100, 1))
                    for m, v, s in points
                ],
            )
        )
    lanes = {
        o: [months_since(loss, a.day) for a in loss.activity_list if a.orientation == o]
        for o in Orientation.values
    }
    return svg.grief_curve(
        months=last + 1,
        series=lines,
        loss_lane=lanes["loss"],
        restoration_lane=lanes["restoration"],
        check_ins=[months_since(loss, c.day) for c in loss.check_in_list],
        label=_("Since the death of %(who)s: scores, the two kinds of coping, and check-ins")
        % {"who": loss.who},
        lane_labels=(_("Loss-oriented coping"), _("Restoration-oriented coping")),
        x_title=_("Months since the death"),
        y_title=_("Score, in percent of the questionnaire's range"),
        keys={"months": _("6 and 12 months"), "check-in": _("Check-in")},
    )
