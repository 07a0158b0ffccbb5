"""Instruments from FHIR Questionnaires: `gentle import-questionnaire` (docs/fhir.md)."""

import copy
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from gentle.measures.fhir import MAX_BYTES, convert, instrument_from_questionnaire, read_json
from gentle.measures.instruments import InstrumentError, catalogue, parse
from gentle.measures.scoring import check, score_all, triggered_rules

# What a refusal starts with: the FHIR check, an item, or Gentle's own parser naming the file.
REFUSALS = (
    "not a FHIR Questionnaire: ",
    "not a valid FHIR Questionnaire: ",
    "not a usable Questionnaire: ",
    "item ",
    "sleepcheck.json",
)
ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
FREQ = [
    {
        "valueCoding": {"code": "LA6568-5", "display": "Not at all"},
        "extension": [{"url": ORDINAL, "valueDecimal": 0}],
    },
    {
        "valueCoding": {"code": "LA6569-3", "display": "Several days"},
        "extension": [{"url": ORDINAL, "valueDecimal": 1}],
    },
    {
        "valueCoding": {"code": "LA6570-1", "display": "More than half the days"},
        "extension": [{"url": ORDINAL, "valueDecimal": 2}],
    },
    {
        "valueCoding": {"code": "LA6571-9", "display": "Nearly every day"},
        "extension": [{"url": ORDINAL, "valueDecimal": 3}],
    },
]
QUESTIONNAIRE = {
    "resourceType": "Questionnaire",
    "name": "SleepCheck",
    "title": "Sleep check (fictional test questionnaire)",
    "status": "draft",
    "version": "2",
    "item": [
        {
            "linkId": "group",
            "type": "group",
            "item": [
                {
                    "linkId": "s1",
                    "text": "Trouble falling asleep",
                    "type": "choice",
                    "required": True,
                    "answerOption": FREQ,
                    "code": [{"system": "http://loinc.org", "code": "00000-0"}],
                },
                {
                    "linkId": "s2",
                    "text": "Woke too early",
                    "type": "choice",
                    "required": True,
                    "answerOption": [
                        {"valueCoding": {"code": "0", "display": "No"}},
                        {"valueCoding": {"code": "1", "display": "Yes"}},
                    ],
                },
                {
                    "linkId": "s3",
                    "text": "How early?",
                    "type": "choice",
                    "required": True,
                    "answerOption": [{"valueInteger": 1}, {"valueInteger": 2}],
                    "enableWhen": [
                        {"question": "s2", "operator": "=", "answerCoding": {"code": "1"}}
                    ],
                },
            ],
        },
        {"linkId": "note", "type": "display", "text": "Thank you."},
    ],
}


@pytest.fixture
def instruments_dir(settings, tmp_path):
    settings.GENTLE_INSTRUMENTS_DIR = tmp_path / "instruments"
    catalogue.cache_clear()
    yield settings.GENTLE_INSTRUMENTS_DIR
    catalogue.cache_clear()


