"""The risk scanner for client free text: every finding of the issue, negation, person and tense,
idioms, spelling noise, the data files, the labelled set's figures and properties that must hold
for any text. Pure Python: no database."""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gentle.safety import risk
from gentle.safety.risk_report import load_sentences, measure
from gentle.safety.selectors import risk_phrases_in

SENTENCES = Path(__file__).resolve().parent / "data" / "risk_sentences.json"


def level(text: str, language: str | None = None) -> str:
    return risk.scan(text, language).level


def ids(text: str, language: str | None = None) -> list[str]:
    return [rule_id for rule_id, _phrase in risk.scan(text, language).matches]


# -- the findings of the issue: each missed sentence, each false 'self' ----------------------


def test_finding_c_ssrs_wish_to_sleep_and_not_wake_up_is_self():
    assert level("I wish I could go to sleep and not wake up.") == "self"


def test_finding_everyone_better_off_without_me_is_self():
    assert level("Everyone would be better off without me.") == "self"


def test_finding_im_a_burden_is_self():
    assert level("I'm a burden.") == "self"


def test_finding_nothing_left_to_live_for_is_self():
    assert level("There's nothing left to live for.") == "self"


def test_finding_started_cutting_again_is_self():
    assert level("I've started cutting again.") == "self"


def test_finding_looked_up_how_many_pills_it_would_take_is_self():
    assert level("I looked up how many pills it would take.") == "self"


def test_finding_wrote_a_goodbye_letter_is_self():
    assert level("I wrote a goodbye letter.") == "self"


def test_finding_no_puedo_mas_is_self():
    assert level("No puedo más.") == "self"


def test_finding_soy_una_carga_is_self():
    assert level("Soy una carga.") == "self"


def test_finding_me_quiero_matar_is_self():
    assert level("Me quiero matar.") == "self"


def test_finding_ojala_no_despertar_is_self():
    assert level("Ojalá no despertar.") == "self"


def test_finding_i_want_to_die_is_still_self():
    assert level("I want to die.") == "self"


def test_finding_brother_died_by_suicide_is_a_mention_never_self():
    assert level("My brother died by suicide two years ago.") == "mention"


@pytest.mark.parametrize(
    "text",
    [
        "my mum killed herself when I was twelve",
        "since dad's suicide I can't sleep",
        "Mi madre se quitó la vida cuando yo tenía doce años.",
        "Desde el suicidio de papá no puedo dormir.",
        "I keep thinking about how my brother killed himself.",
    ],
)
def test_finding_a_client_grieving_a_suicide_can_talk_about_it(text):
    assert level(text) == "mention"


def test_finding_held_out_first_person_statements_are_found():
    """The old phrase list found 7 of 30 first-person statements it had not seen (and 18 of 90
    of ours); the scanner finds 80 of these 90 it was never tuned on."""
    held = [
        s for s in load_sentences(SENTENCES) if s["split"] == "held_out" and s["label"] == "self"
    ]
    found = sum(level(s["text"]) == "self" for s in held)
    assert found / len(held) >= 0.85


# -- negation, person, tense, questions ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I don't want to die.", "none"),
        ("I don't want to live.", "self"),
        ("I would never kill myself.", "none"),
        ("I'm not going to kill myself, I just feel low.", "none"),
        ("I'm not suicidal.", "none"),
        ("I don't know why but I want to die.", "self"),
        ("I can't stop thinking about killing myself.", "self"),
        ("Not gonna lie, I want to die.", "self"),
        ("No one would care if I died.", "self"),
        ("No quiero morir.", "none"),
        ("Ya no quiero vivir.", "self"),
        ("Ya no quiero morirme.", "none"),
        ("No me quiero matar, solo estoy agotado.", "none"),
        ("No dejo de pensar en matarme.", "self"),
        ("No soy una carga, lo estoy aprendiendo.", "none"),
    ],
)
def test_negation_both_ways(text, expected):
    assert level(text) == expected


def test_someone_elses_wish_to_die_is_a_mention():
    assert level("My flatmate told me she wants to die.") == "mention"
    assert "other_person:en.active.want_to_die" in ids("Do you ever want to die?")


