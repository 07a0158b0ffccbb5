"""The role-play partner: offline rules, name scrubbing in the prompt, and the model path against
a fake OpenAI-compatible server started by the tests themselves: only allowed endpoints, only
allowed addresses, the address checked is the one connected to. No database. (Scrubbing itself:
tests/test_roleplay_scrub.py.)"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gentle.lib import outbound
from gentle.lib.statements import features
from gentle.roleplay.partner import (
    FALLBACKS,
    MANNERS,
    NAME_PLACEHOLDER,
    SITUATIONS,
    ModelConfig,
    ModelError,
    Persona,
    Reply,
    load_data,
    model_reply,
    next_tension,
    offline_reply,
    reply,
    situation,
    start_tension,
    system_prompt,
)
from gentle.roleplay.scrub import scrub

ROOT = Path(__file__).resolve().parents[1]
RULES = json.loads((ROOT / "gentle/communication/data/statements.json").read_text("utf-8"))
DATA = load_data()
LANGUAGES = ("en", "es")
FEATURE_IDS = ("i_statement", "you_statement", "absolute", "blame", "contempt", "hedge", "request")

BLAMING = {
    "en": "You always ruin everything and it is your fault.",
    "es": "Siempre lo arruinas todo y es tu culpa.",
}
CONTEMPT = {"en": "Whatever. You are pathetic, grow up.", "es": "Qué patético eres, madura ya."}
CALM_REQUEST = {
    "en": "I feel lonely when we do not talk. Could we have dinner together on Sunday?",
    "es": "Me siento sola cuando no hablamos. ¿Podríamos cenar juntos el domingo?",
}
VAGUE = {"en": "We need to talk about the weekend.", "es": "Tenemos que hablar del fin de semana."}


def persona(manner: str = "defensive", language: str = "en", **fields: str) -> Persona:
    values = {"role_label": "your partner", "goal": "", "opening": ""} | fields
    return Persona(manner=manner, language=language, **values)


def bucket(manner: str, language: str, name: str) -> list[str]:
    return DATA["manners"][manner][language][name]


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# --- offline partner ------------------------------------------------------------------------


def test_data_file_has_every_bucket_for_every_manner_and_language():
    assert DATA["version"] == 1
    assert set(DATA["manners"]) == set(MANNERS)
    for manner in MANNERS:
        assert set(DATA["tension"]["start"]) >= {manner}
        for language in LANGUAGES:
            assert set(DATA["manners"][manner][language]) == set(SITUATIONS)
            for name in SITUATIONS:
                lines = bucket(manner, language, name)
                assert len(lines) >= 4, (manner, language, name)
                assert all(line.strip() and len(line) <= 200 for line in lines)
                assert len(set(lines)) == len(lines), (manner, language, name)
            assert DATA["manner_labels"][language][manner]
        assert DATA["prompt"][language]


def test_start_tension_follows_the_manner():
    assert [start_tension(m) for m in MANNERS] == [0, 2, 2, 3, 1]


def test_next_tension_raises_lowers_caps_and_clamps():
    assert next_tension(2, {"blame"}) == 3
    assert next_tension(1, {"blame", "contempt", "absolute", "you_statement"}) == 3  # max +2
    assert next_tension(4, {"i_statement", "request"}) == 2
    assert next_tension(2, {"blame", "i_statement"}) == 2
    assert next_tension(4, {"contempt"}) == 4
    assert next_tension(0, {"request"}) == 0
    assert next_tension(9, set()) == 4
    assert next_tension(-3, set()) == 0
    assert next_tension(2, {"hedge", "unknown"}) == 2


def test_offline_partner_is_deterministic_and_varies_by_turn():
    speaker = persona("dismissive")
    feats = features(BLAMING["en"], RULES, "en")
    first = [offline_reply(speaker, turn, feats, 2, DATA) for turn in range(1, 6)]
    again = [offline_reply(speaker, turn, feats, 2, DATA) for turn in range(1, 6)]
    assert first == again
    assert len({r.text for r in first}) == 5
    assert all(r.engine == "offline" and r.fallback == "" for r in first)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("manner", MANNERS)
def test_blaming_and_contempt_escalate(manner, language):
    speaker = persona(manner, language)
    start = start_tension(manner)
    for text in (BLAMING[language], CONTEMPT[language]):
        feats = features(text, RULES, language)
        answer = offline_reply(speaker, 1, feats, start, DATA)
        assert answer.tension > start
        assert answer.text in bucket(manner, language, "escalate")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("manner", MANNERS)
def test_i_statement_with_request_softens_or_agrees(manner, language):
    speaker = persona(manner, language)
    start = start_tension(manner)
    feats = features(CALM_REQUEST[language], RULES, language)
    assert {"i_statement", "request"} <= feats
    answer = offline_reply(speaker, 1, feats, start, DATA)
    assert answer.tension == max(0, start - 2)
    kind = "agree" if answer.tension == 0 else "soften"
    assert answer.text in bucket(manner, language, kind)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_turn_without_request_or_i_statement_is_unclear(language):
    feats = features(VAGUE[language], RULES, language)
    answer = offline_reply(persona("hostile", language), 2, feats, 3, DATA)
    assert answer.text in bucket("hostile", language, "unclear")
    assert answer.tension == 3


def test_situations():
    assert situation(4, {"blame"}) == "escalate"  # already at the top, still answers the blame
    assert situation(0, {"i_statement"}) == "soften"
    assert situation(1, {"request"}) == "agree"
    assert situation(3, {"request"}) == "soften"
    assert situation(2, {"hedge", "i_statement", "blame"}) == "unclear"
    assert situation(2, {"i_statement", "blame"}) == "neutral"
    assert situation(2, set()) == "unclear"


def test_persona_language_and_manner():
    assert persona(language="es-MX").language == "es"
    assert persona(language="fr").language == "en"
    with pytest.raises(ValueError):
        persona("furious")


@given(
    manner=st.sampled_from(MANNERS),
    language=st.sampled_from(("en", "es", "es-ar", "fr", "")),
    feats=st.sets(st.sampled_from(FEATURE_IDS)),
    tension=st.integers(min_value=-5, max_value=9),
    turn=st.integers(min_value=-3, max_value=10_000),
)
def test_offline_reply_always_answers_within_range(manner, language, feats, tension, turn):
    answer = offline_reply(persona(manner, language), turn, feats, tension, DATA)
    assert answer.text.strip()
    assert 0 <= answer.tension <= 4
    assert answer == offline_reply(persona(manner, language), turn, feats, tension, DATA)


# --- prompt and scrubbing -------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_system_prompt_names_role_manner_goal_and_opening(language):
    speaker = persona(
        "sad", language, role_label="tu madre", goal="Ask for help", opening="Can we talk?"
    )
    prompt = system_prompt(speaker, DATA)
    assert '"tu madre"' in prompt
    assert DATA["manner_labels"][language]["sad"] in prompt
    assert "Ask for help" in prompt and "Can we talk?" in prompt
    assert ("English" if language == "en" else "español") in prompt


def test_system_prompt_scrubs_goal_and_opening():
    speaker = persona(goal="Tell Tomás I need help", opening="Tomás, can we talk?")
    prompt = system_prompt(speaker, DATA, names=["Tomás"])
    assert "Tom" not in prompt
    assert prompt.count(NAME_PLACEHOLDER) == 2
    assert DATA["prompt_blank"]["en"] not in prompt
    assert DATA["prompt_blank"]["en"] in system_prompt(persona(), DATA)


def test_scrub_is_case_and_accent_insensitive_and_whole_word():
    assert scrub("ana, ANA and Ána said banana", ["Ana"], "X") == "X, X and X said banana"
    assert scrub("Tomas went to Tomás", ["Tomás"], "[name]") == "[name] went to [name]"
    assert scrub("Mari\u0301a is here", ["María"], "[name]") == "[name] is here"
    assert scrub("Ma\u200bría is here", ["Maria"], "[name]") == "[name] is here"


def test_scrub_multi_word_names():
    names = ["María José Pérez"]
    assert scrub("maria called", names, "[name]") == "[name] called"
    assert scrub("Jose and PEREZ", names, "[name]") == "[name] and [name]"
    assert scrub("I am María José Pérez.", names, "[name]") == "I am [name]."
    assert scrub("María-José  Pérez", names, "[name]") == "[name]"
    assert scrub("María José", names, "[name]") == "[name] [name]"
    assert scrub("Ana de la Cruz de Madrid", ["Ana de la Cruz"], "N") == "N de Madrid"
    assert scrub("Jean Pierre and jean-pierre", ["Jean-Pierre"], "N") == "N and N"


def test_scrub_leaves_other_words():
    text = "My partner never listens, and I feel alone."
    assert scrub(text, ["Tomás", "", "x", "  "], "[name]") == text
    assert scrub(text, [], "[name]") == text
    assert scrub("", ["Ana"], "[name]") == ""
    assert scrub("Ana", "Ana", "[name]") == "[name]"  # one name passed as a string


# --- model path -----------------------------------------------------------------------------

MODEL_TEXT = "Okay. I didn't know it felt like that for you."


class FakeModel:
    """State shared between a test and the fake server's handler."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.content: str | None = MODEL_TEXT
        self.bodies: list[bytes] = []
        self.headers: list[dict[str, str]] = []
        self.paths: list[str] = []
        self.url = ""


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        fake: FakeModel = self.server.fake  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        fake.bodies.append(body)
        fake.headers.append({k.lower(): v for k, v in self.headers.items()})
        fake.paths.append(self.path)
        # The client may have given up (the timeout test): then there is nothing left to say.
        with contextlib.suppress(OSError):
            self._answer(fake)

    def _answer(self, fake: FakeModel) -> None:
        if fake.mode == "slow":
            time.sleep(1.5)
        if fake.mode == "redirect":
            self.send_response(307)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            return self.end_headers()
        if fake.mode == "http_500":
            return self._send(500, b'{"error": "boom"}')
        if fake.mode == "malformed":
            return self._send(200, b'{"choices": [ not json')
        if fake.mode == "no_choices":
            return self._send(200, b'{"choices": []}')
        content = "   " if fake.mode == "empty" else fake.content
        payload = {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}
        return self._send(200, json.dumps(payload).encode())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def fake_model() -> Iterator[FakeModel]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False  # the slow handler must not hold up teardown
    fake = FakeModel()
    server.fake = fake  # type: ignore[attr-defined]
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def closed_url() -> str:
    return f"http://127.0.0.1:{closed_port()}/v1"


