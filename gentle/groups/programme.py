"""The programme view's numbers (issue 24 part 5): per group and per facilitator, members,
attendance, completion, PHQ-9 change and recovery, each with the number it rests on.

Every figure comes from a fixed number of aggregate queries over the groups asked for, however
many groups there are: the members' counts (one grouped query), the held sessions with their
attended count and the members' dates for the expected member-sessions (two), and each
member's first and last PHQ-9 on their group course (one query, correlated subqueries on the
administrations' ``admin_course_series`` index). The rules, said on the page too:

- *Late join*: joined after the group's first session (``GroupMember.late``).
- *Attendance*: over the held sessions, member-sessions attended out of member-sessions
  expected, a member being expected at each held session from the day they joined to the day
  they left.
- *Completion*: members who left as having completed the group out of the members who joined,
  not counting members still on the roster of a group that has not finished.
- *PHQ-9 change*: last minus first PHQ-9 total on the member's group course, for members with at
  least two (a corrected answer counts as its correction).
- *Recovery*: of those members, the ones who were a case at the first PHQ-9 (at or above the
  caseness threshold of measures' outcome rules) and are not at the last.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from gentle.groups.models import (
    Group,
    GroupAttendance,
    GroupMember,
    GroupSession,
    GroupSessionStatus,
    GroupStatus,
    LeaveReason,
)
from gentle.measures.models import Administration, Status
from gentle.measures.selectors import outcome_rules

PHQ9 = "phq9"
PAGE_SIZE = 25
LEFT_REASONS = tuple(LeaveReason.values)


def phq9_caseness() -> float:
    """The PHQ-9 total at or above which a person is a case (measures' outcomes.json)."""
    return float(outcome_rules()["measures"][PHQ9]["caseness"])


@dataclass(frozen=True)
class Ratio:
    """``count`` of ``n``; ``percent`` is None where n is 0 ("not enough data")."""

    count: int
    n: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.count / self.n) if self.n else None


@dataclass
class Figures:
    """One group's (or one facilitator's groups') numbers."""

    groups: int = 0
    joined: int = 0
    current: int = 0
    late: int = 0
    left: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEFT_REASONS, 0))
    completed: int = 0
    completion_n: int = 0
    held: int = 0
    attended: int = 0
    expected: int = 0
    change_sum: float = 0.0
    change_n: int = 0
    cases: int = 0
    recovered: int = 0

    def add(self, other: Figures) -> None:
        for one in fields(self):
            if one.name != "left":
                setattr(self, one.name, getattr(self, one.name) + getattr(other, one.name))
        for reason, count in other.left.items():
            self.left[reason] += count

    @property
    def left_total(self) -> int:
        return sum(self.left.values())

    @property
    def left_by_reason(self) -> list[tuple[str, int]]:
        return [(str(LeaveReason(r).label), n) for r, n in self.left.items() if n]

    @property
    def attendance(self) -> Ratio:
        return Ratio(self.attended, self.expected)

    @property
    def completion(self) -> Ratio:
        return Ratio(self.completed, self.completion_n)

    @property
    def recovery(self) -> Ratio:
        return Ratio(self.recovered, self.cases)

    @property
    def mean_change(self) -> float | None:
        return round(self.change_sum / self.change_n, 1) if self.change_n else None


def _count(queryset: QuerySet[Any], by: str) -> Subquery:
    """A correlated COUNT(*) of ``queryset`` (already filtered on its outer row)."""
    counted = queryset.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Subquery(counted, output_field=IntegerField())


def _member_counts(ids: QuerySet[Any], figures: dict[int, Figures]) -> None:
    open_unfinished = Q(left_on__isnull=True) & ~Q(group__status=GroupStatus.FINISHED)
    rows = (
        GroupMember.objects.filter(group__in=ids)
        .order_by()
        .values("group_id")
        .annotate(
            joined=Count("pk"),
            n_current=Count("pk", filter=Q(left_on__isnull=True)),
            n_late=Count("pk", filter=Q(joined_on__gt=F("group__starts_on"))),
            still_running=Count("pk", filter=open_unfinished),
            **{f"left_{r}": Count("pk", filter=Q(leave_reason=r)) for r in LEFT_REASONS},
        )
    )
    for counted in rows:
        row: dict[str, Any] = dict(counted)
        one = figures[row["group_id"]]
        one.joined, one.current, one.late = row["joined"], row["n_current"], row["n_late"]
        one.left = {r: row[f"left_{r}"] for r in LEFT_REASONS}
        one.completed = row[f"left_{LeaveReason.COMPLETED}"]
        one.completion_n = row["joined"] - row["still_running"]