def test_a_question_about_a_friend_is_a_mention():
    result = risk.scan("What should I do if a friend says they want to die?")
    assert result.level == "mention"
    assert level("¿Qué debo hacer si una amiga dice que se quiere morir?") == "mention"


def test_someone_elses_quoted_words_are_a_mention_the_writers_own_are_self():
    assert level('My friend texted me "I want to kill myself" last night.') == "mention"
    assert level("She said: \u201cI\u2019m a burden to everyone.\u201d") == "mention"
    assert level('I told my therapist "I want to die" and she listened.') == "self"


def test_a_past_attempt_told_as_history_is_a_mention_the_clinician_still_sees():
    result = risk.scan("Years ago I tried to kill myself.")
    assert result.level == "mention"
    assert any(rule_id.startswith("history.self_attempt:") for rule_id, _ in result.matches)
    spanish = risk.scan("Hace años intenté matarme.")
    assert spanish.level == "mention"
    assert any(rule_id.startswith("history.self_attempt:") for rule_id, _ in spanish.matches)


def test_a_recent_or_renewed_attempt_is_self():
    assert level("I tried to kill myself last week.") == "self"
    assert level("I used to cut but I've started cutting again.") == "self"
    assert level("When I was 17 I tried to kill myself and now I'm thinking about it again.") == (
        "self"
    )


# -- idioms ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "This traffic is killing me.",
        "I could kill him for that.",
        "Her cheesecake is to die for.",
        "I'm dead tired today.",
        "I'm dying to see the new film.",
        "I'd rather die than sing karaoke in front of my boss.",
        "I cut myself shaving this morning.",
        "I could sleep forever.",
        "Quitting now would be career suicide.",
        "Me muero de ganas de verte.",
        "Me muero de risa.",
        "Me muero de hambre.",
        "Me mata el tráfico.",
        "Estoy muerto de cansancio.",
        "Me quiero morir de la vergüenza.",
        "Mi madre me va a matar cuando vea el coche.",
        "Me corté el pelo ayer.",
    ],
)
def test_everyday_idioms_are_not_risk(text):
    assert level(text) == "none"


def test_rather_die_than_go_on_is_not_an_idiom():
    assert level("I'd rather die than go on like this.") == "self"


# -- spelling, accents, apostrophes, case, emoji, mixed languages --------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I want to dieeee",
        "i dont want to live anymore",
        "im going to kill myself",
        "I don\u2019t want to live",
        "I WANT TO DIE",
        "I want to die \U0001f62d\U0001f62d",
        "no puedo mas",
        "quiero suicidarme",
        "me kiero morir",
        "quiero morirrrr",
        "I'm fine pero ya no aguanto más",
        "Ojala no despertar",
        "I want to d\u00adie",
        "I want to k\u200bill myself",
    ],
)
def test_spelling_noise_still_reads_as_self(text):
    assert level(text) == "self"


@pytest.mark.parametrize("text", ["", "   ", "\U0001f600", "...", "\n\n"])
def test_empty_or_wordless_text_is_none(text):
    result = risk.scan(text)
    assert (result.level, result.matches) == ("none", ())


def test_excerpt_is_the_clients_own_words():
    result = risk.scan("Honestly?? I WANT TO DIEEEE today")
    assert result.matches == (("en.active.want_to_die", "WANT TO DIEEEE"),)


def test_language_choice():
    assert level("Me quiero matar.", "es") == "self"
    assert level("Me quiero matar.", "es-MX") == "self"
    assert level("Me quiero matar.", "en") == "none"  # only the language asked for
    assert level("Me quiero matar.", "fr") == "self"  # one we do not know: every language
    assert risk.scan("x", "en").version == f"en:{risk.load('en').version}"
    assert risk.scan("x").version == risk.version()


def test_result_is_frozen():
    result = risk.scan("I want to die.")
    with pytest.raises(AttributeError):
        result.level = "none"


def test_risk_phrases_in_returns_only_the_writers_own_risk():
    assert risk_phrases_in("Honestly some days I want to die.") == ["want to die"]
    assert risk_phrases_in("My brother died by suicide two years ago.") == []
    assert risk_phrases_in("Years ago I tried to kill myself.") == []
    assert risk_phrases_in("") == []


