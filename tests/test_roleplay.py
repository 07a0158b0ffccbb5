"""Role-play rehearsal through HTTP: scenarios (library, written, client-built), turns with the
offline partner and the statement feedback, the reflection, the clinician's notes, the risk
pause with its alert, the clinic's model partner with fall-back, and the portal side."""

import json
import random
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gentle.accounts.models import Role
from gentle.audit.models import AuditEvent
from gentle.inventory.models import Person
from gentle.lib import outbound
from gentle.lib.crypto import KeyRing, KeyRingError, new_key
from gentle.roleplay.models import Annotation, PartnerSettings, Rehearsal, Scenario, Turn
from gentle.safety.models import Alert, CrisisText
from tests.factories import count_queries, make_client
from tests.world import World as SharedWorld
from tests.world import another_client

pytestmark = pytest.mark.django_db


@dataclass
class World(SharedWorld):
    partner: Person  # Bartholomew, Amara's partner in her inventory


@pytest.fixture
def world(world) -> World:
    partner = Person.objects.create(
        client=world.amara,
        name="Bartholomew",
        name_key="bartholomew",
        relationship="partner",
        updated_by=world.alice,
    )
    return World(**vars(world), partner=partner)


def scenario(record, by, **fields):
    values = {
        "title": "Evenings",
        "goal": "Share the evening chores",
        "opening": "Can we talk about the evenings?",
        "manner": "defensive",
        "relationship": "partner",
        "person_label": "Bartholomew",
        "updated_by": by,
    }
    return Scenario.objects.create(client=record, **(values | fields))


def rehearsal(the_scenario, by, **fields):
    return Rehearsal.objects.create(
        client=the_scenario.client,
        scenario=the_scenario,
        confidence_before=4,
        tension=2,
        started_by=by,
        **fields,
    )


# Scenarios


def test_scenarios_from_the_library_and_written_out(client, world):
    clinician, record, partner = world.alice, world.amara, world.partner
    client.force_login(clinician)
    url = f"/clients/{record.pk}/role-play/"
    response = client.post(url, {"library": "dispute_chores", "person": partner.pk})
    made = Scenario.objects.get()
    assert response["Location"] == f"/scenarios/{made.pk}/"
    assert (made.library_id, made.relationship, made.person_label) == (
        "dispute_chores",
        "partner",
        "Bartholomew",
    )
    assert made.manner == "defensive" and not made.shared_with_client
    response = client.post(
        url, {"title": "Asking for help", "goal": "", "opening": "Could you help?", "manner": "sad"}
    )
    assert response.status_code == 400 and "Could you help?" in response.content.decode()
    assert Scenario.objects.count() == 1
    response = client.post(url, {"library": "no-such-example"})
    assert response.status_code == 400 and Scenario.objects.count() == 1


def test_supervisors_read_scenarios_but_do_not_write(client, world):
    clinician, supervisor, record = world.alice, world.sue, world.amara
    the_scenario = scenario(record, clinician)
    client.force_login(supervisor)
    assert client.get(f"/scenarios/{the_scenario.pk}/").status_code == 200
    assert "Start rehearsing" not in client.get(f"/scenarios/{the_scenario.pk}/").content.decode()
    url = f"/clients/{record.pk}/role-play/"
    data = {"title": "x", "goal": "y", "opening": "z", "manner": "sad"}
    assert client.post(url, data).status_code == 404
    assert (
        client.post(f"/scenarios/{the_scenario.pk}/rehearse/", {"confidence_before": 3}).status_code
        == 404
    )
    assert Scenario.objects.count() == 1 and not Rehearsal.objects.exists()


# Rehearsing


