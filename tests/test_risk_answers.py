"""Risk answers count when given (issue 18, item 2): a risk item answered in a save, an
autosave or a submit refused for a blank question raises its alert then, once per
administration and rule, and the client sees the crisis response in that same response."""

import re

import pytest
from django.test import Client as HttpClient

from gentle.audit.models import AuditEvent
from gentle.clients.models import Client
from gentle.measures.models import Administration
from gentle.safety.models import Alert, CrisisText
from tests.factories import signed_in, visible_text
from tests.world import World, another_client

pytestmark = pytest.mark.django_db

CRISIS_EN = "Hillside out-of-hours line: 0100 200 300."
AUTOSAVE = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(world):
    CrisisText.objects.create(clinic=world.clinic, language="en", text=CRISIS_EN)
    return world


def phq9(item9: int, *, blank: tuple[int, ...] = (), submit: bool) -> dict[str, str]:
    answers = {f"phq9_{n}": "1" for n in range(1, 9) if n not in blank}
    return {**answers, "phq9_9": str(item9), "submit": "1" if submit else "0"}


def assigned(world: World, instrument: str = "phq9") -> Administration:
    response = signed_in(world.alice).post(
        f"/clients/{world.amara.pk}/measures/new/", {"instrument": instrument, "mode": "portal"}
    )
    assert response.status_code == 302
    return Administration.objects.filter(client=world.amara).latest("pk")


def portal_url(administration: Administration) -> str:
    return f"/portal/questionnaires/{administration.pk}/"


def alerts(world: World) -> list[tuple[str, str]]:
    return list(Alert.objects.filter(client=world.amara).values_list("rule_id", "severity"))


def raised_events() -> int:
    return AuditEvent.objects.filter(action="alert.raise").count()


# The client in the portal ----------------------------------------------------------------------


def test_saving_item_9_raises_the_alert_once_and_shows_the_crisis_response(world):
    administration = assigned(world)
    portal = signed_in(world.portal)
    for _ in range(2):
        response = portal.post(portal_url(administration), phq9(1, submit=False))
        text = visible_text(response.content.decode())
        assert response.status_code == 200
        assert "Saved. You can come back and finish later." in text
        assert "Some of your answers say that things may be very hard right now." in text
        assert CRISIS_EN in text
        assert "alert" not in text.lower()
    assert alerts(world) == [("phq9_item9_some", "moderate")]
    assert raised_events() == 1
    administration.refresh_from_db()
    assert (administration.status, administration.answers["phq9_9"]) == ("in_progress", 1)


def test_autosave_raises_the_alert_once_and_swaps_in_the_crisis_response(world):
    administration = assigned(world)
    portal = signed_in(world.portal)
    page = portal.get(portal_url(administration)).content.decode()
    assert '<div id="crisis-slot"></div>' in page  # where the autosave puts it
    quiet = portal.post(portal_url(administration), phq9(0, submit=False), **AUTOSAVE)
    assert (quiet.status_code, quiet.content) == (204, b"")
    assert alerts(world) == []
    for _ in range(2):
        response = portal.post(portal_url(administration), phq9(2, submit=False), **AUTOSAVE)
        fragment = response.content.decode()
        assert response.status_code == 200
        assert '<div id="crisis-slot" data-swap-inner>' in fragment
        assert CRISIS_EN in visible_text(fragment)
        assert "<form" not in fragment  # the form the client is filling is left alone
    assert alerts(world) == [("phq9_item9_often", "high")]
    assert raised_events() == 1


def test_a_submit_refused_for_a_blank_question_still_raises_and_shows_help(world):
    administration = assigned(world)
    response = signed_in(world.portal).post(
        portal_url(administration), phq9(1, blank=(4,), submit=True)
    )
    text = visible_text(response.content.decode())
    assert response.status_code == 400
    assert "Question 4 needs an answer." in text
    assert CRISIS_EN in text
    kept = r'<input[^>]*name="phq9_9"[^>]*value="1"[^>]*checked'
    assert re.search(kept, response.content.decode())  # nothing typed is lost
    assert alerts(world) == [("phq9_item9_some", "moderate")]
    administration.refresh_from_db()
    assert administration.status == "in_progress"  # kept as a save, not submitted
    assert administration.scores == {}
    assert administration.answers["phq9_9"] == 1 and "phq9_4" not in administration.answers


def test_a_later_full_submit_does_not_raise_the_same_alert_again(world):
    administration = assigned(world)
    portal = signed_in(world.portal)
    portal.post(portal_url(administration), phq9(1, blank=(4,), submit=True))
    response = portal.post(portal_url(administration), phq9(1, submit=True))
    text = visible_text(response.content.decode())
    assert "Thank you for your answers" in text and CRISIS_EN in text
    administration.refresh_from_db()
    assert administration.status == "submitted"
    assert alerts(world) == [("phq9_item9_some", "moderate")]
    assert raised_events() == 1