HISTORY = [
    ("client", "Can we talk about the weekend?"),
    ("partner", "Sure, what about it?"),
    ("client", "I feel lonely when we do not talk. Could we have dinner together on Sunday?"),
]


def local(url: str, model: str = "tiny", **fields: object) -> ModelConfig:
    """A config for the fake server on 127.0.0.1: on the allow-list, private addresses allowed.
    The timeout is generous so that a loaded CI machine does not turn an answer into a
    fallback; the timeout tests set their own short one."""
    values = {"timeout": 5.0, "allowed": (url,), "allow_private": True} | fields
    return ModelConfig(url, model, **values)


def ask(fake: FakeModel, **config: object) -> Reply:
    settings = {
        "endpoint": fake.url,
        "model": "tiny",
        "timeout": 5.0,  # generous, as in local(); the timeout test passes 0.5
        "allowed": (fake.url,),
        "allow_private": True,
    } | config
    feats = features(HISTORY[-1][1], RULES, "en")
    return reply(persona("defensive"), HISTORY, feats, 2, DATA, config=ModelConfig(**settings))


def test_model_reply_is_used_when_the_server_answers(fake_model):
    answer = ask(fake_model)
    assert answer == Reply(MODEL_TEXT, "model", 0, "")
    assert fake_model.paths == ["/v1/chat/completions"]
    sent = json.loads(fake_model.bodies[0])
    assert sent["model"] == "tiny"
    assert sent["max_tokens"] == 120 and sent["temperature"] == 0.7
    roles = [m["role"] for m in sent["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    assert sent["messages"][0]["content"] == system_prompt(persona("defensive"), DATA)
    assert [m["content"] for m in sent["messages"][1:]] == [text for _, text in HISTORY]
    assert "authorization" not in fake_model.headers[0]


def test_api_key_is_sent_as_bearer_token(fake_model):
    ask(fake_model, api_key="secret-key")
    assert fake_model.headers[0]["authorization"] == "Bearer secret-key"


def test_model_reply_strips_markup_and_thoughts_and_caps_length(fake_model):
    fake_model.content = "<think>They sound upset.</think>\n<b>Fine.</b> I   hear you."
    assert ask(fake_model).text == "Fine. I hear you."
    fake_model.content = "word " * 200
    text = ask(fake_model).text
    assert len(text) <= 400 and text.endswith("…")


def test_tension_comes_from_the_offline_rules_whichever_engine_speaks(fake_model):
    feats = features(BLAMING["en"], RULES, "en")
    config = local(fake_model.url)
    by_model = reply(persona("sad"), [("client", BLAMING["en"])], feats, 1, DATA, config=config)
    offline = reply(persona("sad"), [("client", BLAMING["en"])], feats, 1, DATA)
    assert by_model.engine == "model" and offline.engine == "offline"
    assert by_model.tension == offline.tension == 3


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("empty", "empty"),
        ("malformed", "malformed"),
        ("no_choices", "malformed"),
        ("http_500", "http_error"),
    ],
)
def test_model_failures_fall_back_to_the_offline_partner(fake_model, mode, reason):
    fake_model.mode = mode
    answer = ask(fake_model)
    expected = offline_reply(
        persona("defensive"), 2, features(HISTORY[-1][1], RULES, "en"), 2, DATA
    )
    assert answer == Reply(expected.text, "offline", expected.tension, reason)
    assert len(fake_model.bodies) == 1