def test_a_rehearsal_answers_what_was_said_and_gives_feedback(client, world):
    clinician, record = world.alice, world.amara
    the_scenario = scenario(record, clinician)
    client.force_login(clinician)
    response = client.post(f"/scenarios/{the_scenario.pk}/rehearse/", {"confidence_before": "3"})
    started = Rehearsal.objects.get()
    assert response["Location"] == f"/rehearsals/{started.pk}/"
    assert started.confidence_before == 3 and started.tension == 2  # defensive starts at 2
    page = client.get(f"/rehearsals/{started.pk}/").content.decode()
    assert "Can we talk about the evenings?</textarea>" in page  # the opening is offered

    url = f"/rehearsals/{started.pk}/"
    client.post(url, {"text": "You never help, it's always me.", "number": "1"})
    started.refresh_from_db()
    heated = started.tension
    assert heated > 2
    turns = list(Turn.objects.order_by("number"))
    assert [t.speaker for t in turns] == ["client", "partner"]
    assert "absolute" in turns[0].features and turns[1].engine == "offline" and turns[1].text
    client.post(
        url, {"text": "I feel exhausted. Could you do bath time on Tuesdays?", "number": "3"}
    )
    started.refresh_from_db()
    assert started.tension < heated
    html = client.get(url).content.decode()
    assert "Absolute words" in html and "A clear request" in html
    assert html.count('class="chat-turn chat-partner"') == 2
    assert AuditEvent.objects.filter(action="rehearsal.turn").count() == 2


def test_an_english_rehearsal_on_a_spanish_page_gets_the_english_rules(client, world):
    """The feedback read the demo's English turns with the Spanish rules of the page: "I feel
    left out" found no I-statement, and the Spanish rule wording quoted «me siento…». The rules
    and their wording follow the rehearsal's language; the page around them stays Spanish."""
    from gentle.roleplay import demo

    demo.seed(random.Random(1), {"clients": [world.amara]})
    english = Rehearsal.objects.get(scenario__title="Asking Tomás to plan the budget together")
    assert english.language == "en"
    client.force_login(world.alice)
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    html = client.get(f"/rehearsals/{english.pk}/").content.decode()
    assert '<html lang="es">' in html
    assert "about your own feelings, needs or wishes" in html  # the English I-statement rule
    assert "Hablar desde el" not in html


