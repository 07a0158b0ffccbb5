"""Reliable change and course outcome rules (property tests on the formulas)."""

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gentle.lib.outcomes import Measure, course_outcome, reliable_change

RULES = {"phq9": Measure(10, 6), "gad7": Measure(8, 4)}


def test_worked_example_from_the_published_inputs():
    # s1 = 7.6, r = 0.95: SE 1.70, S_diff 2.40, reliable change 4.71 points (MEASURES.md).
    result = reliable_change(20, 15, sd=7.6, r=0.95)
    assert result.threshold == 4.71
    assert result.reliable and result.index < 0
    assert not reliable_change(20, 16, sd=7.6, r=0.95).reliable


@given(st.floats(0, 60), st.floats(0, 60), st.floats(0.5, 20), st.floats(0, 0.99))
def test_reliable_change_is_antisymmetric_and_matches_its_threshold(x1, x2, sd, r):
    forward, backward = reliable_change(x1, x2, sd=sd, r=r), reliable_change(x2, x1, sd=sd, r=r)
    assert forward.index == -backward.index
    s_diff = math.sqrt(2) * sd * math.sqrt(1 - r)
    assume(abs(abs(x2 - x1) - 1.96 * s_diff) > 1e-6)
    assert forward.reliable == (abs(x2 - x1) > 1.96 * s_diff)


@pytest.mark.parametrize(("sd", "r"), [(0, 0.9), (-1, 0.9), (5, 1), (5, -0.1)])
def test_impossible_reliability_inputs_are_refused(sd, r):
    with pytest.raises(ValueError):
        reliable_change(1, 2, sd=sd, r=r)


def test_a_recovered_responder():
    outcome = course_outcome(
        {"phq9": 18, "gad7": 12}, {"phq9": 4, "gad7": 5}, attended=12, measures=RULES
    )
    assert outcome.finished and outcome.case_at_start and outcome.recovered
    assert outcome.reliable_improvement and outcome.reliable_recovery
    assert outcome.response and outcome.remission and not outcome.reliable_deterioration


def test_improvement_on_one_measure_with_a_reliable_increase_on_the_other_is_not_reliable():
    outcome = course_outcome(
        {"phq9": 18, "gad7": 6}, {"phq9": 10, "gad7": 11}, attended=8, measures=RULES
    )
    assert not outcome.reliable_improvement
    assert outcome.reliable_deterioration


def test_not_a_case_at_start_cannot_recover_and_one_session_is_not_finished():
    outcome = course_outcome(
        {"phq9": 7, "gad7": 5}, {"phq9": 3, "gad7": 2}, attended=1, measures=RULES
    )
    assert not outcome.finished and not outcome.case_at_start and not outcome.recovered


def test_no_paired_scores_gives_no_outcome():
    outcome = course_outcome({"phq9": 12}, {"gad7": 3}, attended=5, measures=RULES)
    assert outcome.recovered is None and outcome.response is None


@given(st.integers(0, 27), st.integers(0, 27), st.integers(0, 21), st.integers(0, 21))
def test_outcome_rules_follow_their_definitions(p1, p2, g1, g2):
    outcome = course_outcome(
        {"phq9": p1, "gad7": g1}, {"phq9": p2, "gad7": g2}, attended=6, measures=RULES
    )
    case_first, case_last = p1 >= 10 or g1 >= 8, p2 >= 10 or g2 >= 8
    assert outcome.case_at_start == case_first
    assert outcome.recovered == (case_first and not case_last)
    improved = p2 - p1 <= -6 or g2 - g1 <= -4
    worsened = p2 - p1 >= 6 or g2 - g1 >= 4
    assert outcome.reliable_improvement == (improved and not worsened)
    assert outcome.reliable_deterioration == worsened
    assert outcome.reliable_recovery == (outcome.recovered and outcome.reliable_improvement)
    assert outcome.response == (p1 > 0 and p1 - p2 >= 0.5 * p1)
    assert outcome.remission == (p2 < 5)


phq = st.integers(0, 27)
gad = st.integers(0, 21)


@given(phq, phq, gad, gad, st.booleans(), st.booleans())
def test_the_mixed_change_rule_decides_only_mixed_courses(p1, p2, g1, g2, improve, deteriorate):
    """Issue 25: the rule for one measure reliably improving while the other reliably worsens
    comes from the caller (outcomes.json), and changes nothing for any other course."""
    first, last = {"phq9": p1, "gad7": g1}, {"phq9": p2, "gad7": g2}
    shipped = course_outcome(first, last, attended=3, measures=RULES)
    chosen = course_outcome(
        first,
        last,
        attended=3,
        measures=RULES,
        mixed_improvement=improve,
        mixed_deterioration=deteriorate,
    )
    improved = p2 - p1 <= -6 or g2 - g1 <= -4
    worsened = p2 - p1 >= 6 or g2 - g1 >= 4
    if improved and worsened:
        assert (chosen.reliable_improvement, chosen.reliable_deterioration) == (
            improve,
            deteriorate,
        )
        assert (shipped.reliable_improvement, shipped.reliable_deterioration) == (False, True)
    else:
        assert chosen == shipped
        assert shipped.reliable_improvement == improved
        assert shipped.reliable_deterioration == worsened


@given(phq, phq, gad, gad)
def test_unpaired_scores_count_no_recovery_but_keep_response_and_remission(p1, p2, g1, g2):
    first, last = {"phq9": p1, "gad7": g1}, {"phq9": p2, "gad7": g2}
    paired = course_outcome(first, last, attended=3, measures=RULES)
    unpaired = course_outcome(first, last, attended=3, measures=RULES, complete=False)
    assert (unpaired.recovered, unpaired.reliable_improvement, unpaired.reliable_recovery) == (
        None,
        None,
        None,
    )
    assert (unpaired.case_at_start, unpaired.reliable_deterioration) == (None, None)
    assert (unpaired.response, unpaired.remission) == (paired.response, paired.remission)