def write(tmp_path, data, name="q.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_a_questionnaire_becomes_a_scored_instrument(tmp_path, instruments_dir):
    call_command("import_questionnaire", str(write(tmp_path, QUESTIONNAIRE)))
    saved = json.loads((instruments_dir / "sleepcheck.json").read_text())
    assert instruments_dir.stat().st_mode & 0o077 == 0  # the clinic's folder is Gentle's alone
    assert saved["version"] == 2 and saved["licence_confirmed"] is False
    instrument = catalogue()["sleepcheck"]
    assert [item.id for item in instrument.items] == ["s1", "s2", "s3"]
    assert instrument.item("s1").loinc == "00000-0"
    assert instrument.item("s3").condition.values == (1,)
    assert check(instrument, {"s1": 2, "s2": 0}) == {}
    assert "s3" in check(instrument, {"s1": 2, "s2": 1})
    assert score_all(instrument, {"s1": 2, "s2": 1, "s3": 2})[0].value == 5
    assert triggered_rules(instrument, {"s1": 3, "s2": 0}) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda q: q.__setitem__("resourceType", "Patient"),
            "not a FHIR Questionnaire: its resourceType is 'Patient'",
        ),
        (
            lambda q: q.pop("resourceType"),
            "not a FHIR Questionnaire: it has no resourceType",
        ),
        (
            lambda q: q["item"][0]["item"][0].pop("answerOption"),
            "item s1: a choice item needs answer options or a value set",
        ),
        (
            lambda q: q["item"][0]["item"][0].__setitem__("type", "string"),
            "item s1: its type 'string' is not supported",
        ),
        (
            lambda q: q["item"][0]["item"][0].update(
                answerOption=None, answerValueSet="http://example.org/ValueSet/x"
            ),
            "item s1: its answer list 'http://example.org/ValueSet/x' is not contained in the file",
        ),
        (
            lambda q: q["item"][0]["item"][0].__setitem__("repeats", True),
            "item s1: it allows several answers",
        ),
        (
            lambda q: q["item"][0]["item"][1]["answerOption"][0]["valueCoding"].__setitem__(
                "code", "no"
            ),
            "item s2: an answer option has no numeric value",
        ),
        (
            lambda q: q["item"][0]["item"][2]["enableWhen"][0].__setitem__("operator", "~"),
            "item s3: enableWhen operator '~' is not supported",
        ),
        (
            lambda q: q["item"][0]["item"][2]["enableWhen"][0].__setitem__("question", "s9"),
            "item s3: its enableWhen depends on 's9', which is not an earlier item",
        ),
    ],
)
def test_a_questionnaire_gentle_cannot_score_is_refused_naming_the_item(
    tmp_path, instruments_dir, change, message
):
    data = copy.deepcopy(QUESTIONNAIRE)
    change(data)
    with pytest.raises(CommandError, match=message):
        call_command("import_questionnaire", str(write(tmp_path, data)))
    assert not instruments_dir.exists() or not list(instruments_dir.iterdir())


def test_shipped_instruments_and_earlier_imports_are_not_overwritten(tmp_path, instruments_dir):
    path = write(tmp_path, QUESTIONNAIRE)
    with pytest.raises(CommandError, match="'phq9' is a shipped instrument"):
        call_command("import_questionnaire", str(path), instrument_id="phq9")
    call_command("import_questionnaire", str(path))
    with pytest.raises(CommandError, match="exists; use --replace"):
        call_command("import_questionnaire", str(path))
    call_command("import_questionnaire", str(path), replace=True)


def test_a_version_that_is_not_a_plain_number_imports_as_version_1(tmp_path, instruments_dir):
    # "²" is a digit to str.isdigit() but not to int(): the import stopped with a traceback.
    data = copy.deepcopy(QUESTIONNAIRE)
    data["version"] = "²"
    call_command("import_questionnaire", str(write(tmp_path, data)))
    saved = json.loads((instruments_dir / "sleepcheck.json").read_text())
    assert saved["version"] == 1


def test_an_unreadable_file_is_named(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="broken.json: cannot be read"):
        call_command("import_questionnaire", str(bad))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 5) | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "linkId",
                    "type",
                    "text",
                    "answerOption",
                    "valueCoding",
                    "code",
                    "enableWhen",
                    "item",
                    "extension",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=15,
)


def test_a_refusal_naming_a_long_value_is_still_one_line():
    """The command prints one line: a resourceType holding newlines is quoted on one."""
    questionnaire = {**copy.deepcopy(QUESTIONNAIRE), "resourceType": "Patient\n" * 50}
    with pytest.raises(InstrumentError) as refused:
        instrument_from_questionnaire(questionnaire)
    assert str(refused.value).startswith("not a FHIR Questionnaire: its resourceType is ")
    assert "\n" not in str(refused.value) and len(str(refused.value)) < 100


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_the_converter_refuses_malformed_questionnaires_with_its_own_error(data):
    questionnaire = copy.deepcopy(QUESTIONNAIRE)
    target = data.draw(st.sampled_from(["item", "title", "version"]))
    questionnaire[target] = data.draw(json_values)
    try:
        converted = instrument_from_questionnaire(questionnaire)
    except InstrumentError as error:  # `gentle import-questionnaire` prints this one line
        message = str(error)
        assert message.startswith(REFUSALS) and "\n" not in message, message
    else:  # what is written is what Gentle loads
        instrument = parse(converted, "sleepcheck.json")
        assert [item.id for item in instrument.items] == [i["id"] for i in converted["items"]]