def test_a_server_that_never_answers_times_out(fake_model):
    fake_model.mode = "slow"
    started = time.monotonic()
    answer = ask(fake_model, timeout=0.5)
    elapsed = time.monotonic() - started
    assert (answer.engine, answer.fallback) == ("offline", "timeout")
    assert elapsed < 1.0


def test_an_unreachable_server_falls_back():
    answer = reply(persona(), HISTORY, set(), 2, DATA, config=local(closed_url()))
    assert (answer.engine, answer.fallback) == ("offline", "unreachable")


@pytest.mark.parametrize(
    "endpoint", ["file:///etc/passwd", "ftp://127.0.0.1/v1", "127.0.0.1:8080", "http://", ""]
)
def test_only_http_urls_are_allowed(endpoint):
    config = ModelConfig(endpoint, "tiny", allowed=(endpoint,), allow_private=True)
    with pytest.raises(ModelError) as caught:
        model_reply(persona(), HISTORY, config, DATA)
    assert caught.value.reason == "not_allowed"
    assert caught.value.reason in FALLBACKS


def test_the_model_never_receives_a_name(fake_model):
    names = ["María José Pérez", "Tomás Herrera"]
    speaker = Persona(
        role_label="tu pareja",
        manner="hostile",
        goal="Que Tomás entienda que María José necesita ayuda",
        opening="Tomás, soy Maria, ¿podemos hablar?",
        language="es",
    )
    history = [
        ("client", "Hola TOMAS, soy maría josé pérez."),
        ("partner", "¿Qué quieres, Maria?"),
        ("client", "Herrera, me siento sola. ¿Podríamos hablar el domingo? Firmado: Perez"),
    ]
    config = local(fake_model.url, api_key="k")
    answer = reply(
        speaker, history, {"i_statement", "request"}, 3, DATA, config=config, names=names
    )
    assert answer.engine == "model"
    raw = fake_model.bodies[0]
    for text in (raw.decode("utf-8"), json.dumps(json.loads(raw), ensure_ascii=False)):
        for word in ("maria", "jose", "perez", "tomas", "herrera"):
            assert word not in fold(text), word
    sent = json.loads(raw)["messages"]
    assert sent[1]["content"] == "Hola [name], soy [name]."
    assert "[name]" in sent[0]["content"] and "tu pareja" in sent[0]["content"]


