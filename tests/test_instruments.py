"""Instruments as data files: loading, checking answers, scoring, bands and safety rules.

Property tests (hypothesis) cover every instrument's scoring and its band edges.
"""

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gentle.measures.instruments import DATA, InstrumentError, catalogue, parse
from gentle.measures.scoring import asked_items, check, score_all, triggered_rules

CATALOGUE = catalogue()
SHIPPED = {
    "phq9",
    "gad7",
    "phq2",
    "gad2",
    "hamd17",
    "wsas",
    "ucla3",
    "cssrs_screener",
    "ecr_rs",
    "pg13r",
    "mood",
    "epds",
    "phqa",
}


def answers_for(instrument):
    """A strategy for complete, valid answers (conditional items follow their condition)."""

    @st.composite
    def build(draw):
        answers = {}
        for item in instrument.items:
            if item.condition and answers.get(item.condition.item) not in item.condition.values:
                continue
            answers[item.id] = draw(
                st.sampled_from(sorted(item.values, key=lambda v: (v is None, v)))
            )
        return answers

    return build()


def test_every_listed_instrument_ships_and_loads():
    assert set(CATALOGUE) == SHIPPED
    for instrument in CATALOGUE.values():
        assert instrument.version >= 1
        assert instrument.source and instrument.licence


def test_unconfirmed_licences_are_labelled():
    unconfirmed = {i.id for i in CATALOGUE.values() if not i.licence_confirmed}
    assert {"pg13r", "cssrs_screener", "ecr_rs", "ucla3", "wsas", "epds", "phqa"} <= unconfirmed
    assert "licence unconfirmed" in CATALOGUE["pg13r"].title["en"]


def test_phq9_carries_its_loinc_codes_and_difficulty_item():
    phq9 = CATALOGUE["phq9"]
    assert phq9.loinc == "44249-1"
    assert phq9.main_score.loinc == "44261-6"
    assert phq9.item("phq9_9").loinc == "44260-8"
    assert "phq9_difficulty" not in phq9.main_score.items
    assert not phq9.item("phq9_difficulty").required


@pytest.mark.parametrize("instrument_id", sorted(SHIPPED))
def test_scoring_is_within_range_and_banded(instrument_id):
    instrument = CATALOGUE[instrument_id]

    @settings(max_examples=60, deadline=None)
    @given(answers_for(instrument))
    def check_scores(answers):
        assert check(instrument, answers) == {}
        for result in score_all(instrument, answers):
            score = result.score
            if result.value is None:
                continue
            assert score.minimum <= result.value <= score.maximum
            if score.bands:
                assert result.band is not None
                assert result.band.low <= result.value <= result.band.high

    check_scores()


@given(st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_phq9_total_is_the_sum_of_the_nine_items_and_bands_follow_the_table(values):
    phq9 = CATALOGUE["phq9"]
    answers = {f"phq9_{n}": v for n, v in enumerate(values, start=1)}
    total = score_all(phq9, answers)[0]
    assert total.value == sum(values)
    expected = next(
        label
        for low, high, label in [
            (0, 4, "Minimal"),
            (5, 9, "Mild"),
            (10, 14, "Moderate"),
            (15, 19, "Moderately severe"),
            (20, 27, "Severe"),
        ]
        if low <= sum(values) <= high
    )
    assert total.band.label["en"] == expected


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (4, "Minimal"),
        (5, "Mild"),
        (9, "Mild"),
        (10, "Moderate"),
        (14, "Moderate"),
        (15, "Severe"),
        (21, "Severe"),
    ],
)
def test_gad7_band_edges(total, band):
    score = CATALOGUE["gad7"].main_score
    assert score.band_for(total).label["en"] == band