def test_bad_turns_are_refused_without_losing_the_transcript(client, world):
    clinician, record = world.alice, world.amara
    started = rehearsal(scenario(record, clinician), clinician)
    client.force_login(clinician)
    url = f"/rehearsals/{started.pk}/"
    response = client.post(url, {"text": "   ", "number": "1"})
    assert response.status_code == 400
    assert "Write what you would say, even a few words." in response.content.decode()
    response = client.post(url, {"text": "w" * 1001, "number": "1"})
    assert response.status_code == 400 and "w" * 1001 in response.content.decode()
    assert not Turn.objects.exists()
    client.post(url, {"text": "<img src=x onerror=alert(1)> hello", "number": "1"})
    client.post(url, {"text": "<img src=x onerror=alert(1)> hello", "number": "1"})  # again
    assert Turn.objects.filter(speaker="client").count() == 1  # a double submission
    html = client.get(url).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_risk_words_pause_the_rehearsal_show_help_and_alert_the_team(client, world):
    clinician, portal, record = world.alice, world.portal, world.amara
    CrisisText.objects.create(clinic=record.clinic, language="en", text="Call the night line 0800")
    the_scenario = scenario(record, clinician, shared_with_client=True)
    started = rehearsal(the_scenario, portal)
    client.force_login(portal)
    url = f"/portal/rehearsals/{started.pk}/"
    response = client.post(url, {"text": "Honestly some days I want to die.", "number": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and "Call the night line 0800" in html
    assert 'id="crisis-response"' in html and "This rehearsal is paused." in html
    assert "your care team has been told" not in html  # not true in real time
    started.refresh_from_db()
    assert started.status == "paused"
    assert list(Turn.objects.values_list("speaker", flat=True)) == ["client"]  # no reply
    alert = Alert.objects.get()
    assert (alert.source, alert.severity, alert.client_id) == ("rehearsal", "high", record.pk)
    assert "die" not in alert.reason
    response = client.post(url, {"text": "Anyway.", "number": "2"}, follow=True)
    assert "not open for new turns" in response.content.decode()
    assert Turn.objects.count() == 1

    client.force_login(clinician)
    assert "Risk words in the client" in client.get(f"/clients/{record.pk}/").content.decode()
    follow_up = "I have followed this up: let the rehearsal go on"
    assert follow_up in client.get(f"/rehearsals/{started.pk}/").content.decode()
    client.post(f"/rehearsals/{started.pk}/resume/")
    started.refresh_from_db()
    assert started.status == "active"
    assert follow_up not in client.get(f"/rehearsals/{started.pk}/").content.decode()


def test_the_reflection_finishes_a_rehearsal(client, world):
    clinician, record = world.alice, world.amara
    started = rehearsal(scenario(record, clinician), clinician)
    Turn.objects.create(rehearsal=started, number=1, speaker="client", text="Hi")
    client.force_login(clinician)
    end = f"/rehearsals/{started.pk}/end/"
    response = client.post(end, {"worked": "Staying calm", "confidence_after": ""})
    assert response.status_code == 400 and "Staying calm" in response.content.decode()
    response = client.post(end, {"worked": "Staying calm", "confidence_after": "11"})
    assert response.status_code == 400
    started.refresh_from_db()
    assert started.status == "active"
    client.post(end, {"worked": "Staying calm", "try_next": "Ask sooner", "confidence_after": "7"})
    started.refresh_from_db()
    assert (started.status, started.confidence_after, started.worked) == (
        "finished",
        7,
        "Staying calm",
    )
    html = client.get(f"/rehearsals/{started.pk}/").content.decode()
    assert "4 before → 7 after" in html and "Your turn" not in html


def test_the_clinician_annotates_and_the_client_sees_the_notes(client, world):
    clinician, supervisor, portal, record = world.alice, world.sue, world.portal, world.amara
    started = rehearsal(scenario(record, clinician, shared_with_client=True), portal)
    Turn.objects.create(rehearsal=started, number=1, speaker="client", text="You never listen")
    client.force_login(clinician)
    url = f"/rehearsals/{started.pk}/notes/"
    response = client.post(url, {"text": "", "turn_number": "1"}, follow=True)
    assert "Write a note of up to 1000 characters." in response.content.decode()
    client.post(url, {"text": "Notice the 'never' here.", "turn_number": "1"})
    client.force_login(supervisor)
    assert client.post(url, {"text": "Supervisor note"}).status_code == 404
    assert list(Annotation.objects.values_list("text", flat=True)) == ["Notice the 'never' here."]
    client.force_login(portal)
    assert "Notice the" in client.get(f"/portal/rehearsals/{started.pk}/").content.decode()


# The model partner


class FakeModel(BaseHTTPRequestHandler):
    mode = "ok"
    bodies: list = []

    def do_POST(self):  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FakeModel.bodies.append(body.decode())
        if FakeModel.mode == "slow":
            time.sleep(2.5)
        reply = {"choices": [{"message": {"content": "Fine. Sundays it is."}}]}
        payload = json.dumps(reply).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the slow case: Gentle has already given up and fallen back

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_model():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeModel)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeModel.bodies = []
    FakeModel.mode = "ok"
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_the_administrator_sets_up_the_model_partner(client, world, settings):
    settings.GENTLE_ROLEPLAY_ENDPOINTS = ["http://127.0.0.1:9/v1", "https://llm.example.org/v1"]
    clinician = world.alice
    admin = world.admin
    client.force_login(admin)
    url = "/clinic/role-play/"
    page = client.get(url).content.decode()
    assert '<option value="https://llm.example.org/v1">' in page
    response = client.post(url, {"enabled": "on", "endpoint": "", "model": "", "timeout": "8"})
    assert response.status_code == 400
    assert "choose its endpoint and give its model name" in response.content.decode()
    data = {
        "enabled": "on",
        "endpoint": "http://127.0.0.1:9/v1",
        "model": "local",
        "api_key": "sk-secret-123",
        "timeout": "3",
    }
    assert client.post(url, data).status_code == 302
    saved = PartnerSettings.objects.get()
    assert saved.enabled and "sk-secret-123" not in saved.api_key_encrypted
    assert "sk-secret-123" not in client.get(url).content.decode()
    event = AuditEvent.objects.get(action="roleplay.settings")
    assert event.detail == "enabled=True endpoint=127.0.0.1:9 key=new"
    client.post(url, data | {"api_key": "", "endpoint": "https://llm.example.org/v1"})
    saved.refresh_from_db()
    assert saved.api_key_encrypted  # an empty field keeps the key
    assert saved.endpoint == "https://llm.example.org/v1"
    event = AuditEvent.objects.filter(action="roleplay.settings").order_by("seq").last()
    assert event.detail == "enabled=True endpoint=llm.example.org key=kept"
    client.force_login(clinician)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://169.254.169.254/latest/meta-data",
        "https://attacker.example/v1",
        "ftp://x",
        "http://127.0.0.1:9/v1?x=1",
    ],
)
def test_the_administrator_cannot_type_an_endpoint_of_their_own(client, world, settings, endpoint):
    settings.GENTLE_ROLEPLAY_ENDPOINTS = ["http://127.0.0.1:9/v1"]
    client.force_login(world.admin)
    data = {"enabled": "on", "endpoint": endpoint, "model": "m", "timeout": "8"}
    response = client.post("/clinic/role-play/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose one of the endpoints this server allows." in page
    assert 'value="m"' in page  # what was typed is kept
    assert not PartnerSettings.objects.exists()
    assert not AuditEvent.objects.filter(action="roleplay.settings").exists()


def test_without_allowed_endpoints_the_model_cannot_be_switched_on(client, world, settings):
    settings.GENTLE_ROLEPLAY_ENDPOINTS = []
    client.force_login(world.admin)
    url = "/clinic/role-play/"
    assert "This server allows no model endpoint" in client.get(url).content.decode()
    data = {"enabled": "on", "endpoint": "", "model": "m", "timeout": "8"}
    assert client.post(url, data).status_code == 302
    assert PartnerSettings.objects.get().enabled is False


def test_a_saved_endpoint_no_longer_allowed_is_not_used_and_the_page_says_why(
    client, world, fake_model, settings
):
    settings.GENTLE_ROLEPLAY_ENDPOINTS = ["https://llm.example.org/v1"]
    settings.GENTLE_ROLEPLAY_ALLOW_PRIVATE = True
    clinician, record = world.alice, world.amara
    # Saved before the allow-list existed, when any URL could be typed.
    PartnerSettings.objects.create(
        clinic=record.clinic, enabled=True, endpoint=fake_model, model="local", timeout=1
    )
    client.force_login(world.admin)
    page = client.get("/clinic/role-play/").content.decode()
    host = fake_model.split("/")[2]
    assert f"The saved endpoint ({host}) is not among the endpoints this server allows" in page

    started = rehearsal(scenario(record, clinician), clinician)
    client.force_login(clinician)
    client.post(f"/rehearsals/{started.pk}/", {"text": "Can we talk?", "number": "1"})
    answer = Turn.objects.get(speaker="partner")
    assert (answer.engine, answer.fallback) == ("offline", "not_allowed") and answer.text
    assert FakeModel.bodies == []
    event = AuditEvent.objects.get(action="rehearsal.partner")
    assert event.detail == f"engine=offline endpoint={host} fallback=not_allowed"


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://169.254.169.254/v1",
        "http://10.0.0.7:8080/v1",
        "http://[::1]:8080/v1",
        "http://[::ffff:127.0.0.1]:8080/v1",
    ],
)
def test_a_listed_endpoint_on_a_private_or_link_local_address_is_refused(
    client, world, settings, endpoint, monkeypatch
):
    def refuse(*args):
        raise AssertionError("connected to a refused address")

    monkeypatch.setattr(outbound, "_connect", refuse)
    settings.GENTLE_ROLEPLAY_ENDPOINTS = [endpoint]  # an operator's mistake
    settings.GENTLE_ROLEPLAY_ALLOW_PRIVATE = False
    clinician, record = world.alice, world.amara
    PartnerSettings.objects.create(
        clinic=record.clinic, enabled=True, endpoint=endpoint, model="local", timeout=1
    )
    started = rehearsal(scenario(record, clinician), clinician)
    client.force_login(clinician)
    client.post(f"/rehearsals/{started.pk}/", {"text": "Can we talk?", "number": "1"})
    answer = Turn.objects.get(speaker="partner")
    assert (answer.engine, answer.fallback) == ("offline", "refused") and answer.text


