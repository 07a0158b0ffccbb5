"""One severity table for every risk sign (docs/severity.md): instrument rules and free text
take their severity from it, so two instruments cannot rate the same thing differently again;
HAM-D item 3 carries its published anchors."""

import copy
import json
import re
from pathlib import Path

import pytest
from django.test import Client as HttpClient

from gentle.accounts.models import Role
from gentle.clients.models import Client
from gentle.measures.instruments import DATA, InstrumentError, catalogue, parse
from gentle.measures.models import Administration
from gentle.measures.scoring import triggered_rules
from gentle.safety import risk, severity
from gentle.safety.actions import text_hear
from gentle.safety.models import Alert
from tests.factories import make_client, make_clinic, make_person

ROOT = Path(__file__).resolve().parent.parent
TABLE = severity.table()
SHIPPED_WITH_RULES = {"phq9", "cssrs_screener", "hamd17", "epds", "phqa"}


def raw(instrument_id: str) -> dict:
    return json.loads((DATA / f"{instrument_id}.json").read_text(encoding="utf-8"))


def shipped_rules():
    for path in sorted(DATA.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for rule in data.get("safety") or []:
            yield path.stem, rule


# The table and the instruments agree ---------------------------------------------------------


def test_every_shipped_instrument_rule_takes_its_severity_from_the_table():
    seen = set()
    for instrument_id, rule_raw in shipped_rules():
        seen.add(instrument_id)
        where = f"{instrument_id} rule {rule_raw['id']}"
        assert rule_raw.get("sign") in TABLE.signs, f"{where} names no sign of the table"
        assert "severity" not in rule_raw, f"{where} carries its own severity"
        rule = next(r for r in catalogue()[instrument_id].rules if r.id == rule_raw["id"])
        assert rule.severity == TABLE.severity(rule_raw["sign"]), where
    assert seen == SHIPPED_WITH_RULES


def test_the_documentation_lists_every_sign_with_the_tables_severity():
    page = (ROOT / "docs" / "severity.md").read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| `([a-z_]+)` \| (low|moderate|high) \|", page, re.M))
    assert documented == {sign.id: sign.severity for sign in TABLE.signs.values()}
    assert f"## The table (version {TABLE.version})" in page


def test_every_category_of_a_writers_own_risk_words_maps_to_a_sign():
    categories = {
        rule.category
        for code in risk.LANGUAGES
        for rule in risk.load(code).rules
        if rule.level == "self"
    }
    assert categories <= set(TABLE.free_text)


@pytest.mark.parametrize(
    ("instrument_id", "answers"),
    [
        pytest.param("cssrs_screener", {"q1": 1, "q2": 0, "q6": 0}, id="cssrs-q1"),
        pytest.param("hamd17", {"h3": 2}, id="hamd-item3-rated-2"),
    ],
)
def test_a_passive_death_wish_is_low_on_every_instrument(instrument_id, answers):
    rules = triggered_rules(catalogue()[instrument_id], answers)
    assert [rule.sign for rule in rules] == ["passive_wish"]
    assert [rule.severity for rule in rules] == ["low"]


@pytest.mark.parametrize(
    ("rating", "expected"),
    [(0, []), (1, []), (2, ["low"]), (3, ["moderate"]), (4, ["high"])],
)
def test_hamd_item_3_severity_follows_its_published_anchors(rating, expected):
    rules = triggered_rules(catalogue()["hamd17"], {"h3": rating})
    assert [rule.severity for rule in rules] == expected


def test_hamd_content_changed_so_its_version_was_raised():
    assert catalogue()["hamd17"].version == 2


def test_a_rule_naming_an_unknown_sign_is_refused():
    data = copy.deepcopy(raw("phq9"))
    data["safety"][0]["sign"] = "sort_of_worrying"
    with pytest.raises(InstrumentError, match="sign is one of"):
        parse(data, "phq9.json")


def test_a_rule_whose_severity_disagrees_with_its_sign_is_refused():
    data = copy.deepcopy(raw("phq9"))
    data["safety"][0]["severity"] = "low"  # the sign says moderate
    with pytest.raises(InstrumentError, match="disagrees with the severity table"):
        parse(data, "phq9.json")


def test_a_clinics_own_rule_may_still_give_a_severity_without_a_sign():
    data = copy.deepcopy(raw("phq9"))
    data["safety"][0].pop("sign")
    data["safety"][0]["severity"] = "high"
    assert parse(data, "phq9.json").rules[0].severity == "high"


def test_a_malformed_table_is_refused_naming_the_part():
    with pytest.raises(severity.SeverityTableError, match="sign method: severity is one of"):
        severity.parse({"version": 1, "signs": {"method": {"severity": "urgent"}}})
    good = json.loads(severity.DATA.read_text(encoding="utf-8"))
    good["free_text"]["plan"] = "nowhere"
    with pytest.raises(severity.SeverityTableError, match="unknown sign 'nowhere'"):
        severity.parse(good)


# Free text reads the same table (text_hear keeps its behaviour) -----------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("I wish I could go to sleep and not wake up", "moderate"),
        ("I'm a burden to everyone", "moderate"),
        ("I have a plan to kill myself", "high"),
    ],
)
def test_free_text_severity_comes_from_the_table(words, expected):
    record = make_client(make_clinic())
    heard = text_hear(client=record, text=words, source="diary", source_id=1, language="en")
    assert heard.crisis
    assert heard.alert.severity == expected


# HAM-D item 3 over HTTP --------------------------------------------------------------------


@pytest.fixture
def clinician_and_client() -> tuple[HttpClient, Client]:
    clinic = make_clinic()
    alice = make_person(clinic, Role.CLINICIAN)
    http = HttpClient()
    http.force_login(alice)
    return http, make_client(clinic, clinicians=[alice])


def start_hamd(http: HttpClient, record: Client) -> Administration:
    http.post(f"/clients/{record.pk}/measures/new/", {"instrument": "hamd17", "mode": "in_session"})
    return Administration.objects.filter(client=record).latest("pk")


@pytest.mark.django_db
def test_the_hamd_form_shows_item_3_with_its_published_anchors(clinician_and_client):
    http, record = clinician_and_client
    page = http.get(f"/administrations/{start_hamd(http, record).pk}/").content.decode()
    for anchor in (
        "1 – Feels that life is not worth living",
        "2 – Wishes to be dead, or has any thoughts of their own possible death",
        "3 – Thoughts of suicide, or a suicidal gesture",
        "4 – A suicide attempt (any serious attempt rates 4)",
    ):
        assert anchor in page
    assert "3 – Marked" in page  # the other items keep their short summaries


@pytest.mark.django_db
def test_hamd_item_3_rated_2_raises_a_low_alert_like_the_cssrs_wish(clinician_and_client):
    http, record = clinician_and_client
    administration = start_hamd(http, record)
    answers = {f"h{n}": "0" for n in range(1, 18)} | {"h3": "2", "submit": "1"}
    response = http.post(f"/administrations/{administration.pk}/", answers)
    assert response.status_code == 302
    alert = Alert.objects.get(client=record)
    assert (alert.rule_id, alert.severity) == ("hamd_suicide_wish", "low")
    administration.refresh_from_db()
    assert (administration.status, administration.instrument_version) == ("submitted", 2)