def _attendance(ids: QuerySet[Any], figures: dict[int, Figures]) -> None:
    """Held sessions with their attended count (one query), and who was on each roster on each
    session's day from the members' dates (one query): comparing dates in Python, because a
    correlated count on the session's local date made SQLite convert the date once per member
    row (bench/programme.py, docs/performance.md)."""
    came = GroupAttendance.objects.filter(group_session=OuterRef("pk"), attended=True)
    sessions = (
        GroupSession.objects.filter(group__in=ids, status=GroupSessionStatus.HELD)
        .order_by()
        .annotate(attended=_count(came, "group_session"))
        .values_list("group_id", "starts_at", "attended")
    )
    rosters: dict[int, list[tuple[date, date | None]]] = {}
    members = GroupMember.objects.filter(group__in=ids).order_by()
    for group_id, joined, left in members.values_list("group_id", "joined_on", "left_on"):
        rosters.setdefault(group_id, []).append((joined, left))
    for group_id, starts_at, attended in sessions:
        day = timezone.localdate(starts_at)
        expected = sum(
            1
            for joined, left in rosters.get(group_id, ())
            if joined <= day and (left is None or left >= day)
        )
        one = figures[group_id]
        one.held += 1
        one.expected += expected
        # A row for someone not on the roster that day is not counted beyond the expected.
        one.attended += min(attended or 0, expected)


def _phq9(ids: QuerySet[Any], figures: dict[int, Figures]) -> None:
    corrected = Administration.objects.filter(corrects=OuterRef("pk"), status=Status.SUBMITTED)
    series = (
        Administration.objects.filter(
            course=OuterRef("course_id"), instrument_id=PHQ9, status=Status.SUBMITTED
        )
        .filter(~Exists(corrected))
        .annotate(total=Cast(KT("scores__total"), FloatField()))
    )

    def score(*order: str) -> Subquery:
        return Subquery(series.order_by(*order).values("total")[:1], output_field=FloatField())

    rows = (
        GroupMember.objects.filter(group__in=ids)
        .order_by()
        .annotate(
            n=_count(series, "course"),
            first=score("submitted_at", "pk"),
            last=score("-submitted_at", "-pk"),
        )
        .filter(n__gte=2)
        .values_list("group_id", "first", "last")
    )
    caseness = phq9_caseness()
    for group_id, first, last in rows:
        if first is None or last is None:
            continue
        one = figures[group_id]
        one.change_sum += last - first
        one.change_n += 1
        if first >= caseness:
            one.cases += 1
            one.recovered += last < caseness


def group_figures(groups: QuerySet[Group]) -> dict[int, Figures]:
    """Each group's figures, by group id, for every group of ``groups``: four queries."""
    ids = groups.order_by().values("pk")
    figures: dict[int, Figures] = {pk: Figures(groups=1) for pk in ids.values_list("pk", flat=True)}
    _member_counts(ids, figures)
    _attendance(ids, figures)
    _phq9(ids, figures)
    return figures


@dataclass
class FacilitatorRow:
    facilitator: Any
    figures: Figures


def by_facilitator(
    groups: Iterable[tuple[int, int, int | None]], figures: dict[int, Figures], people: dict
) -> list[FacilitatorRow]:
    """The figures summed over each facilitator's groups (a group counts for its facilitator
    and its co-facilitator alike), by name."""
    rows: dict[int, FacilitatorRow] = {}
    for group_id, *runners in groups:
        for user_id in runners:
            if user_id is None or user_id not in people:
                continue
            row = rows.setdefault(user_id, FacilitatorRow(people[user_id], Figures()))
            row.figures.add(figures[group_id])
    return sorted(rows.values(), key=lambda row: str(row.facilitator).casefold())