# Published Questionnaires (tests/data/fhir/README.md: sources and licences) -------------------

FHIR_DATA = Path(__file__).parent / "data" / "fhir"
LHC_PHQ9 = FHIR_DATA / "phq9-lhc-forms.json"
ARGONAUT_PHQ9 = FHIR_DATA / "phq9-argonaut.json"
RKOF_GAD7 = FHIR_DATA / "gad7-researchkit.json"
SDC_PHQ9 = FHIR_DATA / "phq9-sdc-researchkit.json"


def published(path):
    return json.loads(path.read_text(encoding="utf-8"))


def imported(instruments_dir, path, name):
    out = io.StringIO()
    call_command("import_questionnaire", str(path), instrument_id=name, stdout=out)
    catalogue.cache_clear()
    return catalogue()[name], out.getvalue()


@pytest.mark.parametrize(
    ("path", "item9", "total_code"),
    [(LHC_PHQ9, "/44260-8", "44261-6"), (ARGONAUT_PHQ9, "g1.q9", "44261-6")],
)
def test_a_published_phq9_imports_with_its_codes_bands_and_item_9_rule(
    instruments_dir, path, item9, total_code
):
    """The findings of issue 26: the LHC-Forms PHQ-9 was refused for its calculated total and
    its "how difficult" item; with nine items only it lost the bands, the item-9 rule, the LOINC
    codes and item 9's being required."""
    phq9, printed = imported(instruments_dir, path, "clinic_phq9")
    assert phq9.loinc == "44249-1"
    assert [item.loinc for item in phq9.items] == [
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7",
        "44258-2", "44252-5", "44253-3", "44260-8",
    ]  # fmt: skip
    total = phq9.main_score
    assert total.loinc == total_code and (total.minimum, total.maximum) == (0, 27)
    assert [(band.low, band.high) for band in total.bands] == [
        (0, 4), (5, 9), (10, 14), (15, 19), (20, 27),
    ]  # fmt: skip
    answers = {item.id: 1 for item in phq9.items}
    assert score_all(phq9, answers)[0].value == 9
    assert score_all(phq9, answers)[0].band.text == "Mild"
    assert [rule.severity for rule in triggered_rules(phq9, {**answers, item9: 3})] == ["high"]
    assert [rule.severity for rule in triggered_rules(phq9, {**answers, item9: 1})] == ["moderate"]
    assert triggered_rules(phq9, {**answers, item9: 0}) == []
    # Item 9 is required: a submission without it is refused, not scored as an empty total.
    without_9 = {k: v for k, v in answers.items() if k != item9}
    assert check(phq9, without_9) == {item9: "Question 9 needs an answer."}
    # What was left out or supplied is said in plain words.
    assert "is left out: its answers have no numeric value" in printed  # how difficult
    assert "is calculated or only shown by the file" in printed  # the total item
    assert "Recognised as PHQ-9 by its LOINC code 44249-1" in printed
    assert "Minimal 0–4" in printed


def test_the_lhc_forms_phq9_says_item_9_was_optional_and_is_now_required(instruments_dir):
    assert published(LHC_PHQ9)["item"][8]["required"] is False  # as published
    phq9, printed = imported(instruments_dir, LHC_PHQ9, "clinic_phq9")
    assert all(item.required for item in phq9.items)
    assert (
        "Optional in the file, required here as in Gentle's PHQ-9, so that a total is never "
        "computed without them: /44260-8." in printed
    )


def test_the_argonaut_phq9_keeps_its_version_and_value_sets(instruments_dir):
    phq9, printed = imported(instruments_dir, ARGONAUT_PHQ9, "clinic_phq9")
    saved = json.loads((instruments_dir / "clinic_phq9.json").read_text())
    assert saved["source_version"] == "0.0.0" and saved["version"] == 1
    assert "version “0.0.0” is not a whole number" in printed
    # Item 9 names its contained ValueSet by canonical URL, the others by #id.
    assert [option.text for option in phq9.item("g1.q9").options] == [
        "Not at all", "Several days", "More than half the days", "Nearly every day",
    ]  # fmt: skip
    assert saved["source"] == published(ARGONAUT_PHQ9)["url"]
    assert saved["licence"].startswith("Developed by Drs. Robert L. Spitzer")