# --- where the model may be ----------------------------------------------------------------


def must_not_connect(monkeypatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("connected to an address that should have been refused")

    monkeypatch.setattr(outbound, "_connect", refuse)


def fake_dns(monkeypatch, answers: dict[str, list[str]]) -> list[str]:
    """Host names resolve to ``answers``, each later lookup to the next list; returns the log
    of names looked up. Literal addresses are parsed as usual."""
    real = socket.getaddrinfo
    looked_up: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        looked_up.append(host)
        found = answers[host][min(len(looked_up), len(answers[host])) - 1]
        family = socket.AF_INET6 if ":" in found else socket.AF_INET
        sockaddr = (found, port, 0, 0) if family == socket.AF_INET6 else (found, port)
        return [(family, socket.SOCK_STREAM, 6, "", sockaddr)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return looked_up


def test_an_endpoint_not_on_the_operators_list_is_never_called(fake_model):
    elsewhere = f"{fake_model.url}/other"
    answer = ask(fake_model, endpoint=elsewhere)
    assert (answer.engine, answer.fallback) == ("offline", "not_allowed")
    answer = ask(fake_model, allowed=())
    assert (answer.engine, answer.fallback) == ("offline", "not_allowed")
    assert fake_model.bodies == []
    # The same endpoint spelled differently is the same endpoint.
    respelled = fake_model.url.replace("http:", "HTTP:") + "/"
    assert ask(fake_model, endpoint=respelled).engine == "model"


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://169.254.169.254/latest",
        "http://10.0.0.7:8080/v1",
        "http://192.168.1.20/v1",
        "http://[::1]:8080/v1",
        "http://[::ffff:127.0.0.1]:8080/v1",
        "http://[::ffff:169.254.169.254]/v1",
        "http://0.0.0.0:8080/v1",
        "http://[fe80::1]/v1",
        "http://224.0.0.1/v1",
        "http://2852039166/v1",  # 169.254.169.254 written as one number
    ],
)
def test_private_and_link_local_addresses_are_refused_and_the_built_in_partner_answers(
    endpoint, monkeypatch
):
    must_not_connect(monkeypatch)
    config = ModelConfig(endpoint, "tiny", timeout=0.5, allowed=(endpoint,))
    answer = reply(persona(), HISTORY, set(), 2, DATA, config=config)
    expected = offline_reply(persona(), 2, set(), 2, DATA)
    assert answer == replace(expected, fallback="refused")