def test_match_level():
    assert risk.match_level("en.active.want_to_die") == "self"
    assert risk.match_level("en.mention.topic") == "mention"
    assert risk.match_level("history.self_attempt:en.attempt.tried") == "mention"
    with pytest.raises(KeyError):
        risk.match_level("no.such.rule")


# -- the data files ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", risk.LANGUAGES)
def test_every_rule_fires_on_its_own_examples(code):
    lang = risk.load(code)
    for rule in lang.rules:
        assert rule.anchors, f"{rule.id} has no anchor words: it would run on every clause"
        for example in rule.examples:
            folded = risk.normalize(example)[0].strip(" .")
            assert rule.regex.search(folded), f"{rule.id} does not match {example!r}"
            assert level(example, code) == rule.level, f"{rule.id}: {example!r}"
    for idiom in lang.idioms:
        for example in idiom.examples:
            assert level(example, code) == "none", f"{idiom.id}: {example!r}"


@pytest.mark.parametrize("code", risk.LANGUAGES)
def test_data_file_is_versioned_with_its_source(code):
    data = json.loads((risk.DATA / f"risk_{code}.json").read_text(encoding="utf-8"))
    assert data["language"] == code
    assert isinstance(data["version"], int) and data["version"] >= 1
    assert len(data["source"]) > 100


def _valid():
    return json.loads((risk.DATA / "risk_en.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["rules"][0].update(level="high"), "level must be"),
        (lambda d: d["rules"][0].update(person="third"), "person must be"),
        (lambda d: d["rules"][0].update(category="mood"), "category must be"),
        (lambda d: d["rules"][1].update(id=d["rules"][0]["id"]), "its own id"),
        (lambda d: d["rules"][0].update(patterns=["(unclosed"]), "missing )"),
        (lambda d: d["rules"][0].update(patterns=["\\Wdie"]), "lower case"),
        (lambda d: d["rules"][0].update(patterns=["<nosuch> die"]), "unknown macro <nosuch>"),
        (lambda d: d["rules"][0].update(examples=[]), "at least one example"),
        (lambda d: d["rules"][0].pop("patterns"), "needs patterns"),
        (lambda d: d.update(version="one"), "integer version"),
        (lambda d: d["context"].update(negation_window=0), "negation_window"),
        (lambda d: d.pop("rules"), "missing 'rules'"),
    ],
)
def test_bad_data_is_refused_with_a_message_naming_the_part(change, message):
    data = copy.deepcopy(_valid())
    change(data)
    with pytest.raises(risk.RiskDataError, match=re.escape(message)):
        risk.parse(data, "risk_en.json")


# -- the labelled set and the published figures ----------------------------------------------


def test_labelled_set_has_what_the_issue_asks():
    sentences = load_sentences(SENTENCES)
    assert len({s["id"] for s in sentences}) == len(sentences)
    assert len({s["text"] for s in sentences}) == len(sentences)
    for code in risk.LANGUAGES:
        mine = [s for s in sentences if s["language"] == code]
        groups = {g: sum(s["group"] == g for s in mine) for g in ("self", "mention", "idiom")}
        groups["ordinary"] = sum(s["group"] == "ordinary" for s in mine)
        assert len(mine) >= 300
        assert groups["self"] >= 100 and groups["mention"] >= 60
        assert groups["idiom"] >= 80 and groups["ordinary"] >= 60
        assert {s["split"] for s in mine} == {"tuning", "held_out"}
        for s in mine:
            expected = {"self": "self", "mention": "mention"}.get(s["group"], "none")
            assert s["label"] == expected, s["id"]


@pytest.fixture(scope="module", params=[False, True], ids=["language_unknown", "language_given"])
def figures(request):
    return measure(load_sentences(SENTENCES), given=request.param)


@pytest.mark.parametrize("code", risk.LANGUAGES)
def test_tuning_set_floors(figures, code):
    cell = figures[(code, "tuning")]
    assert cell.recall("self") >= 0.9
    assert cell.precision("self") >= 0.9
    assert cell.mentions_as_self == 0  # never 'self' for someone else's suicide or history
    assert cell.idiom_alarm_rate() <= 0.05