def test_the_model_answers_without_names_and_falls_back_when_slow(
    client, world, fake_model, settings
):
    settings.GENTLE_ROLEPLAY_ENDPOINTS = [fake_model]
    settings.GENTLE_ROLEPLAY_ALLOW_PRIVATE = True  # the fake server is on 127.0.0.1
    clinician, record = world.alice, world.amara
    record.given_name, record.family_name = "Marisol", "Quintanilla"
    record.email, record.phone = "marisol.q@example.org", "+34 611 22 33 44"
    record.save()
    make_client(record.clinic, given_name="Fernanda", family_name="Olmedo")
    PartnerSettings.objects.create(
        clinic=record.clinic, enabled=True, endpoint=fake_model, model="local", timeout=1
    )
    started = rehearsal(scenario(record, clinician), clinician)
    client.force_login(clinician)
    url = f"/rehearsals/{started.pk}/"
    text = (
        "Barth\u00adolomew, it's Ｍarisol. I feel tired. Could we share the evenings? "
        "I met fernanda olmedo; write to marisol.q@example.org or call 611 22 33 44. "
        "I was born on 3 March 1985 and live at 12 Mill Road."
    )
    client.post(url, {"text": text, "number": "1"})
    answer = Turn.objects.get(speaker="partner")
    assert (answer.engine, answer.text) == ("model", "Fine. Sundays it is.")
    sent = json.loads(FakeModel.bodies[0])
    content = json.dumps(sent, ensure_ascii=False)
    for identifier in ("Marisol", "Quintanilla", "Bartholomew", "Barth", "Fernanda", "Olmedo",
                       "example.org", "611", "1985", "Mill"):  # fmt: skip
        assert identifier.casefold() not in content.casefold(), identifier
    assert "your partner" in content
    assert sent["messages"][-1]["content"] == (
        "[name], it's [name]. I feel tired. Could we share the evenings? "
        "I met [name]; write to [email] or call [phone]. "
        "I was born on [date] and live at [address]."
    )
    host = fake_model.split("/")[2]
    event = AuditEvent.objects.get(action="rehearsal.partner")
    assert event.detail == f"engine=model endpoint={host}"

    FakeModel.mode = "slow"
    client.post(url, {"text": "Are you listening?", "number": "3"})
    fallback = Turn.objects.filter(speaker="partner").order_by("number").last()
    assert (fallback.engine, fallback.fallback) == ("offline", "timeout") and fallback.text
    assert Turn.objects.count() == 4  # nothing of the transcript was lost
    event = AuditEvent.objects.filter(action="rehearsal.partner").order_by("seq").last()
    assert event.detail == f"engine=offline endpoint={host} fallback=timeout"


