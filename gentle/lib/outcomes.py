"""Change and outcome metrics for symptom scores (framework-free; see MEASURES.md).

- Reliable change (Jacobson & Truax 1991): RC = (x2 - x1) / S_diff, S_diff = sqrt(2) * SE,
  SE = s1 * sqrt(1 - r); |RC| > 1.96 is reliable.
- NHS Talking Therapies course outcomes (caseness, recovery, reliable improvement, reliable
  recovery, reliable deterioration) with configurable cut-offs, plus response (>= 50% drop) and
  remission (last PHQ-9 below a cut-off).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z = 1.96


@dataclass(frozen=True)
class ReliableChange:
    index: float
    threshold: float  # the smallest change in points that is reliable
    reliable: bool


def reliable_change(first: float, last: float, *, sd: float, r: float) -> ReliableChange:
    if sd <= 0 or not 0 <= r < 1:
        raise ValueError("sd must be positive and reliability r in [0, 1)")
    s_diff = math.sqrt(2) * sd * math.sqrt(1 - r)
    index = (last - first) / s_diff
    return ReliableChange(round(index, 2), round(Z * s_diff, 2), abs(index) > Z)


@dataclass(frozen=True)
class Measure:
    """Cut-offs for one instrument in the course outcome rules."""

    caseness: float  # a score at or above this is a case
    reliable_change: float  # a change of at least this many points is reliable


@dataclass(frozen=True)
class CourseOutcome:
    finished: bool
    case_at_start: bool | None
    recovered: bool | None
    reliable_improvement: bool | None
    reliable_recovery: bool | None
    reliable_deterioration: bool | None
    response: bool | None
    remission: bool | None


def course_outcome(
    first: dict[str, float],
    last: dict[str, float],
    *,
    attended: int,
    measures: dict[str, Measure],
    min_sessions: int = 2,
    depression: str = "phq9",
    remission_below: float | None = 5,
    response_drop: float | None = 0.5,
    mixed_improvement: bool = False,
    mixed_deterioration: bool = True,
    complete: bool = True,
) -> CourseOutcome:
    """Outcomes from the first and last scores of each measure (only measures present in both
    count). None means the rule cannot be applied with the scores available.

    ``mixed_improvement`` and ``mixed_deterioration``: whether a course where one measure
    reliably improves and another reliably worsens counts as a reliable improvement, and as a
    reliable deterioration. ``complete=False`` (the measures' first or last scores could not be
    paired by date) leaves every rule over more than one measure unapplied (None): only
    response and remission, which read the depression measure alone, are given.
    ``response_drop`` or ``remission_below`` None: that rule is not defined for the depression
    measure (a format judged on another questionnaire than the PHQ-9), and is None."""
    paired = [m for m in measures if m in first and m in last]
    if not paired:
        return CourseOutcome(attended >= min_sessions, *([None] * 7))
    response = remission = None
    if depression in paired:
        start = first[depression]
        if response_drop is not None:
            response = start > 0 and (start - last[depression]) >= response_drop * start
        if remission_below is not None:
            remission = last[depression] < remission_below
    if not complete:
        return CourseOutcome(
            attended >= min_sessions, None, None, None, None, None, response, remission
        )

    def case(scores: dict[str, float]) -> bool:
        return any(scores[m] >= measures[m].caseness for m in paired)

    change = {m: last[m] - first[m] for m in paired}
    improved = {m for m in paired if change[m] <= -measures[m].reliable_change}
    worsened = {m for m in paired if change[m] >= measures[m].reliable_change}
    case_at_start = case(first)
    recovered = case_at_start and not case(last)
    mixed = bool(improved) and bool(worsened)
    reliable_improvement = bool(improved) and (not worsened or mixed_improvement)
    reliable_deterioration = bool(worsened) and (not mixed or mixed_deterioration)
    return CourseOutcome(
        finished=attended >= min_sessions,
        case_at_start=case_at_start,
        recovered=recovered,
        reliable_improvement=reliable_improvement,
        reliable_recovery=recovered and reliable_improvement,
        reliable_deterioration=reliable_deterioration,
        response=response,
        remission=remission,
    )