@pytest.mark.parametrize(
    ("instrument_id", "total", "band"),
    [
        ("hamd17", 7, "No depression"),
        ("hamd17", 8, "Mild"),
        ("hamd17", 16, "Mild"),
        ("hamd17", 17, "Moderate"),
        ("hamd17", 23, "Moderate"),
        ("hamd17", 24, "Severe"),
        ("wsas", 9, "Subclinical"),
        ("wsas", 10, "Significant impairment"),
        ("wsas", 20, "Significant impairment"),
        ("wsas", 21, "Moderately severe or worse"),
        ("phq2", 2, "Negative screen"),
        ("phq2", 3, "Positive screen"),
        ("gad2", 3, "Positive screen"),
        ("pg13r", 29, "Below the threshold"),
        ("pg13r", 30, "Suggests prolonged grief (if 12+ months since the death)"),
    ],
)
def test_band_edges(instrument_id, total, band):
    assert CATALOGUE[instrument_id].main_score.band_for(total).label["en"] == band


def test_hamd17_ranges_total_52():
    assert CATALOGUE["hamd17"].main_score.maximum == 52
    assert CATALOGUE["hamd17"].rater == "clinician"


@given(st.lists(st.integers(1, 7), min_size=9, max_size=9))
def test_ecr_rs_avoidance_reverses_items_1_to_4_and_anxiety_is_a_mean(values):
    ecr = CATALOGUE["ecr_rs"]
    answers = {f"e{n}": v for n, v in enumerate(values, start=1)}
    avoidance, anxiety = score_all(ecr, answers)
    expected = [8 - v for v in values[:4]] + values[4:6]
    assert avoidance.value == round(sum(expected) / 6, 2)
    assert anxiety.value == round(sum(values[6:]) / 3, 2)


def test_wsas_not_working_prorates_the_other_four_items():
    """Issue 25: the four answered items (10 points) were judged against the five-item bands;
    prorated, 10 / 4 * 5 = 12.5, rounded half up to 13 (docs/outcomes.md)."""
    wsas = CATALOGUE["wsas"]
    answers = {"w1": None, "w2": 3, "w3": 4, "w4": 2, "w5": 1}
    assert check(wsas, answers) == {}
    assert score_all(wsas, answers)[0].value == 13
    assert "w2" in check(wsas, {**answers, "w2": None})


def test_a_prorated_wsas_can_change_band():
    # 2 + 2 + 2 + 2 = 8 read "Subclinical"; prorated, 8 / 4 * 5 = 10: "Significant impairment".
    result = score_all(CATALOGUE["wsas"], {"w1": None, "w2": 2, "w3": 2, "w4": 2, "w5": 2})[0]
    assert (result.value, result.band.text) == (10, "Significant impairment")


def test_out_of_range_missing_and_unknown_answers_name_the_question():
    phq9 = CATALOGUE["phq9"]
    answers = {f"phq9_{n}": 1 for n in range(1, 10)}
    assert check(phq9, {**answers, "phq9_3": 4}) == {
        "phq9_3": "Question 3: choose one of the answers offered."
    }
    missing = dict(answers)
    del missing["phq9_7"]
    assert check(phq9, missing) == {"phq9_7": "Question 7 needs an answer."}
    assert check(phq9, missing, partial=True) == {}
    assert "phq9_10" in check(phq9, {**answers, "phq9_10": 1})


def test_cssrs_asks_questions_3_to_5_only_after_a_yes_to_question_2():
    cssrs = CATALOGUE["cssrs_screener"]
    no_thoughts = {"q1": 1, "q2": 0, "q6": 0}
    assert [i.id for i in asked_items(cssrs, no_thoughts)] == ["q1", "q2", "q6"]
    assert check(cssrs, no_thoughts) == {}
    inside_skipped = check(cssrs, {**no_thoughts, "q3": 1})
    assert inside_skipped == {
        "q3": "Question 3 is only asked after another answer; leave it empty."
    }
    thoughts = {"q1": 1, "q2": 1, "q6": 0}
    assert set(check(cssrs, thoughts)) == {"q3", "q4", "q5"}