# Measured once, after tuning, on sentences the rules were never tuned on (docs/risk-scanner.md);
# the floors sit a little below so that a regression fails.
# Measured (v1 data; English v2 the same): en self recall 37/45 = 0.82, precision 37/38 = 0.97,
# mentions 25/25, idiom false alarms 1/30; es self recall 43/45 = 0.96, precision 43/43, mentions
# 25/25, idiom false alarms 1/30; no mention scanned as self in either.
HELD_OUT_FLOORS = {
    "en": {"self_recall": 0.80, "self_precision": 0.94, "mention_recall": 0.96, "alarms": 0.07},
    "es": {"self_recall": 0.93, "self_precision": 0.97, "mention_recall": 0.96, "alarms": 0.07},
}


@pytest.mark.parametrize("code", risk.LANGUAGES)
def test_held_out_floors(figures, code):
    cell = figures[(code, "held_out")]
    floor = HELD_OUT_FLOORS[code]
    assert cell.recall("self") >= floor["self_recall"]
    assert cell.precision("self") >= floor["self_precision"]
    assert cell.recall("mention") >= floor["mention_recall"]
    assert cell.idiom_alarm_rate() <= floor["alarms"]
    assert cell.mentions_as_self == 0


# -- properties for any text -------------------------------------------------------------------

SELF_SENTENCES = [
    "I want to die.",
    "I wish I could go to sleep and not wake up.",
    "Everyone would be better off without me.",
    "I've started cutting again.",
    "I looked up how many pills it would take.",
    "Me quiero matar.",
    "No vale la pena vivir.",
    "Ojalá no despertar mañana.",
    "Soy una carga para mi familia.",
]
ORDINARY = [
    "We had coffee after the session.",
    "My sister called on Sunday and we talked for an hour.",
    "Work was busy but fine.",
    "Hoy hice la compra y preparé la cena.",
    "Mi jefa me pidió el informe para el viernes.",
    "The weather was lovely, so I walked to the park.",
]


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_scan_never_raises_and_is_deterministic(text):
    first = risk.scan(text)
    assert first == risk.scan(text)
    assert first.level in risk.LEVELS
    assert all(risk.match_level(rule_id) in risk.LEVELS for rule_id, _ in first.matches)


@settings(max_examples=5, deadline=None)
@given(st.text(min_size=1, max_size=200))
def test_scan_handles_100_kb(piece):
    text = (piece * (100_000 // len(piece) + 1))[:100_000]
    assert risk.scan(text).level in risk.LEVELS


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(SELF_SENTENCES),
    st.lists(st.sampled_from(ORDINARY), max_size=3),
    st.lists(st.sampled_from(ORDINARY), max_size=3),
)
def test_ordinary_sentences_around_a_self_sentence_keep_it_self(sentence, before, after):
    text = " ".join([*before, sentence, *after])
    assert level(text) == "self"


def _vary(text: str, data) -> str:
    out = []
    for ch in text:
        if ch.isalpha():
            ch = ch.upper() if data.draw(st.booleans()) else ch.lower()
            if data.draw(st.booleans()):
                ch += data.draw(st.sampled_from(["\u0301", "\u0300", "\u0308"]))  # accents
        out.append(ch)
        extra = data.draw(st.sampled_from(["", "", "", "\u00ad", "\u200b", "\u200d", "\ufeff"]))
        out.append(extra)
    return "".join(out)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SELF_SENTENCES), st.data())
def test_case_accent_and_invisible_character_variants_stay_self(sentence, data):
    variant = _vary(sentence, data)
    assert level(variant) == "self", ascii(variant)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(SELF_SENTENCES))
def test_dropped_accents_stay_self(sentence):
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", sentence) if not unicodedata.combining(c)
    )
    assert level(plain) == "self"


# -- size (speed targets are in bench/risk_scan.py) ------------------------------------------


def test_100_kb_of_text_is_read_to_the_end():
    text = ("Today I went to the shops with my sister. " * 2400)[:99_900] + " I want to die."
    result = risk.scan(text)
    assert result.level == "self" and result.matches[-1] == ("en.active.want_to_die", "want to die")
