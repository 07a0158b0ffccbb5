"""WSAS prorating (issue 25) as properties over every set of answers: with every item answered
the total is the plain sum; with item 1 "not applicable" it is the four answers' mean times
five, rounded half up, always a whole number within 0-40 and within one band's reach of the
plain sum scaled up."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from gentle.measures.instruments import catalogue
from gentle.measures.scoring import prorated_items, score_all

item = st.integers(min_value=0, max_value=8)


@given(st.lists(item, min_size=5, max_size=5))
def test_all_answered_is_the_plain_sum(values):
    wsas = catalogue()["wsas"]
    answers = {f"w{n}": v for n, v in enumerate(values, start=1)}
    assert score_all(wsas, answers)[0].value == sum(values)
    assert prorated_items(wsas.main_score, answers) == 0


@given(st.lists(item, min_size=4, max_size=4))
def test_not_working_is_the_mean_of_four_times_five_rounded_half_up(values):
    wsas = catalogue()["wsas"]
    answers = {"w1": None, **{f"w{n}": v for n, v in enumerate(values, start=2)}}
    total = score_all(wsas, answers)[0].value
    exact = Fraction(sum(values) * 5, 4)
    assert total == int(exact + Fraction(1, 2))
    assert total == int(total) and 0 <= total <= 40
    assert abs(total - exact) <= Fraction(1, 2)
    assert total >= sum(values)  # never lower than the four answers alone
    assert prorated_items(wsas.main_score, answers) == 1
