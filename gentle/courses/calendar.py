"""The calendar's time grid: where each session and each free hour sits, in rows of a quarter of
an hour, from 07:00 to 21:00 or wider when a session falls outside. Pure layout of sessions
already read (no queries); the page places items with the stylesheet's ``r-N`` (first row) and
``s-N`` (rows spanned) classes, and without the grid the items read as a list in time order."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from gentle.courses.models import Attendance, Session

FIRST_HOUR = 7
LAST_HOUR = 21  # the grid ends at this hour
ROW_MINUTES = 15
ROWS_PER_HOUR = 60 // ROW_MINUTES
MAX_SPAN = 240 // ROW_MINUTES  # the longest session (240 minutes)


@dataclass
class Item:
    """A session, or a free hour one can book (``session`` is None)."""

    starts_at: datetime
    row: int
    span: int
    session: Session | None = None
    unrecorded: bool = False
    clash: bool = False


@dataclass
class Day:
    date: date
    items: list[Item] = field(default_factory=list)


@dataclass
class Grid:
    days: list[Day]
    hours: list[tuple[time, int]]  # each hour of the grid and its first row
    first_hour: int


def _hour_range(sessions: list[Session]) -> tuple[int, int]:
    first, last = FIRST_HOUR, LAST_HOUR
    for s in sessions:
        start, end = timezone.localtime(s.starts_at), timezone.localtime(s.ends_at)
        first = min(first, start.hour)
        # A session past midnight takes the grid to the end of its day.
        last = 24 if end.date() > start.date() else max(last, end.hour + (1 if end.minute else 0))
    return first, last


def build(days: list[date], sessions: list[Session], *, now: datetime) -> Grid:
    """Lay out the sessions (already in time order) over the given days."""
    first, last = _hour_range(sessions)
    zone = timezone.get_current_timezone()
    grid = Grid(
        days=[],
        hours=[(time(h), (h - first) * ROWS_PER_HOUR + 1) for h in range(first, last)],
        first_hour=first,
    )
    rows = (last - first) * ROWS_PER_HOUR
    for day in days:
        start_of_grid = datetime.combine(day, time(first), zone)
        todays = [s for s in sessions if timezone.localtime(s.starts_at).date() == day]
        items: list[Item] = []
        previous_end: datetime | None = None
        for s in todays:
            offset = int((s.starts_at - start_of_grid).total_seconds() // 60)
            row = max(0, offset) // ROW_MINUTES + 1
            span = min(max(1, -(-s.minutes // ROW_MINUTES)), MAX_SPAN, rows - row + 1)
            items.append(
                Item(
                    starts_at=s.starts_at,
                    row=row,
                    span=max(1, span),
                    session=s,
                    unrecorded=s.attendance == Attendance.SCHEDULED and s.ends_at <= now,
                    clash=previous_end is not None and s.starts_at < previous_end,
                )
            )
            previous_end = max(previous_end or s.ends_at, s.ends_at)
        for hour in range(first, last):
            begins = datetime.combine(day, time(hour), zone)
            ends = begins + timedelta(hours=1)
            if any(s.starts_at < ends and s.ends_at > begins for s in todays):
                continue
            items.append(
                Item(
                    starts_at=begins,
                    row=(hour - first) * ROWS_PER_HOUR + 1,
                    span=ROWS_PER_HOUR,
                )
            )
        items.sort(key=lambda item: (item.starts_at, item.session is not None))
        grid.days.append(Day(date=day, items=items))
    return grid
