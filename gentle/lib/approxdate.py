"""Approximate dates, as people remember them: a day, a month, a year, or an age.

``parse`` reads "2024-03-15", "2024-03", "2024", "age 30", "around age 30" (and the same in
Spanish: "edad 30", "hacia los 30"). Each value has a sort date (the start of its period, or
the birthday at that age when the date of birth is known) so that exact and approximate dates
sort together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

DAY, MONTH, YEAR, AGE = "day", "month", "year", "age"
PRECISIONS = (DAY, MONTH, YEAR, AGE)
MIN_YEAR, MAX_YEAR = 1900, 2100

_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_AGE = re.compile(
    r"^(?:(?:around|about|aprox(?:imadamente)?\.?|hacia)\s+)?"
    r"(?:(?:age|edad)\s+|(?:los|las)\s+)?(\d{1,3})$"
)


class ApproxDateError(ValueError):
    """Not a date we can read; the message says what is accepted, and ``code`` lets a caller
    show its own (translated) words."""

    def __init__(self, message: str, code: str = "unreadable", **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class ApproxDate:
    precision: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    age: int | None = None

    def start(self, born: date | None = None) -> date | None:
        """The first day of the period (for an age: that birthday, if the birth date is
        known)."""
        if self.precision == AGE:
            if born is None:
                return None
            assert self.age is not None  # an AGE value always has its age
            return _birthday(born, born.year + self.age)
        assert self.year is not None  # every other precision has a year
        return date(self.year, self.month or 1, self.day or 1)

    def display(self) -> str:
        """As a person reads it, in the active language ("7 de diciembre de 2026", "March
        2024", "2024", "age 30"); ``str()`` stays the form's own notation ("2024-03")."""
        from django.utils.formats import date_format
        from django.utils.translation import gettext

        if self.precision == AGE:
            return gettext("age %(age)d") % {"age": self.age}
        first = self.start()
        assert first is not None  # a day, month or year always has its first day
        if self.precision == DAY:
            return date_format(first, "DATE_FORMAT")
        if self.precision == MONTH:
            return date_format(first, "YEAR_MONTH_FORMAT")
        return str(first.year)

    def __str__(self) -> str:
        if self.precision == DAY:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.precision == MONTH:
            return f"{self.year:04d}-{self.month:02d}"
        if self.precision == YEAR:
            return f"{self.year:04d}"
        return f"age {self.age}"


def _birthday(born: date, year: int) -> date:
    try:
        return born.replace(year=year)
    except ValueError:  # 29 February
        return born.replace(year=year, day=28)


def parse(text: str) -> ApproxDate:
    value = " ".join(str(text).strip().lower().split())
    message = (
        "Write a date as 2024-03-15, a month as 2024-03, a year as 2024, or an age as 'age 30'."
    )
    if match := _DAY.match(value):
        year, month, day = (int(g) for g in match.groups())
        try:
            date(year, month, day)
        except ValueError:
            raise ApproxDateError(f"There is no such day. {message}", "no_such_day") from None
        result = ApproxDate(DAY, year, month, day)
    elif match := _MONTH.match(value):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise ApproxDateError(
                f"There is no month {month}. {message}", "no_such_month", month=month
            )
        result = ApproxDate(MONTH, year, month)
    elif match := _YEAR.match(value):
        result = ApproxDate(YEAR, int(match[1]))
    elif match := _AGE.match(value):
        age = int(match[1])
        if not 0 <= age <= 120:
            raise ApproxDateError("An age is between 0 and 120.", "age_range")
        return ApproxDate(AGE, age=age)
    else:
        raise ApproxDateError(message, "unreadable")
    assert result.year is not None  # each branch above that gets here set it
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise ApproxDateError(
            f"Choose a year between {MIN_YEAR} and {MAX_YEAR}.",
            "year_range",
            low=MIN_YEAR,
            high=MAX_YEAR,
        )
    return result


def from_parts(
    precision: str,
    year: int | None = None,
    month: int | None = None,
    day: int | None = None,
    age: int | None = None,
) -> ApproxDate:
    return ApproxDate(precision, year, month, day, age)


def sort_key(value: ApproxDate, born: date | None = None) -> tuple[int, date, int, int]:
    """Exact and approximate dates together by their start; ages without a birth date last
    (by age); at the same start, the more exact first."""
    start = value.start(born)
    rank = PRECISIONS.index(value.precision)
    if start is None:
        return (1, date.max, value.age or 0, rank)
    return (0, start, 0, rank)