def test_the_built_in_partner_sends_nothing_and_says_so_in_the_audit(client, world):
    clinician, record = world.alice, world.amara
    started = rehearsal(scenario(record, clinician), clinician)
    client.force_login(clinician)
    client.post(f"/rehearsals/{started.pk}/", {"text": "Can we talk?", "number": "1"})
    assert AuditEvent.objects.get(action="rehearsal.partner").detail == "engine=offline"


def test_rotate_keys_reencrypts_the_model_partners_api_key(world, settings):
    old, new = new_key(), new_key()
    settings.GENTLE_PROCESS_NOTE_KEYS = [old]
    record = world.amara
    saved = PartnerSettings.objects.create(
        clinic=record.clinic, api_key_encrypted=KeyRing([old]).encrypt("sk-secret-123")
    )
    settings.GENTLE_PROCESS_NOTE_KEYS = [new, old]
    out = StringIO()
    call_command("rotate_keys", stdout=out)
    assert "1 role-play API key(s)" in out.getvalue()
    saved.refresh_from_db()
    assert KeyRing([new]).decrypt(saved.api_key_encrypted) == "sk-secret-123"
    with pytest.raises(KeyRingError):
        KeyRing([old]).decrypt(saved.api_key_encrypted)
    assert AuditEvent.objects.get(action="roleplay.rotate_keys").detail == "count=1"