def test_check_lists_the_warnings_and_saves_nothing(instruments_dir):
    out = io.StringIO()
    call_command("import_questionnaire", str(LHC_PHQ9), check=True, stdout=out)
    assert "warning: Recognised as PHQ-9" in out.getvalue()
    assert "can be imported; nothing saved" in out.getvalue()
    assert not instruments_dir.exists()


@pytest.mark.parametrize(
    ("path", "name", "count", "required"),
    [(RKOF_GAD7, "GAD-7", 7, True), (SDC_PHQ9, "PHQ-9", 9, False)],
)
def test_a_published_file_without_loinc_codes_imports_as_a_plain_sum_and_says_it_is_not_gentles(
    instruments_dir, path, name, count, required
):
    """Published GAD-7 and SDC PHQ-9 files carry no LOINC code: their answers are scored from
    the contained ValueSet's compose (ordinalValue), their required flags are kept, and the
    warning says that the shipped instrument's bands and rules are not attached (for a PHQ-9,
    that item 9 raises no alert) instead of importing quietly without them."""
    assert "code" not in published(path)
    found, printed = imported(instruments_dir, path, "clinic_copy")
    assert found.loinc == "" and len(found.items) == count
    assert all(item.required is required for item in found.items)
    assert [(option.value, option.text) for option in found.items[0].options] == [
        (0, "Not at all"), (1, "Several days"), (2, "More than half the days"),
        (3, "Nearly every day"),
    ]  # fmt: skip
    answers = {item.id: 3 for item in found.items}
    total = score_all(found, answers)[0]
    assert total.value == 3 * count and total.band is None
    assert triggered_rules(found, answers) == []
    assert f"The file is named like the {name}, but it has no LOINC code" in printed
    assert f"Give the {name} that Gentle ships instead." in printed
    rules_lost = "bands and safety rules are not attached: no answer raises an alert"
    assert (rules_lost in printed) is (name == "PHQ-9")


def test_a_file_named_like_no_shipped_instrument_gets_no_such_warning():
    questionnaire = published(SDC_PHQ9)
    for key in ("id", "url", "name", "title"):
        questionnaire.pop(key, None)
    questionnaire["title"] = "Mood check"
    assert not [w for w in convert(questionnaire).warnings if "named like" in w]


def gad7_in_lhc_forms_shape():
    """A GAD-7 (69737-5) built here in the LHC-Forms shape (the published PHQ-9's answer list
    with ordinalValue, item codes as linkIds, optional items, the total as a decimal item with
    the unit {score}, as a published LHC-Forms GAD-7 export has it): no published GAD-7 file
    could be copied (tests/data/fhir/README.md)."""
    phq9 = published(LHC_PHQ9)
    options = phq9["item"][0]["answerOption"]
    codes = ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]
    return {
        "resourceType": "Questionnaire",
        "status": "draft",
        "title": "Generalized anxiety disorder 7 item (GAD-7)",
        "code": [{"system": "http://loinc.org", "code": "69737-5"}],
        "item": [
            {
                "linkId": f"/{code}",
                "type": "choice",
                "required": False,
                "text": f"GAD-7 item {number}",
                "code": [{"system": "http://loinc.org", "code": code}],
                "answerOption": options,
            }
            for number, code in enumerate(codes, start=1)
        ]
        + [
            {  # the total as an older LHC-Forms export gives it: no expression, no system
                "linkId": "/70274-6",
                "type": "decimal",
                "required": False,
                "code": [{"code": "70274-6"}],
                "extension": [
                    {
                        "url": "http://hl7.org/fhir/StructureDefinition/questionnaire-unit",
                        "valueCoding": {"code": "{score}", "system": "http://unitsofmeasure.org"},
                    }
                ],
            }
        ],
    }


def test_a_gad7_takes_gentles_gad7_bands(tmp_path, instruments_dir):
    gad7, printed = imported(instruments_dir, write(tmp_path, gad7_in_lhc_forms_shape()), "g7")
    assert gad7.loinc == "69737-5" and gad7.main_score.maximum == 21
    assert gad7.main_score.bands and gad7.main_score.band_for(21).severity > 0
    assert all(item.required for item in gad7.items)
    assert "Recognised as GAD-7 by its LOINC code 69737-5" in printed