def test_a_worse_answer_later_raises_its_own_rule_once(world):
    administration = assigned(world)
    portal = signed_in(world.portal)
    portal.post(portal_url(administration), phq9(1, submit=False), **AUTOSAVE)
    portal.post(portal_url(administration), phq9(3, submit=True))
    assert sorted(alerts(world)) == [
        ("phq9_item9_often", "high"),
        ("phq9_item9_some", "moderate"),
    ]


def test_changing_the_answer_back_to_0_does_not_withdraw_the_alert(world):
    administration = assigned(world)
    portal = signed_in(world.portal)
    portal.post(portal_url(administration), phq9(2, submit=False), **AUTOSAVE)
    response = portal.post(portal_url(administration), phq9(0, submit=True), follow=True)
    assert "Thank you. Your answers are with your clinician." in visible_text(
        response.content.decode()
    )
    (alert,) = Alert.objects.filter(client=world.amara)
    assert alert.is_open and alert.severity == "high"


# Bad input and someone else's questionnaire ----------------------------------------------------


@pytest.mark.parametrize("headers", [{}, AUTOSAVE], ids=["save", "autosave"])
@pytest.mark.parametrize("submit", [False, True], ids=["kept", "submitted"])
def test_an_out_of_range_answer_changes_nothing_and_raises_nothing(world, headers, submit):
    administration = assigned(world)
    portal = signed_in(world.portal)
    portal.post(portal_url(administration), {"phq9_1": "2", "submit": "0"})
    bad = {**phq9(3, submit=submit), "phq9_2": "7"}
    response = portal.post(portal_url(administration), bad, **headers)
    assert response.status_code == 400
    assert "Question 2: choose one of the answers offered." in response.content.decode()
    administration.refresh_from_db()
    assert administration.answers == {"phq9_1": 2}
    assert alerts(world) == [] and raised_events() == 0


def test_another_client_cannot_raise_an_alert_on_someone_elses_questionnaire(world):
    administration = assigned(world)
    olwen = another_client(world, "Olwen", portal=True)
    response = signed_in(olwen.user).post(
        portal_url(administration), phq9(3, submit=False), **AUTOSAVE
    )
    assert response.status_code == 404
    administration.refresh_from_db()
    assert administration.answers == {}
    assert alerts(world) == []


# The clinician entering answers in session -----------------------------------------------------


def start_in_session(http: HttpClient, record: Client, instrument: str) -> Administration:
    started = {"instrument": instrument, "mode": "in_session"}
    http.post(f"/clients/{record.pk}/measures/new/", started)
    return Administration.objects.filter(client=record).latest("pk")


def test_a_clinicians_saved_answers_in_session_raise_the_alert_then(world):
    alice = signed_in(world.alice)
    administration = start_in_session(alice, world.amara, "cssrs_screener")
    response = alice.post(
        f"/administrations/{administration.pk}/",
        {"q1": "1", "q2": "1", "q3": "0", "q4": "1", "submit": "0"},
    )
    text = visible_text(response.content.decode())
    assert response.status_code == 200
    assert "Safety alert raised for the care team: Thoughts of suicide with some intention" in text
    assert CRISIS_EN not in text  # the crisis response is for the client
    assert sorted(alerts(world)) == [
        ("cssrs_high_intent", "high"),
        ("cssrs_low_thoughts", "low"),
        ("cssrs_low_wish", "low"),
    ]
    administration.refresh_from_db()
    assert administration.status == "in_progress"
    event = AuditEvent.objects.filter(action="alert.raise").latest("pk")
    assert event.actor_id == world.alice.pk
    # Finishing later raises nothing new.
    alice.post(
        f"/administrations/{administration.pk}/",
        {"q1": "1", "q2": "1", "q3": "0", "q4": "1", "q5": "0", "q6": "0", "submit": "1"},
    )
    administration.refresh_from_db()
    assert administration.status == "submitted"
    assert raised_events() == 3


def test_a_clinicians_refused_submit_in_session_raises_and_says_so(world):
    alice = signed_in(world.alice)
    administration = start_in_session(alice, world.amara, "hamd17")
    answers = {f"h{n}": "0" for n in range(1, 17)} | {"h3": "4", "submit": "1"}  # h17 blank
    response = alice.post(f"/administrations/{administration.pk}/", answers)
    text = visible_text(response.content.decode())
    assert response.status_code == 400
    assert "Question 17 needs an answer." in text
    assert "Safety alert raised for the care team: A suicide attempt" in text
    assert alerts(world) == [("hamd_suicide_attempt", "high")]
