"""Every place a client types free text goes through the one safety path (text_hear): their own
risk words are saved, answered with the crisis response in the same response and raise one
alert with the words around them; someone else's suicide, an idiom or the topic raises nothing;
bad input (empty, 100 KB, emoji, mixed languages) is handled. Through HTTP as the client."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gentle.clients.models import Client
from gentle.communication.models import Exchange, Worksheet
from gentle.grief.models import Activity, CheckIn, Loss, Transition
from gentle.inventory.models import Person
from gentle.roleplay.models import Rehearsal, Scenario
from gentle.safety.models import Alert, CrisisText
from gentle.timeline.models import DiaryEntry
from tests.factories import signed_in, visible_text
from tests.world import another_client

pytestmark = pytest.mark.django_db

CRISIS_EN = "Hillside out-of-hours line: 0100 200 300."
CRISIS_HEADING = "You do not have to wait for your next session"
RISK = "I wish I could go to sleep and not wake up"
RISK_ES = "No puedo más, soy una carga para todos."
MENTION = "My mother died by suicide when I was ten."
IDIOM = "This traffic is killing me."
MIXED = "Hoy fue un día difícil 😔 but I called my sister, ¡y me sentí mejor! 🌱"
HUGE = "We talked about the holidays. " * 3500  # about 100 KB


@pytest.fixture
def world(world):
    CrisisText.objects.create(clinic=world.clinic, language="en", text=CRISIS_EN)
    return world


@pytest.fixture
def omar(world) -> Client:
    """Another client of the clinic, signed in to the portal as themself."""
    return another_client(world, "Omar", portal=True)


def assert_crisis_answer(response, *, source: str, words: str) -> Alert:
    """The crisis response is in this very response, and exactly one alert was raised."""
    assert response.status_code == 200
    page = visible_text(response)
    assert CRISIS_HEADING in page and CRISIS_EN in page
    assert 'id="crisis-response"' in response.content.decode()
    alert = Alert.objects.get()
    assert alert.source == source and words in alert.excerpt
    return alert


def assert_no_crisis(response) -> None:
    assert CRISIS_HEADING not in response.content.decode()
    assert not Alert.objects.exists()


# The mood and relationships diary


def diary(**fields) -> dict:
    return {"day": timezone.localdate().isoformat(), "mood": "2"} | fields


def test_a_risk_diary_entry_is_saved_and_answered_with_the_crisis_response(world):
    http = signed_in(world.portal)
    response = http.post("/portal/diary/", diary(what_happened="Argued", how_i_felt=RISK))
    alert = assert_crisis_answer(response, source="diary", words="go to sleep and not wake up")
    assert "Saved in your diary." in visible_text(response)
    assert DiaryEntry.objects.get().how_i_felt == RISK
    assert alert.client == world.amara and alert.severity == "moderate"
    # Saving the same words again (a double tap, or a change of mood) raises nothing new.
    response = http.post("/portal/diary/", diary(mood="3", what_happened="Argued", how_i_felt=RISK))
    assert CRISIS_HEADING in response.content.decode() and Alert.objects.count() == 1
    # An edit that adds other risk words is heard again.
    http.post("/portal/diary/", diary(what_happened="Argued", how_i_felt=f"{RISK} {RISK_ES}"))
    assert Alert.objects.count() == 2


def test_a_spanish_risk_diary_entry_raises_one_alert(world):
    response = signed_in(world.portal).post("/portal/diary/", diary(what_happened=RISK_ES))
    assert_crisis_answer(response, source="diary", words="soy una carga")


def test_the_alert_keeps_the_words_around_the_risk_phrase(world):
    words = (
        "Work was long, the bus was late again and it rained all the way home from the station. "
        "Honestly some nights I just want to die, "
        "nothing helps anymore and I am so tired of it all, every single day the same old thing."
    )
    signed_in(world.portal).post("/portal/diary/", diary(how_i_felt=words))
    excerpt = Alert.objects.get().excerpt
    assert "Honestly some nights I just want to die, nothing helps anymore" in excerpt
    assert excerpt.startswith("…") and excerpt.endswith("…") and len(excerpt) < 200


def test_phrases_close_together_give_one_stretch_of_words_and_far_apart_two(world):
    near = "I don't want to live anymore, I want to die"
    far = f"I want to die. {'The rest of the day was ordinary and long. ' * 6}I am a burden."
    http = signed_in(world.portal)
    http.post("/portal/diary/", diary(how_i_felt=near))
    assert Alert.objects.get().excerpt == near
    http.post("/portal/diary/", diary(how_i_felt=far))
    first, second = Alert.objects.order_by("pk")[1].excerpt.split("\n")
    assert first.startswith("I want to die.") and first.endswith("…")
    assert second.startswith("…") and second.endswith("I am a burden.")


@pytest.mark.parametrize("words", [MENTION, IDIOM])
def test_a_mention_or_an_idiom_in_the_diary_is_saved_without_alarm(world, words):
    response = signed_in(world.portal).post("/portal/diary/", diary(what_happened=words))
    assert response.status_code == 302
    assert_no_crisis(signed_in(world.portal).get("/portal/diary/"))
    assert DiaryEntry.objects.get().what_happened == words


def test_bad_diary_input_is_refused_or_kept_intact(world):
    http = signed_in(world.portal)
    response = http.post("/portal/diary/", {"day": diary()["day"], "how_i_felt": RISK})
    assert response.status_code == 400
    assert "Choose a number from 0 to 10" in visible_text(response)
    assert RISK in response.content.decode()  # what was typed is kept
    assert not DiaryEntry.objects.exists() and not Alert.objects.exists()
    response = http.post("/portal/diary/", diary(what_happened=HUGE + RISK))
    assert response.status_code == 400 and "at most 2000 characters" in visible_text(response)
    assert not DiaryEntry.objects.exists() and not Alert.objects.exists()
    assert http.post("/portal/diary/", diary(what_happened=MIXED)).status_code == 302
    assert DiaryEntry.objects.get().what_happened == MIXED
    assert not Alert.objects.exists()


# Grief: the dual-process log and check-ins, and the transition worksheet


@pytest.fixture
def shared_loss(world):
    return Loss.objects.create(
        client=world.amara,
        who="Rosa",
        died_on=timezone.localdate() - timedelta(days=400),
        created_by=world.alice,
        shared_with_client=True,
    )


def check_in(**fields) -> dict:
    return {"day": timezone.localdate().isoformat(), "words": ["numb"]} | fields


def log_entry(**fields) -> dict:
    return {"day": timezone.localdate().isoformat(), "orientation": "loss"} | fields


def test_a_risk_check_in_is_saved_and_answered_with_the_crisis_response(world, shared_loss):
    url = f"/portal/losses/{shared_loss.pk}/check-ins/"
    response = signed_in(world.portal).post(url, check_in(note=RISK))
    assert_crisis_answer(response, source="grief_checkin", words="not wake up")
    assert CheckIn.objects.get().note == RISK
    assert "Check-in saved." in visible_text(response)


def test_a_risk_log_entry_is_saved_and_answered_with_the_crisis_response(world, shared_loss):
    url = f"/portal/losses/{shared_loss.pk}/activities/"
    response = signed_in(world.portal).post(url, log_entry(what=RISK_ES))
    assert_crisis_answer(response, source="grief_log", words="soy una carga")
    assert Activity.objects.get().what == RISK_ES


@pytest.mark.parametrize("words", [MENTION, "My brother died by suicide two years ago.", IDIOM])
def test_grief_about_a_suicide_is_written_without_alarm(world, shared_loss, words):
    http = signed_in(world.portal)
    base = f"/portal/losses/{shared_loss.pk}"
    assert http.post(f"{base}/check-ins/", check_in(note=words)).status_code == 302
    assert http.post(f"{base}/activities/", log_entry(what=words)).status_code == 302
    assert_no_crisis(http.get(f"{base}/"))
    assert CheckIn.objects.get().note == words and Activity.objects.get().what == words


def test_bad_grief_input_is_refused_or_kept_intact(world, shared_loss):
    http = signed_in(world.portal)
    base = f"/portal/losses/{shared_loss.pk}"
    response = http.post(f"{base}/activities/", log_entry(what=""))
    assert response.status_code == 400 and "This field is required." in visible_text(response)
    response = http.post(f"{base}/check-ins/", check_in(words=[], note=RISK))
    assert response.status_code == 400 and RISK in response.content.decode()
    response = http.post(f"{base}/check-ins/", check_in(note=HUGE + RISK))
    assert response.status_code == 400 and "at most 300 characters" in visible_text(response)
    response = http.post(f"{base}/activities/", log_entry(what=HUGE))
    assert response.status_code == 400 and "at most 200 characters" in visible_text(response)
    assert not CheckIn.objects.exists() and not Activity.objects.exists()
    assert not Alert.objects.exists()
    short_mixed = "Hoy 😔 pero I called my sister 🌱"
    assert http.post(f"{base}/check-ins/", check_in(note=short_mixed)).status_code == 302
    assert http.post(f"{base}/activities/", log_entry(what=short_mixed)).status_code == 302
    assert CheckIn.objects.get().note == short_mixed == Activity.objects.get().what


def test_another_client_cannot_write_in_this_clients_grief_work(world, shared_loss, omar):
    transition = Transition.objects.create(
        client=world.amara, title="Retiring", updated_by=world.alice, shared_with_client=True
    )
    http = signed_in(omar.user)
    base = f"/portal/losses/{shared_loss.pk}"
    assert http.post(f"{base}/check-ins/", check_in(note=RISK)).status_code == 404
    assert http.post(f"{base}/activities/", log_entry(what=RISK)).status_code == 404
    response = http.post(f"/portal/transitions/{transition.pk}/", {"title": "x", "old_hard": RISK})
    assert response.status_code == 404
    assert not CheckIn.objects.exists() and not Activity.objects.exists()
    assert not Alert.objects.exists() and Transition.objects.get().old_hard == ""


@pytest.fixture
def transition(world):
    return Transition.objects.create(
        client=world.amara, title="Retiring", updated_by=world.alice, shared_with_client=True
    )


def test_a_risk_transition_worksheet_is_saved_and_answered_with_the_crisis_response(
    world, transition
):
    url = f"/portal/transitions/{transition.pk}/"
    http = signed_in(world.portal)
    data = {"title": "Retiring", "old_good": "The bakery at dawn", "new_demands": RISK}
    response = http.post(url, data)
    assert_crisis_answer(response, source="transition", words="not wake up")
    transition.refresh_from_db()
    assert transition.new_demands == RISK and transition.old_good == "The bakery at dawn"
    assert "The bakery at dawn" in response.content.decode()  # the worksheet stays on the page
    http.post(url, data)  # the same words saved again
    assert Alert.objects.count() == 1
    http.post(url, data | {"old_hard": "Nadie me echaría de menos."})  # new words of risk
    assert Alert.objects.count() == 2


@pytest.mark.parametrize("words", [MENTION, IDIOM])
def test_a_mention_in_the_transition_worksheet_raises_nothing(world, transition, words):
    url = f"/portal/transitions/{transition.pk}/"
    response = signed_in(world.portal).post(url, {"title": "Retiring", "old_hard": words})
    assert response.status_code == 302
    assert_no_crisis(signed_in(world.portal).get(url))
    transition.refresh_from_db()
    assert transition.old_hard == words


def test_bad_transition_input_is_refused_or_kept_intact(world, transition):
    url = f"/portal/transitions/{transition.pk}/"
    http = signed_in(world.portal)
    response = http.post(url, {"title": "", "old_hard": RISK})
    assert response.status_code == 400 and "This field is required." in visible_text(response)
    assert RISK in response.content.decode()
    response = http.post(url, {"title": "Retiring", "old_hard": HUGE})
    assert response.status_code == 400 and "at most 2000 characters" in visible_text(response)
    transition.refresh_from_db()
    assert transition.old_hard == "" and not Alert.objects.exists()
    assert http.post(url, {"title": "Jubilación 🌅", "old_hard": MIXED}).status_code == 302
    transition.refresh_from_db()
    assert transition.old_hard == MIXED and transition.title == "Jubilación 🌅"
    assert not Alert.objects.exists()


# Communication: exchanges, worksheets and the "How might it land?" statement tool


@pytest.fixture
def exchange(world):
    return Exchange.objects.create(
        client=world.amara,
        i_said="You never",
        they_said="Stop",
        updated_by=world.alice,
        shared_with_client=True,
    )


@pytest.fixture
def sheet(world):
    return Worksheet.objects.create(
        client=world.amara,
        kind="desc",
        title="Asking Sam",
        updated_by=world.alice,
        shared_with_client=True,
    )


def exchange_data(**fields) -> dict:
    return {"day": timezone.localdate().isoformat(), "i_said": "Fine", "they_said": "OK"} | fields


def test_a_risk_exchange_is_saved_and_answered_with_the_crisis_response(world, exchange):
    url = f"/portal/exchanges/{exchange.pk}/"
    http = signed_in(world.portal)
    data = exchange_data(
        i_felt=RISK, could_have_said="I'd like you to leave me alone, I want to die."
    )
    response = http.post(url, data)
    alert = assert_crisis_answer(response, source="exchange", words="not wake up")
    assert "want to die" in alert.excerpt and alert.severity == "high"
    assert "A clear request" not in visible_text(response)  # no praise for words of risk
    exchange.refresh_from_db()
    assert exchange.i_felt == RISK
    http.post(url, data)
    assert Alert.objects.count() == 1  # the same words again raise nothing new
    assert "A clear request" not in visible_text(http.get(url))


@pytest.mark.parametrize("words", [MENTION, IDIOM])
def test_a_mention_in_an_exchange_raises_nothing(world, exchange, words):
    url = f"/portal/exchanges/{exchange.pk}/"
    response = signed_in(world.portal).post(url, exchange_data(they_said=words))
    assert response.status_code == 302
    assert_no_crisis(signed_in(world.portal).get(url))
    exchange.refresh_from_db()
    assert exchange.they_said == words


def test_bad_exchange_input_is_refused_or_kept_intact(world, exchange):
    url = f"/portal/exchanges/{exchange.pk}/"
    http = signed_in(world.portal)
    response = http.post(url, exchange_data(i_said="", i_felt=RISK))
    assert response.status_code == 400
    assert "Write down what was said" in visible_text(response) and RISK in visible_text(response)
    response = http.post(url, exchange_data(i_felt=HUGE))
    assert response.status_code == 400 and "at most 2000 characters" in visible_text(response)
    exchange.refresh_from_db()
    assert exchange.i_felt == "" and not Alert.objects.exists()
    assert http.post(url, exchange_data(i_felt=MIXED)).status_code == 302
    exchange.refresh_from_db()
    assert exchange.i_felt == MIXED and not Alert.objects.exists()


def test_a_risk_worksheet_is_saved_and_answered_with_the_crisis_response(world, sheet):
    url = f"/portal/worksheets/{sheet.pk}/"
    http = signed_in(world.portal)
    data = {"describe": "We argued about the bills", "express": RISK_ES, "specify": "Talk"}
    response = http.post(url, data | {"finish": "1"})
    assert_crisis_answer(response, source="worksheet", words="soy una carga")
    assert "Well done" not in visible_text(response)
    sheet.refresh_from_db()
    assert sheet.answers["express"] == RISK_ES and sheet.completed_at is not None
    http.post(url, data)
    assert Alert.objects.count() == 1


@pytest.mark.parametrize("words", [MENTION, IDIOM])
def test_a_mention_in_a_worksheet_raises_nothing(world, sheet, words):
    url = f"/portal/worksheets/{sheet.pk}/"
    assert signed_in(world.portal).post(url, {"describe": words}).status_code == 302
    assert_no_crisis(signed_in(world.portal).get(url))
    sheet.refresh_from_db()
    assert sheet.answers == {"describe": words}


def test_bad_worksheet_input_is_refused_or_kept_intact(world, sheet):
    url = f"/portal/worksheets/{sheet.pk}/"
    http = signed_in(world.portal)
    response = http.post(url, {"describe": RISK, "finish": "1"})  # steps missing to finish
    assert response.status_code == 400 and "Fill in this step to finish" in visible_text(response)
    assert RISK in visible_text(response)
    response = http.post(url, {"describe": HUGE})
    assert response.status_code == 400 and "at most 2000 characters" in visible_text(response)
    sheet.refresh_from_db()
    assert sheet.answers == {} and not Alert.objects.exists()
    assert http.post(url, {"describe": MIXED}).status_code == 302
    sheet.refresh_from_db()
    assert sheet.answers == {"describe": MIXED} and not Alert.objects.exists()


def test_the_statement_tool_answers_a_risk_sentence_with_help_never_praise(world):
    http = signed_in(world.portal)
    words = "I feel like I want to die and I'd like you to leave me alone"
    response = http.post("/portal/communication/statement/", {"text": words})
    alert = assert_crisis_answer(response, source="statement", words="want to die")
    page = visible_text(response)
    assert "A clear request" not in page and "Speaks from 'I'" not in page
    assert "Nothing to point out" not in page and "✓" not in page
    assert alert.severity == "high"
    http.post("/portal/communication/statement/", {"text": words})
    assert Alert.objects.count() == 1  # the same sentence again raises nothing new


@pytest.mark.parametrize("words", [MENTION, IDIOM])
def test_the_statement_tool_gives_feedback_on_a_mention(world, words):
    response = signed_in(world.portal).post("/portal/communication/statement/", {"text": words})
    assert response.status_code == 200
    assert_no_crisis(response)


def test_the_statement_tool_still_praises_a_clear_request(world):
    words = "I'd like you to call me when you are late."
    response = signed_in(world.portal).post("/portal/communication/statement/", {"text": words})
    assert "A clear request" in visible_text(response)
    assert_no_crisis(response)


def test_bad_statement_input_gets_the_forms_message(world):
    http = signed_in(world.portal)
    response = http.post("/portal/communication/statement/", {"text": ""})
    assert response.status_code == 400 and "This field is required." in visible_text(response)
    response = http.post("/portal/communication/statement/", {"text": HUGE + RISK})
    assert response.status_code == 400 and "at most 2000 characters" in visible_text(response)
    assert not Alert.objects.exists()
    response = http.post("/portal/communication/statement/", {"text": MIXED})
    assert response.status_code == 200 and MIXED in visible_text(response)
    assert not Alert.objects.exists()


def test_another_client_cannot_write_in_this_clients_communication_work(
    world, exchange, sheet, omar
):
    http = signed_in(omar.user)
    response = http.post(f"/portal/exchanges/{exchange.pk}/", exchange_data(i_felt=RISK))
    assert response.status_code == 404
    assert http.post(f"/portal/worksheets/{sheet.pk}/", {"describe": RISK}).status_code == 404
    exchange.refresh_from_db()
    sheet.refresh_from_db()
    assert exchange.i_felt == "" and sheet.answers == {} and not Alert.objects.exists()


# Portal people drafts


def draft(**fields) -> dict:
    return {"name": "Sam", "relationship": "partner", "ring": "2"} | fields


def test_a_risk_people_draft_is_saved_and_answered_with_the_crisis_response(world):
    http = signed_in(world.portal)
    response = http.post("/portal/people/", draft(unsatisfying=f"{IDIOM} {RISK}"))
    assert_crisis_answer(response, source="people_draft", words="not wake up")
    person = Person.objects.get()
    assert person.unsatisfying == f"{IDIOM} {RISK}" and not person.accepted
    assert "Sam" in visible_text(response)  # the list shows the new draft


@pytest.mark.parametrize("words", [MENTION, IDIOM])
def test_a_mention_in_a_people_draft_raises_nothing(world, words):
    response = signed_in(world.portal).post("/portal/people/", draft(satisfying=words))
    assert response.status_code == 302
    assert_no_crisis(signed_in(world.portal).get("/portal/people/"))
    assert Person.objects.get().satisfying == words


def test_bad_people_draft_input_is_refused_or_kept_intact(world):
    http = signed_in(world.portal)
    response = http.post("/portal/people/", draft(name="", unsatisfying=RISK))
    assert response.status_code == 400 and "This field is required." in visible_text(response)
    assert RISK in visible_text(response)
    response = http.post("/portal/people/", draft(satisfying=HUGE))
    assert response.status_code == 400 and "at most 2000 characters" in visible_text(response)
    assert not Person.objects.exists() and not Alert.objects.exists()
    assert (
        http.post("/portal/people/", draft(name="Ángela 🌻", satisfying=MIXED)).status_code == 302
    )
    person = Person.objects.get()
    assert person.name == "Ángela 🌻" and person.satisfying == MIXED
    assert not Alert.objects.exists()


# Role play: a turn goes through the same path (gentle/roleplay/actions.py)


@pytest.fixture
def rehearsal(world):
    scenario = Scenario.objects.create(
        client=world.amara,
        title="Telling my sister",
        goal="Say how I miss him",
        opening="Can we talk about Dan?",
        manner="sad",
        relationship="sibling",
        updated_by=world.alice,
        shared_with_client=True,
    )
    return Rehearsal.objects.create(
        client=world.amara,
        scenario=scenario,
        confidence_before=4,
        tension=2,
        started_by=world.portal,
    )


def test_a_risk_turn_pauses_the_rehearsal_with_the_crisis_response(world, rehearsal):
    url = f"/portal/rehearsals/{rehearsal.pk}/"
    response = signed_in(world.portal).post(url, {"text": RISK, "number": "1"})
    assert_crisis_answer(response, source="rehearsal", words="not wake up")
    assert "This rehearsal is paused." in visible_text(response)
    rehearsal.refresh_from_db()
    assert rehearsal.status == "paused" and rehearsal.turns.get().text == RISK
    page = signed_in(world.portal).get(url)  # the crisis response stays while paused
    assert 'id="crisis-response"' in page.content.decode()


@pytest.mark.parametrize(
    "words", ["My brother died by suicide two years ago.", MENTION, IDIOM, MIXED]
)
def test_a_grief_client_talks_about_a_suicide_in_role_play_without_a_pause(world, rehearsal, words):
    url = f"/portal/rehearsals/{rehearsal.pk}/"
    response = signed_in(world.portal).post(url, {"text": words, "number": "1"})
    assert response.status_code == 302
    rehearsal.refresh_from_db()
    assert rehearsal.status == "active"
    assert list(rehearsal.turns.values_list("speaker", flat=True)) == ["client", "partner"]
    assert rehearsal.turns.get(speaker="client").text == words
    assert_no_crisis(signed_in(world.portal).get(url))


def test_bad_turns_are_refused_and_another_client_cannot_take_one(world, rehearsal, omar):
    url = f"/portal/rehearsals/{rehearsal.pk}/"
    http = signed_in(world.portal)
    response = http.post(url, {"text": "   ", "number": "1"})
    assert response.status_code == 400 and "Write what you would say" in visible_text(response)
    response = http.post(url, {"text": HUGE + RISK, "number": "1"})
    assert response.status_code == 400 and not rehearsal.turns.exists()
    response = signed_in(omar.user).post(url, {"text": RISK, "number": "1"})
    assert response.status_code == 404
    assert not rehearsal.turns.exists() and not Alert.objects.exists()


def test_a_risk_scenario_written_by_the_client_is_answered_with_the_crisis_response(world):
    http = signed_in(world.portal)
    data = {
        "title": "Telling Sam",
        "goal": "Say goodbye before I end my life",
        "opening": "Sam, I need to tell you something 💬",
        "manner": "sad",
        "relationship": "partner",
    }
    response = http.post("/portal/role-play/", data)
    assert_crisis_answer(response, source="scenario", words="end my life")
    assert Scenario.objects.get().goal == data["goal"]
    response = http.post("/portal/role-play/", data | {"goal": MENTION, "title": "Mum"})
    assert response.status_code == 302 and Alert.objects.count() == 1
    response = http.post("/portal/role-play/", data | {"title": ""})
    assert response.status_code == 400 and Scenario.objects.count() == 2


def test_a_risk_reflection_is_saved_and_answered_with_the_crisis_response(world, rehearsal):
    http = signed_in(world.portal)
    end = f"/portal/rehearsals/{rehearsal.pk}/end/"
    response = http.post(end, {"worked": HUGE, "confidence_after": "5"})
    assert response.status_code == 400
    rehearsal.refresh_from_db()
    assert rehearsal.status == "active" and rehearsal.worked == ""
    response = http.post(end, {"worked": "Staying calm", "try_next": RISK, "confidence_after": "5"})
    assert_crisis_answer(response, source="rehearsal_reflection", words="not wake up")
    rehearsal.refresh_from_db()
    assert rehearsal.status == "finished" and rehearsal.try_next == RISK


# Pages without an id: each client writes only into their own record


def test_portal_forms_write_only_into_the_signed_in_clients_own_record(world, omar):
    http = signed_in(omar.user)
    assert http.post("/portal/diary/", diary(what_happened=RISK)).status_code == 200
    assert DiaryEntry.objects.get().client == omar
    assert Alert.objects.get().client == omar  # never Amara's care record
    staff = signed_in(world.alice)
    for url, data in (
        ("/portal/diary/", diary(what_happened=RISK_ES)),
        ("/portal/people/", draft(unsatisfying=RISK_ES)),
        ("/portal/communication/statement/", {"text": RISK_ES}),
    ):
        assert staff.post(url, data).status_code in (403, 404)
    assert DiaryEntry.objects.count() == 1 and not Person.objects.exists()
    assert Alert.objects.count() == 1


def test_the_clinicians_statement_tool_gives_no_feedback_on_risk_words(world):
    http = signed_in(world.alice)
    words = "I feel like I want to die and I'd like you to leave me alone"
    page = visible_text(http.post("/communication/statement/", {"text": words}))
    assert "A clear request" not in page and "Nothing to point out" not in page
    assert "follow them up as a safety matter" in page
    page = visible_text(http.post("/communication/statement/", {"text": MENTION}))
    assert "safety matter" not in page and not Alert.objects.exists()