def test_a_known_code_whose_items_do_not_match_keeps_a_plain_sum_and_says_so(
    tmp_path, instruments_dir
):
    data = gad7_in_lhc_forms_shape()
    data["item"][0]["code"] = [{"system": "http://loinc.org", "code": "00000-0"}]
    gad7, printed = imported(instruments_dir, write(tmp_path, data), "g7")
    assert gad7.main_score.bands == () and gad7.rules == ()
    assert "its items do not match Gentle's GAD-7" in printed
    assert "Optional, as in the file, so that when one is left unanswered" in printed
    assert "the total is left empty: /69725-0, /68509-9, /69733-4" in printed
    assert "Item /70274-6 is calculated or only shown" in printed


@pytest.mark.parametrize(
    ("when", "behaviour", "asked_for"),
    [
        ([{"question": "s1", "operator": "=", "answerCoding": {"code": "LA6570-1"}}], None, {2}),
        ([{"question": "s1", "operator": "!=", "answerInteger": 0}], None, {1, 2, 3}),
        ([{"question": "s1", "operator": ">=", "answerDecimal": 2}], None, {2, 3}),
        ([{"question": "s1", "operator": "<", "answerInteger": 1}], None, {0}),
        ([{"question": "s1", "operator": "exists", "answerBoolean": True}], None, {0, 1, 2, 3}),
        (
            [
                {"question": "s1", "operator": ">", "answerInteger": 0},
                {"question": "s1", "operator": "<=", "answerInteger": 2},
            ],
            "all",
            {1, 2},
        ),
        (
            [
                {"question": "s1", "operator": "=", "answerInteger": 0},
                {"question": "s1", "operator": "=", "answerInteger": 3},
            ],
            "any",
            {0, 3},
        ),
    ],
)
def test_enable_when_operators_become_the_answers_that_ask_the_item(when, behaviour, asked_for):
    data = copy.deepcopy(QUESTIONNAIRE)
    data["item"][0]["item"][2]["enableWhen"] = when
    if behaviour:
        data["item"][0]["item"][2]["enableBehavior"] = behaviour
    instrument = parse(instrument_from_questionnaire(data), "sleepcheck.json")
    assert instrument.item("s3").condition.item == "s1"
    assert set(instrument.item("s3").condition.values) == asked_for


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (
            [{"question": "s1", "operator": "exists", "answerBoolean": False}],
            "cannot ask an item only when another is left unanswered",
        ),
        ([{"question": "s1", "operator": ">", "answerInteger": 3}], "can never be met"),
        (
            [
                {"question": "s1", "operator": "=", "answerInteger": 1},
                {"question": "s2", "operator": "=", "answerInteger": 1},
            ],
            "depends on several items",
        ),
        ([{"question": "s1", "operator": "=", "answerInteger": 7}], "names no known answer"),
    ],
)
def test_enable_when_gentle_cannot_follow_is_refused(when, message):
    data = copy.deepcopy(QUESTIONNAIRE)
    data["item"][0]["item"][2]["enableWhen"] = when
    with pytest.raises(InstrumentError, match=f"^item s3: .*{message}"):
        instrument_from_questionnaire(data)


def test_item_weight_on_the_coding_and_compose_concepts_in_a_contained_value_set():
    weight = "http://hl7.org/fhir/StructureDefinition/itemWeight"
    data = copy.deepcopy(QUESTIONNAIRE)
    data["contained"] = [
        {
            "resourceType": "ValueSet",
            "id": "yesno",
            "compose": {
                "include": [
                    {
                        "system": "http://example.org/answers",
                        "concept": [
                            {
                                "code": "n",
                                "display": "No",
                                "extension": [{"url": weight, "valueDecimal": 0}],
                            },
                            {
                                "code": "y",
                                "display": "Yes",
                                "extension": [{"url": weight, "valueInteger": 2}],
                            },
                        ],
                    }
                ]
            },
        }
    ]
    s2 = data["item"][0]["item"][1]
    s2.pop("answerOption")
    s2["answerValueSet"] = "#yesno"
    data["item"][0]["item"][2]["enableWhen"][0]["answerCoding"] = {"code": "y"}
    data["item"][0]["item"][0]["answerOption"] = [
        {"valueCoding": {"code": "a", "extension": [{"url": weight, "valueDecimal": 1.0}]}},
        {"valueCoding": {"code": "b", "extension": [{"url": weight, "valueDecimal": 4}]}},
    ]
    instrument = parse(instrument_from_questionnaire(data), "sleepcheck.json")
    assert [(o.value, o.text) for o in instrument.item("s2").options] == [(0, "No"), (2, "Yes")]
    assert instrument.item("s3").condition.values == (2,)
    assert instrument.item("s1").values == {1, 4}


