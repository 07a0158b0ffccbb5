"""Instruments from FHIR R4B Questionnaires: `gentle import-questionnaire`."""

import copy
import json

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from gentle.measures.fhir import instrument_from_questionnaire
from gentle.measures.instruments import InstrumentError, catalogue, parse
from gentle.measures.scoring import check, score_all, triggered_rules

# What a refusal starts with: the FHIR check, an item, or Gentle's own parser naming the file.
REFUSALS = ("not a valid FHIR R4B Questionnaire: ", "item ", "sleepcheck.json")
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
        (lambda q: q.__setitem__("resourceType", "Patient"), "not a valid FHIR R4B Questionnaire"),
        (
            lambda q: q["item"][0]["item"][0].pop("answerOption"),
            "item s1: only items with answer options can be scored",
        ),
        (
            lambda q: q["item"][0]["item"][1]["answerOption"][0]["valueCoding"].__setitem__(
                "code", "no"
            ),
            "item s2: an answer option has no numeric value",
        ),
        (
            lambda q: q["item"][0]["item"][2]["enableWhen"][0].__setitem__("operator", "!="),
            "item s3: only one enableWhen with '=' is supported",
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


def test_a_refusal_quoting_a_pattern_is_still_one_line():
    """Found by the property below: pydantic quotes the pattern of an empty title, newline and
    all; the command prints one line."""
    questionnaire = {**copy.deepcopy(QUESTIONNAIRE), "title": ""}
    with pytest.raises(InstrumentError) as refused:
        instrument_from_questionnaire(questionnaire)
    assert str(refused.value).startswith("not a valid FHIR R4B Questionnaire: title: ")
    assert "\n" not in str(refused.value)


@settings(max_examples=150)
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