def test_cssrs_unasked_follow_ups_count_as_their_lowest_answer_in_the_score():
    """Questions 3-5 are not asked after a 'no' to question 2: the 'answered yes' count holds
    only what was asked and answered yes (a skipped branch counts as its lowest answer)."""
    cssrs = CATALOGUE["cssrs_screener"]
    (positive,) = score_all(cssrs, {"q1": 1, "q2": 0, "q6": 0})
    assert positive.value == 1
    (positive,) = score_all(cssrs, {"q1": 1, "q2": 1, "q3": 1, "q4": 0, "q5": 0, "q6": 0})
    assert positive.value == 3


def cssrs_expected(answers) -> str | None:
    """The triage table of MEASURES.md, written out independently of the data file."""
    if answers.get("q4") or answers.get("q5") or (answers.get("q6") and answers.get("q6_recent")):
        return "high"
    if answers.get("q3") or answers.get("q6"):
        return "moderate"
    if answers.get("q1") or answers.get("q2"):
        return "low"
    return None


@given(answers_for(CATALOGUE["cssrs_screener"]))
def test_cssrs_triage_follows_the_table(answers):
    rules = triggered_rules(CATALOGUE["cssrs_screener"], answers)
    assert (rules[0].severity if rules else None) == cssrs_expected(answers)


@pytest.mark.parametrize(
    ("item9", "severity"), [(0, None), (1, "moderate"), (2, "high"), (3, "high")]
)
def test_phq9_item_9_above_zero_raises_an_alert(item9, severity):
    answers = {f"phq9_{n}": 0 for n in range(1, 9)} | {"phq9_9": item9}
    rules = triggered_rules(CATALOGUE["phq9"], answers)
    assert (rules[0].severity if rules else None) == severity


def raw(instrument_id: str) -> dict:
    return json.loads((DATA / f"{instrument_id}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["scores"][0]["bands"].__setitem__(1, {"min": 3, "max": 9, "label": "x"}),
            "bands overlap",
        ),
        (lambda d: d["scores"][0]["bands"].pop(), "bands must cover 0–27"),
        (lambda d: d["scores"][0].__setitem__("method", "median"), "method is 'sum' or 'mean'"),
        (
            lambda d: d["scores"][0].__setitem__("reversed", ["phq9_difficulty"]),
            "reversed items must be among its items",
        ),
        (
            lambda d: d["items"][0].__setitem__("condition", {"item": "phq9_9", "in": [1]}),
            "a condition must name an earlier item",
        ),
        (lambda d: d["safety"][0].__setitem__("severity", "urgent"), "severity is one of"),
        (lambda d: d["items"][1].__setitem__("id", "phq9_1"), "id 'phq9_1' repeats"),
        (lambda d: d.pop("version"), "missing 'version'"),
    ],
)
def test_malformed_instrument_files_are_refused_with_a_message_naming_the_part(change, message):
    data = copy.deepcopy(raw("phq9"))
    change(data)
    with pytest.raises(InstrumentError, match=message):
        parse(data, "phq9.json")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 60) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_the_parser_refuses_anything_malformed_with_its_own_error(data):
    with pytest.raises(InstrumentError, match=r"^fuzz\.json\b"):  # the message names the file
        parse(data, "fuzz.json")


@settings(max_examples=200)
@given(st.data())
def test_the_parser_refuses_mutations_of_a_real_file_cleanly(data):
    original = raw("cssrs_screener")
    mutated = copy.deepcopy(original)
    key = data.draw(st.sampled_from(["items", "scores", "safety", "options", "title"]))
    mutated[key] = data.draw(json_values)
    try:
        instrument = parse(mutated, "cssrs_screener.json")
    except InstrumentError as error:
        assert str(error).startswith("cssrs_screener.json"), error  # the message names the file
    else:  # whatever loads can be answered and scored
        answers = data.draw(answers_for(instrument))
        assert check(instrument, answers) == {}
        assert len(score_all(instrument, answers)) == len(instrument.scores)