def test_a_fractional_weight_is_refused():
    data = copy.deepcopy(QUESTIONNAIRE)
    data["item"][0]["item"][0]["answerOption"][1]["extension"][0]["valueDecimal"] = 0.5
    with pytest.raises(InstrumentError, match="item s1: answer values must be whole numbers"):
        instrument_from_questionnaire(data)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[1, 2]", "not a FHIR Questionnaire: the file holds no JSON object"),
        (b'{"status": "draft", "item": []}', "not a FHIR Questionnaire: it has no resourceType"),
        (b"\xff\xfe{", "cannot be read \\(not JSON"),
        (b"[" * 100_000, "cannot be read \\(not JSON"),
    ],
)
def test_files_that_are_not_questionnaires_are_refused_and_nothing_saved(
    tmp_path, instruments_dir, content, message
):
    path = tmp_path / "q.json"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_questionnaire", str(path))
    assert not instruments_dir.exists()


def test_a_file_over_2_mb_is_refused_before_it_is_read(tmp_path, instruments_dir, monkeypatch):
    path = tmp_path / "big.json"
    with path.open("wb") as big:  # sparse: 57 MB on disk costs nothing
        big.truncate(57 * 1024 * 1024)
    opened = []
    monkeypatch.setattr(Path, "open", lambda *a, **k: opened.append(a) or io.BytesIO(b"{}"))
    with pytest.raises(CommandError, match="big.json: larger than 2 MB, the most Gentle reads"):
        call_command("import_questionnaire", str(path))
    assert opened == [] and not instruments_dir.exists()


class Endless(io.RawIOBase):
    """A stream that never ends, counting what is read from it (a file growing as it is read,
    or a pipe, whose size was not known beforehand)."""

    def __init__(self):
        self.given = 0

    def readable(self):
        return True

    def read(self, size=-1):
        size = 65536 if size is None or size < 0 else size
        self.given += size
        return b" " * size


def test_reading_stops_at_the_limit_whatever_the_stream():
    stream = Endless()
    with pytest.raises(InstrumentError, match="larger than 2 MB"):
        read_json(stream)
    assert stream.given <= MAX_BYTES + 64 * 1024


def json_trees(depth=4):
    return st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-3, 5)
        | st.floats(allow_nan=False, width=16)
        | st.sampled_from(["", "=", "exists", "#PHQ-9", "choice", "integer", "group", "44249-1"])
        | st.text(max_size=4),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "linkId",
                        "type",
                        "text",
                        "answerOption",
                        "answerValueSet",
                        "valueCoding",
                        "code",
                        "system",
                        "display",
                        "enableWhen",
                        "enableBehavior",
                        "question",
                        "operator",
                        "answerCoding",
                        "answerInteger",
                        "item",
                        "extension",
                        "url",
                        "valueDecimal",
                        "required",
                        "repeats",
                        "readOnly",
                        "contained",
                        "resourceType",
                        "expansion",
                        "contains",
                        "compose",
                        "include",
                        "concept",
                    ]
                ),  # fmt: skip
                children,
                max_size=4,
            )
        ),
        max_leaves=12,
    )


def nodes(value, path=()):
    """Every place in a JSON tree: its path."""
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from nodes(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from nodes(child, (*path, index))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_published_questionnaire_damaged_anywhere_is_imported_or_refused_in_one_line(data):
    files = [LHC_PHQ9, ARGONAUT_PHQ9, RKOF_GAD7, SDC_PHQ9]
    questionnaire = published(data.draw(st.sampled_from(files)))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(list(nodes(questionnaire))[1:]))
        parent = questionnaire
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = data.draw(json_trees())
    try:
        converted = convert(questionnaire, instrument_id="sleepcheck")
    except InstrumentError as error:
        message = str(error)
        assert message.startswith(REFUSALS) and "\n" not in message, message
    else:
        parse(converted.instrument, "sleepcheck.json")
        assert all("\n" not in warning for warning in converted.warnings)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200) | json_trees().map(lambda v: json.dumps(v).encode()))
