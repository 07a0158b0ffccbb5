"""How long something may wait, written the way people say it: "1 hour", "90 minutes",
"3 days", "1 working day".

A working day is Monday to Friday in the given time zone (public holidays are not known).
``n`` working days after a moment is the same time of day on the ``n``th weekday after that
moment's date: Friday 15:00 plus one working day is Monday 15:00, and Saturday 10:00 plus one
working day is Monday 10:00. Minutes, hours and days are elapsed time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

UNITS = {
    "minute": "minutes",
    "minutes": "minutes",
    "min": "minutes",
    "m": "minutes",
    "hour": "hours",
    "hours": "hours",
    "h": "hours",
    "day": "days",
    "days": "days",
    "d": "days",
    "working day": "working_days",
    "working days": "working_days",
    "wd": "working_days",
}
_PATTERN = re.compile(r"(\d{1,6})\s*([a-z]+(?: [a-z]+)?)")
SATURDAY = 5


@dataclass(frozen=True)
class Delay:
    amount: int
    unit: str  # minutes, hours, days or working_days

    def __str__(self) -> str:
        unit = self.unit.replace("_", " ")
        return f"{self.amount} {unit[:-1] if self.amount == 1 else unit}"

    @property
    def at_least(self) -> timedelta:
        """Elapsed time that always passes before the delay ends (a working day takes at least
        a day), to narrow a database query before ``ends`` decides."""
        if self.unit == "working_days":
            return timedelta(days=self.amount)
        return timedelta(**{self.unit: self.amount})

    def ends(self, start: datetime, zone: tzinfo) -> datetime:
        """When the delay that began at ``start`` (timezone-aware) is over."""
        if self.unit != "working_days":
            return start + self.at_least
        local = start.astimezone(zone)
        day = local.date()
        left = self.amount
        while left:
            day += timedelta(days=1)
            if day.weekday() < SATURDAY:
                left -= 1
        naive = datetime.combine(day, local.time().replace(tzinfo=None))
        return naive.replace(tzinfo=zone, fold=local.fold)


def parse_delay(text: str, *, minimum: timedelta, maximum: timedelta) -> Delay:
    """A delay from "<number> <unit>" (units: minutes, hours, days, working days, or m, h,
    d, wd), else ValueError with a message for a person."""
    cleaned = " ".join(str(text).strip().lower().split())
    match = _PATTERN.fullmatch(cleaned)
    if not match or match.group(2) not in UNITS:
        raise ValueError(
            "expected a number and a unit, e.g. '1 hour', '30 minutes', '3 days' or '1 working day'"
        )
    delay = Delay(int(match.group(1)), UNITS[match.group(2)])
    if delay.at_least < minimum:
        raise ValueError(f"must be at least {_say(minimum)}")
    if delay.at_least > maximum:
        raise ValueError(f"must be at most {_say(maximum)}")
    return delay


def _say(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)} days"
    if minutes % 60 == 0:
        return f"{minutes // 60} hours"
    return f"{minutes} minutes"
