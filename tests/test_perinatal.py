"""Perinatal IPT (issue 23, part 3): the EPDS with its published scoring and its item-10 risk
rule wired to the safety net, the perinatal onset window (a birth 10 months before an episode
began is near its onset), and the perinatal format with its agenda and measures schedule
(docs/perinatal.md)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from gentle.courses.models import Course
from gentle.measures.instruments import catalogue
from gentle.measures.models import Administration
from gentle.measures.scoring import score_all, triggered_rules
from gentle.measures.selectors import default_schedule
from gentle.safety import severity
from gentle.safety.models import Alert, CrisisText
from gentle.timeline.models import Episode, LifeEvent
from gentle.timeline.selectors import Row, mark_onset_window
from tests.factories import make_session, signed_in, visible_text
from tests.world import World

EPDS = catalogue()["epds"]
ITEMS = [f"epds_{n}" for n in range(1, 11)]
REVERSED = {3, 5, 6, 7, 8, 9, 10}  # the published asterisked items
CRISIS_EN = "Hillside out-of-hours line: 0100 200 300."


def printed_position_scores(number: int) -> list[int]:
    """What the published scoring gives the printed answers of item ``number``, top first."""
    return [3, 2, 1, 0] if number in REVERSED else [0, 1, 2, 3]


# The instrument: its scoring, bands and licence -----------------------------------------------


def test_the_epds_has_ten_items_scored_as_published():
    assert [item.id for item in EPDS.items] == ITEMS
    for number, item_id in enumerate(ITEMS, start=1):
        printed = [option.value for option in EPDS.item(item_id).options]
        assert printed == printed_position_scores(number), item_id
    total = EPDS.main_score
    assert (total.minimum, total.maximum, total.method) == (0, 30, "sum")
    assert (EPDS.loinc, total.loinc) == ("71354-5", "99046-5")  # panel and total


@given(st.lists(st.integers(0, 3), min_size=10, max_size=10))
def test_the_total_sums_the_scores_of_the_answers_chosen_in_printed_order(positions):
    """A client ticks the n-th printed answer of each item; items 3 and 5-10 score reversed."""
    answers = {
        item_id: EPDS.item(item_id).options[position].value
        for item_id, position in zip(ITEMS, positions, strict=True)
    }
    expected = sum(
        printed_position_scores(number)[position]
        for number, position in enumerate(positions, start=1)
    )
    total = score_all(EPDS, answers)[0]
    assert total.value == expected
    label = (
        "Below the screening cut-off"
        if expected <= 9
        else "Possible depression"
        if expected <= 12
        else "Probable depression"
    )
    assert total.band.label["en"] == label


@pytest.mark.parametrize(
    ("total", "band"),
    [(9, "Below the screening cut-off"), (10, "Possible depression"), (12, "Possible depression")]
    + [(13, "Probable depression"), (30, "Probable depression")],
)
def test_band_edges_follow_the_ten_and_thirteen_cut_offs(total, band):
    assert EPDS.main_score.band_for(total).label["en"] == band


def test_the_wording_is_summarised_and_the_licence_is_said_plainly():
    """The RCPsych asks for written permission to republish the scale online: Gentle ships
    summaries, labelled as other restricted instruments are."""
    assert not EPDS.licence_confirmed
    assert "licence unconfirmed" in EPDS.title["en"]
    assert "Cox, Holden & Sagovsky" in EPDS.source and "Royal College" in EPDS.licence
    assert EPDS.item("epds_10").text_by_language["en"] != (
        "The thought of harming myself has occurred to me"
    )
    assert all(item.text_by_language.get("es") for item in EPDS.items)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [(0, []), (1, [("epds_item10_hardly_ever", "moderate")])]
    + [(2, [("epds_item10_sometimes_or_often", "high")])]
    + [(3, [("epds_item10_sometimes_or_often", "high")])],
)
def test_item_10_above_never_raises_the_tables_severity(answer, expected):
    answers = dict.fromkeys(ITEMS, 0) | {"epds_10": answer}
    hits = triggered_rules(EPDS, answers)
    assert [(rule.id, rule.severity) for rule in hits] == expected
    for rule in hits:
        assert rule.severity == severity.table().severity(rule.sign)


# Item 10 through the safety path, in the portal and in session ---------------------------------


@pytest.fixture
def world(world: World) -> World:
    CrisisText.objects.create(clinic=world.clinic, language="en", text=CRISIS_EN)
    return world


def epds(item10: int, *, submit: bool) -> dict[str, str]:
    answers = dict.fromkeys(ITEMS[:9], "1")
    return answers | {"epds_10": str(item10), "submit": "1" if submit else "0"}


def start(world: World, mode: str) -> Administration:
    response = signed_in(world.alice).post(
        f"/clients/{world.amara.pk}/measures/new/", {"instrument": "epds", "mode": mode}
    )
    assert response.status_code == 302
    return Administration.objects.filter(client=world.amara).latest("pk")


def alerts(world: World) -> list[tuple[str, str]]:
    return list(Alert.objects.filter(client=world.amara).values_list("rule_id", "severity"))


@pytest.mark.django_db
def test_a_client_answering_item_10_hardly_ever_sees_the_crisis_response(world):
    administration = start(world, "portal")
    portal = signed_in(world.portal)
    page = visible_text(portal.get(f"/portal/questionnaires/{administration.pk}/"))
    assert "Thoughts of harming yourself" in page and "Hardly ever" in page
    response = portal.post(f"/portal/questionnaires/{administration.pk}/", epds(1, submit=True))
    text = visible_text(response)
    assert "Thank you for your answers" in text
    assert CRISIS_EN in text and "alert" not in text.lower()
    assert alerts(world) == [("epds_item10_hardly_ever", "moderate")]
    administration.refresh_from_db()
    assert administration.status == "submitted"
    assert administration.scores["total"] == 10  # nine items at 1 (reversed or not) plus 1


@pytest.mark.django_db
def test_item_10_never_raises_nothing_and_shows_no_crisis_text(world):
    administration = start(world, "portal")
    response = signed_in(world.portal).post(
        f"/portal/questionnaires/{administration.pk}/", epds(0, submit=True)
    )
    assert CRISIS_EN not in visible_text(response)
    assert alerts(world) == []


@pytest.mark.django_db
def test_an_out_of_range_item_10_is_refused_and_raises_nothing(world):
    administration = start(world, "portal")
    response = signed_in(world.portal).post(
        f"/portal/questionnaires/{administration.pk}/", epds(4, submit=True)
    )
    assert response.status_code == 400
    assert "Question 10: choose one of the answers offered." in visible_text(response)
    assert alerts(world) == []
    administration.refresh_from_db()
    assert administration.status != "submitted"


@pytest.mark.django_db
def test_another_client_cannot_answer_someone_elses_epds(world):
    administration = start(world, "portal")
    response = signed_in(world.far_portal).post(
        f"/portal/questionnaires/{administration.pk}/", epds(3, submit=True)
    )
    assert response.status_code == 404
    assert alerts(world) == []


@pytest.mark.django_db
def test_item_10_sometimes_entered_in_session_raises_a_high_alert_the_clinician_sees(world):
    administration = start(world, "in_session")
    alice = signed_in(world.alice)
    response = alice.post(f"/administrations/{administration.pk}/", epds(2, submit=False))
    text = visible_text(response)
    assert response.status_code == 200
    assert (
        "Safety alert raised for the care team: Thoughts of harming oneself, sometimes or "
        "quite often" in text
    )
    assert CRISIS_EN not in text
    assert alerts(world) == [("epds_item10_sometimes_or_often", "high")]
    alert = Alert.objects.get(client=world.amara)
    assert "Thoughts of harming oneself" in visible_text(alice.get(f"/alerts/{alert.pk}/"))


# The perinatal onset window ---------------------------------------------------------------------


def timeline_rows(category: str, months_before: int) -> list[Row]:
    onset = timezone.localdate() - timedelta(days=30)
    event = LifeEvent(planned=False, category=category)
    event_day = onset - timedelta(days=round(30.44 * months_before))
    return [Row("episode", Episode(), None, onset), Row("event", event, None, event_day)]


def test_a_birth_10_months_before_onset_is_near_it_and_other_events_are_not():
    """The finding: the 6-month window missed a birth 10 months before the onset."""
    birth = timeline_rows("birth", 10)
    mark_onset_window(birth)
    assert birth[1].near_onset
    move = timeline_rows("move", 10)
    mark_onset_window(move)
    assert not move[1].near_onset
    late = timeline_rows("birth", 14)
    mark_onset_window(late)
    assert not late[1].near_onset


def test_an_episode_that_began_in_pregnancy_is_linked_to_it():
    pregnancy = timeline_rows("pregnancy", 7)
    mark_onset_window(pregnancy)
    assert pregnancy[1].near_onset


def test_the_perinatal_window_is_configurable(settings):
    settings.GENTLE_PERINATAL_ONSET_WINDOW_MONTHS = 9
    birth = timeline_rows("birth", 10)
    mark_onset_window(birth)
    assert not birth[1].near_onset


@pytest.mark.django_db
def test_the_timeline_marks_a_birth_10_months_before_onset_and_suggests_a_transition(world):
    alice = signed_in(world.alice)
    record = world.amara
    onset = timezone.localdate() - timedelta(days=20)
    born = onset - timedelta(days=305)  # 10 months
    response = alice.post(
        f"/clients/{record.pk}/timeline/events/new/",
        {"when": born.isoformat(), "category": "birth", "description": "Baby Noor was born"},
    )
    assert response.status_code == 302
    alice.post(
        f"/clients/{record.pk}/timeline/episodes/new/",
        {"start": onset.isoformat(), "description": "Low mood"},
    )
    html = alice.get(f"/clients/{record.pk}/timeline/").content.decode()
    listed = html.index("Baby Noor was born", html.index("The timeline as a list"))
    assert "Near the onset" in html[listed - 400 : listed + 400]
    assert "(a birth or pregnancy: in the 12 months before)" in html

    from gentle.formulation.rules import suggest
    from gentle.inventory.models import Person
    from gentle.timeline.selectors import rows

    suggestions = suggest(list(Person.objects.filter(client=record)), rows(record))
    assert "transition" in {s.area for s in suggestions}


# The perinatal format: its defaults, agenda and measures schedule ------------------------------


def selected(html: str, name: str) -> str:
    """The value of the chosen option of the <select> called ``name``."""
    block = html[html.index(f'name="{name}"') :]
    block = block[: block.index("</select>")]
    found = re.search(r'<option value="([^"]*)"[^>]*selected', block)
    return found.group(1) if found else ""


@pytest.mark.django_db
def test_a_perinatal_course_shows_the_parenthood_agenda_and_gives_the_epds(world):
    alice = signed_in(world.alice)
    response = alice.post(
        f"/clients/{world.amara.pk}/courses/new/",
        {"format": "perinatal", "kind": "acute", "start_date": "2026-11-16"}
        | dict.fromkeys(
            ("contracted_sessions", "session_minutes", "initial_last", "termination_first"), ""
        ),
    )
    assert response.status_code == 302
    course = Course.objects.get(client=world.amara)
    assert (course.format, course.contracted_sessions, course.session_minutes) == (
        "perinatal",
        12,
        50,
    )
    assert (course.initial_last, course.termination_first) == (3, 10)
    first_day = timezone.now() - timedelta(weeks=5)
    sessions = [
        make_session(course, world.alice, starts_at=first_day + timedelta(weeks=n))
        for n in range(5)
    ]
    first = visible_text(alice.get(f"/sessions/{sessions[0].pk}/"))
    assert "the pregnancy, the birth and the year after it" in first
    assert "Ask about thoughts of harming oneself or the baby (EPDS item 10)" in first
    fifth = visible_text(alice.get(f"/sessions/{sessions[4].pk}/"))
    assert "Transition to parenthood: what the old role gave" in fifth
    assert "The new role as a parent" in fifth

    schedule = alice.get(f"/courses/{course.pk}/measure-schedule/").content.decode()
    assert selected(schedule, "rule_epds") == "every_session"
    assert selected(schedule, "rule_phq9") == "every_n"
    assert default_schedule("perinatal")[0] == ("epds", "every_session", None)
    assert default_schedule("individual")[0] == ("phq9", "every_session", None)


@pytest.mark.django_db
def test_an_unknown_format_is_refused_and_nothing_is_created(world):
    response = signed_in(world.alice).post(
        f"/clients/{world.amara.pk}/courses/new/",
        {"format": "postnatal", "kind": "acute", "start_date": "2026-11-16"},
    )
    assert response.status_code == 400
    assert not Course.objects.filter(client=world.amara).exists()


@pytest.mark.django_db
def test_the_item_10_alert_speaks_spanish_to_a_spanish_speaking_clinician(world):
    administration = start(world, "in_session")
    alice = signed_in(world.alice)
    alice.post("/i18n/setlang/", {"language": "es", "next": "/"})
    response = alice.post(f"/administrations/{administration.pk}/", epds(1, submit=False))
    assert "Pensamientos de hacerse daño, casi nunca" in visible_text(response)
    page = visible_text(alice.get(f"/administrations/{administration.pk}/"))
    assert "Pensamientos de hacerte daño" in page and "Casi nunca" in page
    assert alerts(world) == [("epds_item10_hardly_ever", "moderate")]