@pytest.mark.parametrize(
    "endpoint",
    ["http://169.254.169.254/v1", "http://[fe80::1]/v1", "http://0.0.0.0/v1", "http://[::]/v1"],
)
def test_link_local_and_unspecified_addresses_are_refused_even_when_private_is_allowed(
    endpoint, monkeypatch
):
    must_not_connect(monkeypatch)
    config = ModelConfig(endpoint, "tiny", timeout=0.5, allowed=(endpoint,), allow_private=True)
    assert reply(persona(), HISTORY, set(), 2, DATA, config=config).fallback == "refused"


def test_a_private_address_is_tried_when_the_operator_allows_private_networks(monkeypatch):
    def unreachable(*args: object) -> None:
        raise ConnectionRefusedError

    monkeypatch.setattr(outbound, "_connect", unreachable)
    endpoint = "http://10.0.0.7:8080/v1"
    config = ModelConfig(endpoint, "tiny", timeout=0.5, allowed=(endpoint,), allow_private=True)
    assert reply(persona(), HISTORY, set(), 2, DATA, config=config).fallback == "unreachable"


@pytest.mark.parametrize(
    "addresses",
    [["10.1.2.3"], ["169.254.169.254"], ["fd00::5"], ["::ffff:10.1.2.3"]],
)
def test_a_host_name_resolving_to_a_private_address_is_refused(addresses, monkeypatch):
    must_not_connect(monkeypatch)
    fake_dns(monkeypatch, {"llm.example.org": [addresses[0]]})
    endpoint = "https://llm.example.org/v1"
    config = ModelConfig(endpoint, "tiny", api_key="k", timeout=0.5, allowed=(endpoint,))
    answer = reply(persona(), HISTORY, set(), 2, DATA, config=config)
    assert (answer.engine, answer.fallback) == ("offline", "refused")


