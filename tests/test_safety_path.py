"""Every place a client types free text goes through the one safety path (text_hear): their own
risk words are saved, answered with the crisis response in the same response and raise one
alert with the words around them; someone else's suicide, an idiom or the topic raises nothing;
bad input (empty, 100 KB, emoji, mixed languages) is handled. Through HTTP as the client."""

import html as html_lib
import re
from dataclasses import dataclass

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from gentle.accounts.models import Clinic, Role, User
from gentle.clients.models import Client
from gentle.safety.models import Alert, CrisisText
from gentle.timeline.models import DiaryEntry
from tests.factories import make_client, make_clinic, make_person

pytestmark = pytest.mark.django_db

CRISIS_EN = "Hillside out-of-hours line: 0100 200 300."
CRISIS_HEADING = "You do not have to wait for your next session"
RISK = "I wish I could go to sleep and not wake up"
RISK_ES = "No puedo más, soy una carga para todos."
MENTION = "My mother died by suicide when I was ten."
IDIOM = "This traffic is killing me."
MIXED = "Hoy fue un día difícil 😔 but I called my sister, ¡y me sentí mejor! 🌱"
HUGE = "We talked about the holidays. " * 3500  # about 100 KB


@dataclass
class World:
    clinic: Clinic
    clinician: User
    person: User  # Ottilie's portal login
    ottilie: Client
    other_person: User  # another client's portal login, same clinic
    other: Client


@pytest.fixture
def world() -> World:
    clinic = make_clinic("Hillside Practice")
    clinician = make_person(clinic, Role.CLINICIAN)
    person = make_person(clinic, Role.CLIENT)
    other_person = make_person(clinic, Role.CLIENT)
    CrisisText.objects.create(clinic=clinic, language="en", text=CRISIS_EN)
    return World(
        clinic=clinic,
        clinician=clinician,
        person=person,
        ottilie=make_client(clinic, clinicians=[clinician], user=person, given_name="Ottilie"),
        other_person=other_person,
        other=make_client(clinic, clinicians=[clinician], user=other_person, given_name="Omar"),
    )


def signed_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def visible_text(response) -> str:
    """What a reader sees: the page without its tags, scripts and styles."""
    page = response.content.decode()
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", page)).split())


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
    http = signed_in(world.person)
    response = http.post("/portal/diary/", diary(what_happened="Argued", how_i_felt=RISK))
    alert = assert_crisis_answer(response, source="diary", words="go to sleep and not wake up")
    assert "Saved in your diary." in visible_text(response)
    assert DiaryEntry.objects.get().how_i_felt == RISK
    assert alert.client == world.ottilie and alert.severity == "moderate"
    # Saving the same words again (a double tap, or a change of mood) raises nothing new.
    response = http.post("/portal/diary/", diary(mood="3", what_happened="Argued", how_i_felt=RISK))
    assert CRISIS_HEADING in response.content.decode() and Alert.objects.count() == 1
    # An edit that adds other risk words is heard again.
    http.post("/portal/diary/", diary(what_happened="Argued", how_i_felt=f"{RISK} {RISK_ES}"))
    assert Alert.objects.count() == 2


def test_a_spanish_risk_diary_entry_raises_one_alert(world):
    response = signed_in(world.person).post("/portal/diary/", diary(what_happened=RISK_ES))
    assert_crisis_answer(response, source="diary", words="soy una carga")


@pytest.mark.parametrize("words", [MENTION, IDIOM])
def test_a_mention_or_an_idiom_in_the_diary_is_saved_without_alarm(world, words):
    response = signed_in(world.person).post("/portal/diary/", diary(what_happened=words))
    assert response.status_code == 302
    assert_no_crisis(signed_in(world.person).get("/portal/diary/"))
    assert DiaryEntry.objects.get().what_happened == words


def test_bad_diary_input_is_refused_or_kept_intact(world):
    http = signed_in(world.person)
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
