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


Z_95 = 1.959964  # two-sided 95%
Z_998 = 3.090232  # two-sided 99.8%, the funnel plot's outer limits


@dataclass(frozen=True)
class Proportion:
    """``count`` of ``n`` with its Wilson score interval (``low``, ``high``, fractions); when
    ``n`` is 0 there is no proportion (``rate``, ``low`` and ``high`` are None)."""

    count: int
    n: int
    rate: float | None
    low: float | None
    high: float | None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(self.rate * 100, 1)

    @property
    def low_percent(self) -> float | None:
        return None if self.low is None else round(self.low * 100, 1)

    @property
    def high_percent(self) -> float | None:
        return None if self.high is None else round(self.high * 100, 1)


def wilson(count: int, n: int, *, z: float = Z_95) -> Proportion:
    """The proportion ``count``/``n`` with its Wilson score confidence interval (Wilson 1927;
    Newcombe 1998, method 3): centre (p + z²/2n) / (1 + z²/n), half-width
    z / (1 + z²/n) × √(p(1 − p)/n + z²/4n²). Unlike p ± z√(p(1 − p)/n) it stays within 0–1
    and is not of zero width at 0 or n."""
    if n < 0 or not 0 <= count <= n:
        raise ValueError("count must be between 0 and n")
    if n == 0:
        return Proportion(0, 0, None, None, None)
    p = count / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # Exactly 0 at no count and 1 at all (rounding would leave a hair's breadth), and never
    # past the rate itself.
    low = 0.0 if count == 0 else min(p, max(0.0, centre - half))
    high = 1.0 if count == n else max(p, min(1.0, centre + half))
    return Proportion(count, n, p, low, high)


def funnel_limits(rate: float, n: int, *, z: float) -> tuple[float, float]:
    """The control limits of a funnel plot (Spiegelhalter 2005) around the overall ``rate`` for
    a unit of ``n`` cases: rate ± z √(rate(1 − rate)/n), within 0–1."""
    if n <= 0 or not 0 <= rate <= 1:
        raise ValueError("n must be positive and rate in [0, 1]")
    spread = z * math.sqrt(rate * (1 - rate) / n)
    return max(0.0, rate - spread), min(1.0, rate + spread)