def test_any_bytes_are_read_or_refused_with_the_imports_own_error(content):
    try:
        value = read_json(io.BytesIO(content))
        convert(value, instrument_id="sleepcheck")
    except InstrumentError as error:
        assert "\n" not in str(error)


@pytest.mark.django_db
def test_the_imported_lhc_phq9_is_given_through_http_refusing_a_missing_item_9_and_alerting(
    client, world, instruments_dir
):
    """Issue 26: item 9 was optional, so a submission without it was accepted with an empty
    total, and item 9 = 3 raised no alert. The imported file, given like any instrument."""
    from gentle.measures.models import Administration
    from gentle.safety.models import Alert

    imported(instruments_dir, LHC_PHQ9, "clinic_phq9")
    client.force_login(world.alice)
    response = client.post(
        f"/clients/{world.amara.pk}/measures/new/",
        {"instrument": "clinic_phq9", "mode": "in_session"},
    )
    assert response.status_code == 302
    administration = Administration.objects.get(instrument_id="clinic_phq9")
    codes = ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5"]
    answers = {f"/{code}": "1" for code in [*codes, "44253-3"]}
    refused = client.post(f"/administrations/{administration.pk}/", {**answers, "submit": "1"})
    assert refused.status_code == 400
    assert "Question 9 needs an answer." in refused.content.decode()
    administration.refresh_from_db()
    assert administration.status == "in_progress" and not administration.scores
    item9_alerts = Alert.objects.filter(
        client=world.amara, rule_id="phq9_item9_often", severity="high"
    )
    before = item9_alerts.count()
    client.post(
        f"/administrations/{administration.pk}/", {**answers, "/44260-8": "3", "submit": "1"}
    )
    administration.refresh_from_db()
    assert administration.status == "submitted"
    assert administration.scores["total"] == 11
    assert item9_alerts.count() == before + 1


def test_a_groups_enable_when_passes_to_the_items_inside_it():
    data = copy.deepcopy(QUESTIONNAIRE)
    s3 = data["item"][0]["item"].pop(2)
    when = s3.pop("enableWhen")
    data["item"][0]["item"].append(
        {"linkId": "later", "type": "group", "enableWhen": when, "item": [s3]}
    )
    instrument = parse(instrument_from_questionnaire(data), "sleepcheck.json")
    assert instrument.item("s3").condition.item == "s2"
    assert instrument.item("s3").condition.values == (1,)
    s3["enableWhen"] = when
    with pytest.raises(InstrumentError, match="item s3: both it and the group around it"):
        instrument_from_questionnaire(data)


def test_an_open_choice_item_is_imported_with_its_listed_answers_and_a_warning():
    data = copy.deepcopy(QUESTIONNAIRE)
    data["item"][0]["item"][0]["type"] = "open-choice"
    result = convert(data)
    assert [o["value"] for o in result.instrument["items"][0]["options"]] == [0, 1, 2, 3]
    assert "Item s1 also takes a typed-in answer in the file" in " ".join(result.warnings)


def test_codes_from_other_systems_are_named_in_a_warning():
    data = copy.deepcopy(QUESTIONNAIRE)
    data["code"] = [{"system": "http://snomed.info/sct", "code": "720433000"}]
    data["item"][0]["item"][1]["code"] = [{"system": "http://example.org/codes", "code": "x"}]
    result = convert(data)
    assert (
        "Codes from http://example.org/codes, http://snomed.info/sct are not kept: Gentle keeps "
        "LOINC codes." in result.warnings
    )
    assert "loinc" not in result.instrument


def test_a_code_that_is_not_text_is_refused_or_ignored_without_a_crash():
    """Found by the property above: a list where the calculated item's code belongs raised
    TypeError (unhashable) instead of importing or refusing."""
    data = published(LHC_PHQ9)
    data["item"][9]["code"][0]["code"] = []
    assert convert(data, instrument_id="x").instrument["scores"][0]["loinc"] == "44261-6"