def test_rotate_keys_stops_and_changes_nothing_when_an_api_key_does_not_open(world, settings):
    settings.GENTLE_PROCESS_NOTE_KEYS = [new_key()]
    record = world.amara
    stray = KeyRing([new_key()]).encrypt("sk-secret-123")
    saved = PartnerSettings.objects.create(clinic=record.clinic, api_key_encrypted=stray)
    with pytest.raises(CommandError) as failure:
        call_command("rotate_keys", stdout=StringIO())
    assert str(failure.value).startswith("rotate-keys stopped, nothing changed: the role-play")
    assert f"clinic {record.clinic_id}" in str(failure.value)
    saved.refresh_from_db()
    assert saved.api_key_encrypted == stray
    assert not AuditEvent.objects.filter(action__endswith="rotate_keys").exists()


# The portal


def test_the_client_builds_a_scenario_and_rehearses_it_in_the_portal(client, world):
    portal, partner = world.portal, world.partner
    client.force_login(portal)
    response = client.post(
        "/portal/role-play/",
        {
            "title": "Saying no",
            "person": partner.pk,
            "goal": "Say no kindly",
            "opening": "I can't this time.",
            "manner": "dismissive",
        },
    )
    made = Scenario.objects.get()
    assert response["Location"] == f"/portal/scenarios/{made.pk}/"
    assert made.shared_with_client and made.created_role == "client"
    response = client.post(f"/portal/scenarios/{made.pk}/rehearse/", {"confidence_before": "6"})
    started = Rehearsal.objects.get()
    assert response["Location"] == f"/portal/rehearsals/{started.pk}/"
    client.post(f"/portal/rehearsals/{started.pk}/", {"text": "I can't this time.", "number": "1"})
    assert Turn.objects.count() == 2
    event = AuditEvent.objects.filter(action="rehearsal.turn").get()
    assert (event.role, event.actor_id) == (Role.CLIENT, portal.pk)


def test_the_portal_keeps_other_peoples_and_unshared_scenarios_closed(client, world):
    clinician, portal, record = world.alice, world.portal, world.amara
    unshared = scenario(record, clinician)
    neighbour = another_client(world, "Nia", portal=True)
    theirs = rehearsal(scenario(neighbour, clinician, shared_with_client=True), clinician)
    client.force_login(portal)
    assert client.get(f"/portal/scenarios/{unshared.pk}/").status_code == 404
    assert client.get(f"/portal/rehearsals/{theirs.pk}/").status_code == 404
    response = client.post(f"/portal/rehearsals/{theirs.pk}/", {"text": "x", "number": "1"})
    assert response.status_code == 404 and not Turn.objects.exists()


def test_a_rehearsal_page_costs_the_same_queries_however_long(client, world):
    clinician, record = world.alice, world.amara
    started = rehearsal(scenario(record, clinician), clinician)
    client.force_login(clinician)
    url = f"/rehearsals/{started.pk}/"
    Turn.objects.create(rehearsal=started, number=1, speaker="client", text="Hello")
    first = count_queries(client, url)
    for n in range(2, 40):
        speaker = "partner" if n % 2 == 0 else "client"
        Turn.objects.create(rehearsal=started, number=n, speaker=speaker, text=f"Line {n}")
        Annotation.objects.create(rehearsal=started, turn_number=n, text="note", author=clinician)
    assert count_queries(client, url) == first