def test_every_address_of_a_host_name_is_checked(monkeypatch):
    must_not_connect(monkeypatch)
    real = socket.getaddrinfo

    def public_then_private(host, port, *args, **kwargs):
        if host != "llm.example.org":
            return real(host, port, *args, **kwargs)
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", public_then_private)
    endpoint = "https://llm.example.org/v1"
    config = ModelConfig(endpoint, "tiny", timeout=0.5, allowed=(endpoint,))
    assert reply(persona(), HISTORY, set(), 2, DATA, config=config).fallback == "refused"


def test_the_connection_goes_to_the_address_checked_not_to_a_second_lookup(fake_model, monkeypatch):
    # DNS rebinding: the first answer is checked, a second would point elsewhere.
    looked_up = fake_dns(monkeypatch, {"model.test": ["127.0.0.1", "10.9.9.9"]})
    port = fake_model.url.split(":")[2].split("/")[0]
    endpoint = f"http://model.test:{port}/v1"
    answer = ask(fake_model, endpoint=endpoint, allowed=(endpoint,))
    assert answer.engine == "model"
    assert looked_up == ["model.test"]
    assert fake_model.headers[0]["host"] == f"model.test:{port}"  # the name, not the address


def test_a_slow_host_name_lookup_counts_against_the_timeout(monkeypatch):
    real = socket.getaddrinfo

    def slow(host, *args, **kwargs):
        if host == "slow.example.org":
            time.sleep(2)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    endpoint = "https://slow.example.org/v1"
    config = ModelConfig(endpoint, "tiny", timeout=0.3, allowed=(endpoint,))
    started = time.monotonic()
    answer = reply(persona(), HISTORY, set(), 2, DATA, config=config)
    assert (answer.engine, answer.fallback) == ("offline", "timeout")
    assert time.monotonic() - started < 1


def test_a_redirect_is_not_followed(fake_model):
    fake_model.mode = "redirect"
    answer = ask(fake_model, api_key="secret-key")
    assert (answer.engine, answer.fallback) == ("offline", "http_error")
    assert len(fake_model.bodies) == 1


def test_the_api_key_is_not_in_the_configs_repr():
    assert "secret-key" not in repr(ModelConfig("https://x.example/v1", "m", api_key="secret-key"))


# --- what the model receives ---------------------------------------------------------------


def test_the_model_never_receives_identifiers_or_other_clients_names(fake_model):
    names = ["Li Wei", "Guadalupe Ortiz"]
    others = ["Fernanda Olmedo", "Rosa Vidal"]
    history = [
        (
            "client",
            "Lupe, soy Li. Llámame al +34 600 12 34 56 o escribe a li.wei@example.org. "
            "Vivo en Calle Mayor 5; nací el 3 de marzo de 1985. Vi a fernanda olmedo ayer.",
        ),
        ("partner", "¿Qué quieres?"),
        ("client", "Call (555) 123-4567, I live at 221B Baker Street, born 1985-03-03."),
    ]
    speaker = persona("defensive", "es", goal="Hablar con Lupe", opening="L\u00adi aquí")
    answer = reply(
        speaker, history, set(), 2, DATA, config=local(fake_model.url), names=names, others=others
    )
    assert answer.engine == "model"
    raw = fake_model.bodies[0].decode("utf-8")
    text = fold(json.dumps(json.loads(raw), ensure_ascii=False))
    for leak in ("lupe", "guadalupe", "wei", "fernanda", "olmedo", "li.wei@", "600 12", "555",
                 "baker", "mayor 5", "1985", "marzo"):  # fmt: skip
        assert leak not in text, leak
    sent = json.loads(raw)["messages"]
    assert sent[1]["content"] == (
        "[name], soy [name]. Llámame al [phone] o escribe a [email]. "
        "Vivo en [address]; nací el [date]. Vi a [name] ayer."
    )
    assert sent[3]["content"] == "Call [phone], I live at [address], born [date]."
