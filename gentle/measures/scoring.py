"""Checking and scoring answers against an instrument definition, and its safety rules.

Answers are a mapping of item id to the chosen option's value (None for an unscored option
such as "not applicable"); items not asked are absent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext as _

from gentle.measures.instruments import Band, Instrument, Item, Rule, Score

SEVERITY_ORDER = {"low": 1, "moderate": 2, "high": 3}


def is_asked(item: Item, answers: dict) -> bool:
    """Whether the item is asked, given the answers so far (conditional items)."""
    if item.condition is None:
        return True
    return answers.get(item.condition.item, object()) in item.condition.values


def asked_items(instrument: Instrument, answers: dict) -> list[Item]:
    return [item for item in instrument.items if is_asked(item, answers)]


def check(instrument: Instrument, answers: dict, *, partial: bool = False) -> dict[str, str]:
    """Problems with these answers, by item id, in words for the person answering.

    ``partial`` (save and continue) allows missing answers; nothing else is relaxed.
    """
    errors: dict[str, str] = {}
    known = {item.id for item in instrument.items}
    for item_id in answers:
        if item_id not in known:
            errors[item_id] = _("This question is not part of the questionnaire.")
    for number, item in enumerate(instrument.items, start=1):
        name = _("Question %(n)s") % {"n": number}
        if item.id not in answers:
            if not partial and item.required and is_asked(item, answers):
                errors[item.id] = _("%(name)s needs an answer.") % {"name": name}
            continue
        if not is_asked(item, answers):
            errors[item.id] = _("%(name)s is only asked after another answer; leave it empty.") % {
                "name": name
            }
        elif answers[item.id] not in item.values:
            errors[item.id] = _("%(name)s: choose one of the answers offered.") % {"name": name}
    return errors


@dataclass(frozen=True)
class ScoreResult:
    score: Score
    value: float | None
    band: Band | None


def _item_value(item: Item, value: int, reverse: bool) -> int:
    if not reverse:
        return value
    low, high = item.scored_range
    return low + high - value


def score_one(instrument: Instrument, score: Score, answers: dict) -> ScoreResult:
    """A score needs every asked item of it answered with a scored option, except that
    unscored answers ("not applicable") are left out of sums and means."""
    values = []
    for item_id in score.items:
        item = instrument.item(item_id)
        if not is_asked(item, answers):
            values.append(item.scored_range[0])  # a skipped branch counts as its lowest answer
            continue
        if item_id not in answers:
            return ScoreResult(score, None, None)
        if answers[item_id] is None:
            continue
        values.append(_item_value(item, answers[item_id], item_id in score.reversed))
    if not values:
        return ScoreResult(score, None, None)
    if score.method == "mean":
        value = round(sum(values) / len(values), 2)
    elif score.prorate and len(values) < len(score.items):
        value = prorated(values, len(score.items))
    else:
        value = float(sum(values))
    return ScoreResult(score, value, score.band_for(value))


def prorated(values: list[int], count: int) -> float:
    """The mean of the answered items times the number of items, rounded half up to a whole
    number so that it falls in one of the whole-number bands (WSAS with "not applicable")."""
    return float(math.floor(Fraction(sum(values) * count, len(values)) + Fraction(1, 2)))


def prorated_items(score: Score, answers: dict) -> int:
    """How many of the score's items were answered "not applicable" (0: not prorated)."""
    if not score.prorate:
        return 0
    return sum(1 for item_id in score.items if item_id in answers and answers[item_id] is None)


def score_all(instrument: Instrument, answers: dict) -> list[ScoreResult]:
    return [score_one(instrument, score, answers) for score in instrument.scores]


def triggered_rules(instrument: Instrument, answers: dict) -> list[Rule]:
    """The safety rules these answers trigger, most severe first."""
    hits = []
    for rule in instrument.rules:
        if answers.get(rule.item, object()) not in rule.values:
            continue
        if rule.also and answers.get(rule.also.item, object()) not in rule.also.values:
            continue
        hits.append(rule)
    return sorted(hits, key=lambda r: -SEVERITY_ORDER[r.severity])
