"""Approximate dates: parsing and ordering (property tests for the parser)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gentle.lib.approxdate import ApproxDateError, parse, sort_key

REFUSALS = {"unreadable", "no_such_day", "no_such_month", "age_range", "year_range"}


@pytest.mark.parametrize(
    ("text", "shown", "start"),
    [
        ("2024-03-15", "2024-03-15", date(2024, 3, 15)),
        ("2024-3", "2024-03", date(2024, 3, 1)),
        (" 2019 ", "2019", date(2019, 1, 1)),
        ("around age 30", "age 30", date(2010, 6, 1)),
        ("Age 7", "age 7", date(1987, 6, 1)),
        ("hacia los 30", "age 30", date(2010, 6, 1)),
    ],
)
def test_readable_forms(text, shown, start):
    value = parse(text)
    assert str(value) == shown
    assert value.start(born=date(1980, 6, 1)) == start


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024-02-30", "There is no such day"),
        ("2024-13", "There is no month 13"),
        ("1850", "Choose a year between 1900 and 2100"),
        ("age 130", "between 0 and 120"),
        ("last spring", "Write a date as 2024-03-15"),
        ("", "Write a date as"),
    ],
)
def test_unreadable_forms_say_what_is_accepted(text, message):
    with pytest.raises(ApproxDateError, match=message):
        parse(text)


def test_mixed_precision_sorts_by_start_then_exactness():
    born = date(1990, 5, 20)
    values = [parse(t) for t in ["2021", "2020-11-02", "age 30", "2021-01", "2020-11", "age 99"]]
    ordered = [str(v) for v in sorted(values, key=lambda v: sort_key(v, born))]
    # Age 30 is 2020-05-20 for this birth date; at the same start the more exact comes first.
    assert ordered == ["age 30", "2020-11", "2020-11-02", "2021-01", "2021", "age 99"]


def test_ages_without_a_birth_date_sort_last_by_age():
    values = [parse("age 40"), parse("2001"), parse("age 12")]
    ordered = [str(v) for v in sorted(values, key=sort_key)]
    assert ordered == ["2001", "age 12", "age 40"]


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_every_real_day_round_trips(day):
    assert parse(day.isoformat()).start() == day


@given(st.text(max_size=20))
def test_the_parser_only_ever_raises_its_own_error(text):
    try:
        value = parse(text)
    except ApproxDateError as error:  # the form shows the message or its code's own words
        assert str(error) and error.code in REFUSALS
    else:  # what is accepted is shown back in a form that reads the same
        assert parse(str(value)) == value


@given(
    st.lists(
        st.dates(min_value=date(1950, 1, 1), max_value=date(2050, 1, 1)), min_size=2, max_size=8
    )
)
def test_sorting_never_puts_a_later_start_before_an_earlier_one(days):
    values = [parse(d.isoformat()[:7]) for d in days]
    starts = [v.start() for v in sorted(values, key=sort_key)]
    assert starts == sorted(starts)
