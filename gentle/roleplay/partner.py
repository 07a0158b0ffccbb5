"""The other person in a role play: answers each client turn as, say, "your partner" would.

Two engines can speak. The offline partner is deterministic and data-driven: it picks a line
from ``gentle/roleplay/data/partner.json`` by the partner's manner, the conversation's language
and the situation the client's turn creates (see ``situation``). The model partner asks an
OpenAI-compatible chat server (``POST {endpoint}/chat/completions``) and falls back to the
offline partner on any failure, saying why in ``Reply.fallback``. Either way, tension is
computed by the offline rules, so it never depends on what a model happens to say.

Privacy: the model never receives a name or an identifier. ``model_reply`` passes the goal,
the opening, the role label and every history message through ``gentle.roleplay.scrub`` with
the caller's ``names`` (everyone in the client's record) and ``others`` (the clinic's other
clients), replacing each name with ``NAME_PLACEHOLDER`` ("[name]") and e-mail addresses,
phone numbers, street addresses and dates with their own tokens. One placeholder for everyone
keeps the rule simple to audit; the model already knows whom it plays from the role label.

Where it goes: only to an endpoint on the operator's allow-list (``ModelConfig.allowed``, from
the environment), and only to a public address unless ``ModelConfig.allow_private``; the
lookup, the address check and the pinned connection are ``gentle.lib.outbound``'s.

Standard library only: no Django, no ``gentle`` app other than ``gentle.lib``.
"""

from __future__ import annotations

import functools
import http.client
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from gentle.lib import outbound
from gentle.roleplay.scrub import NAME, Scrubber

NAME_PLACEHOLDER = NAME
MANNERS = ("receptive", "defensive", "dismissive", "hostile", "sad")
LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"
SITUATIONS = ("escalate", "soften", "unclear", "agree", "neutral")
# Why the model did not answer: "not_allowed" (the endpoint is not on the operator's list) and
# "refused" (its host resolves to an address not allowed) mean nothing was sent.
FALLBACKS = ("timeout", "unreachable", "http_error", "empty", "malformed", "not_allowed", "refused")
DATA_FILE = Path(__file__).resolve().parent / "data" / "partner.json"

# Analyser feature ids (gentle.lib.statements) that decide the situation beyond tension.
REQUEST, I_STATEMENT, HEDGE = "request", "i_statement", "hedge"

MAX_REPLY_CHARS = 400  # a partner says a few sentences, not a letter
MAX_FIELD_CHARS = 500  # goal and opening as they go into the prompt
MAX_TURN_CHARS = 2000  # one history message as sent to the model
MAX_HISTORY = 24  # most recent messages sent: bounds the prompt in a long rehearsal
MAX_RESPONSE_BYTES = 1_000_000  # a chat completion of 120 tokens is a few kB
MIN_TIMEOUT = 0.1  # a zero socket timeout would mean non-blocking, not "fail at once"
MAX_TOKENS, TEMPERATURE = 120, 0.7

# Reasoning models may think aloud in <think> blocks: drop the thoughts, not just the tags.
_THINKING = re.compile(r"<think>.*?(?:</think>|\Z)", re.I | re.S)
_TAG = re.compile(r"</?[a-z][^<>]{0,500}>", re.I)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Persona:
    role_label: str  # how the other person is named to the engine/model; never a real name
    manner: str  # one of MANNERS
    goal: str  # what the client wants from the conversation (free text)
    opening: str  # the client's planned opening line (free text)
    language: str  # "en" or "es"; "es-mx" becomes "es", anything unknown "en"

    def __post_init__(self) -> None:
        if self.manner not in MANNERS:
            raise ValueError(f"unknown manner {self.manner!r}; expected one of {MANNERS}")
        object.__setattr__(self, "language", _language(self.language))


@dataclass(frozen=True)
class ModelConfig:
    endpoint: str  # base URL of an OpenAI-compatible server, e.g. "https://llm.example.org/v1"
    model: str
    api_key: str = field(default="", repr=False)  # "Authorization: Bearer ..." when non-empty
    timeout: float = 8.0  # seconds for the whole exchange, the host name lookup included
    allowed: tuple[str, ...] = ()  # the operator's allowed endpoints; none allowed if empty
    allow_private: bool = False  # may the host be on a loopback or private network


@dataclass(frozen=True)
class Reply:
    text: str
    engine: str  # "offline" or "model"
    tension: int  # 0 (calm) .. 4 (very heated), after this turn
    fallback: str = ""  # why the model was not used: "" or one of FALLBACKS


class ModelError(Exception):
    """The model could not give a usable reply; ``reason`` is one of FALLBACKS."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- data -----------------------------------------------------------------------------------


@functools.cache
def load_data() -> dict:
    """The bundled data file, read once. Treat it as read-only: it is shared."""
    return json.loads(DATA_FILE.read_text("utf-8"))


def _language(code: object) -> str:
    lang = code[:2].casefold() if isinstance(code, str) else ""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def _say(texts: Mapping[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get(DEFAULT_LANGUAGE) or ""


# --- tension --------------------------------------------------------------------------------


def start_tension(manner: str, data: dict | None = None) -> int:
    """The tension a conversation starts at with a partner of this manner."""
    rules = (data or load_data())["tension"]
    return _clamp(rules["start"].get(manner, 0), rules)


def next_tension(tension: int, features: Iterable[str], data: dict | None = None) -> int:
    """Tension after a client turn with these analyser features, clamped to the data's range."""
    rules = (data or load_data())["tension"]
    return _clamp(_clamp(tension, rules) + _delta(set(features), rules), rules)


def _delta(features: set[str], rules: Mapping) -> int:
    # Capped each way so one long tirade, or one model answer, cannot swing the whole scale.
    step = rules["max_step"]
    up = min(step, len(features & set(rules["raise"])))
    down = min(step, len(features & set(rules["lower"])))
    return up - down


def _clamp(tension: int, rules: Mapping) -> int:
    return max(rules.get("min", 0), min(rules.get("max", 4), int(tension)))


def situation(tension: int, features: Iterable[str], data: dict | None = None) -> str:
    """Which bucket of replies fits a client turn, given the tension before it.

    The change is judged before clamping: blaming at tension 4 still escalates, speaking
    from "I" at tension 0 still softens, so the reply answers what was said.
    """
    rules = (data or load_data())["tension"]
    feats = set(features)
    delta = _delta(feats, rules)
    if delta > 0:
        return "escalate"
    if _clamp(_clamp(tension, rules) + delta, rules) == rules.get("min", 0) and REQUEST in feats:
        return "agree"
    if delta < 0:
        return "soften"
    if HEDGE in feats or not feats & {REQUEST, I_STATEMENT}:
        return "unclear"
    return "neutral"


# --- offline partner ------------------------------------------------------------------------


def offline_reply(
    persona: Persona, turn_number: int, features: Iterable[str], tension: int, data: dict
) -> Reply:
    """A deterministic reply to the client's latest turn.

    ``tension`` is the tension before the turn; ``turn_number`` counts client turns (1 for
    the first) and picks the line within its bucket, so consecutive turns vary.
    """
    feats = set(features)
    lines = _bucket(data, persona, situation(tension, feats, data))
    return Reply(lines[turn_number % len(lines)], "offline", next_tension(tension, feats, data))


def _bucket(data: dict, persona: Persona, name: str) -> list[str]:
    # A gap in the data should cost variety, not the conversation: fall back step by step.
    by_language = data["manners"].get(persona.manner, {})
    for lang in dict.fromkeys((persona.language, DEFAULT_LANGUAGE)):
        for bucket in (name, "neutral"):
            lines = [line for line in by_language.get(lang, {}).get(bucket, []) if line.strip()]
            if lines:
                return lines
    raise ValueError(f"no offline replies for manner {persona.manner!r}")


# --- prompt and names -----------------------------------------------------------------------


def system_prompt(persona: Persona, data: dict, *, names: Iterable[str] | Scrubber = ()) -> str:
    """The model's instructions, from the data file's template in the persona's language.

    The role label, goal and opening are the only parts that come from people, so they are
    the parts scrubbed; the template and manner labels are ours.
    """
    lang = persona.language
    hide = names if isinstance(names, Scrubber) else Scrubber(names)
    blank = _say(data.get("prompt_blank", {}), lang)

    def quoted(text: str) -> str:
        # Double quotes would end the quoted field early in the template.
        return _compact(hide.scrub(text or ""), MAX_FIELD_CHARS).replace('"', "'")

    return _say(data["prompt"], lang).format(
        role=quoted(persona.role_label) or blank,
        manner=_say(data["manner_labels"].get(lang, {}), persona.manner)
        or _say(data["manner_labels"][DEFAULT_LANGUAGE], persona.manner),
        goal=quoted(persona.goal) or blank,
        opening=quoted(persona.opening) or blank,
    )


def _compact(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, cut at a word with an ellipsis if needed."""
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip() + "…"


# --- model partner --------------------------------------------------------------------------


def model_reply(
    persona: Persona,
    history: list[tuple[str, str]],
    config: ModelConfig,
    data: dict,
    *,
    names: Iterable[str] = (),
    others: Iterable[str] = (),
) -> str:
    """The model's reply to the latest client turn; raises ModelError(reason) on any failure."""
    url = _chat_url(config)
    payload = _payload(persona, history, config, data, Scrubber(names, others))
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return _content(_post(url, body, config))


def endpoint_allowed(endpoint: str, allowed: Iterable[str]) -> bool:
    """Is ``endpoint`` one of the ``allowed`` base URLs, however either is spelled?"""
    try:
        wanted = outbound.normalise_base_url(endpoint)
    except ValueError:
        return False
    for entry in allowed:
        try:
            if outbound.normalise_base_url(entry) == wanted:
                return True
        except ValueError:
            continue
    return False


def _chat_url(config: ModelConfig) -> str:
    # The list is the operator's: an administrator's setting alone sends nothing anywhere.
    if not endpoint_allowed(config.endpoint, config.allowed):
        raise ModelError("not_allowed")
    return f"{outbound.normalise_base_url(config.endpoint)}/chat/completions"


def _payload(
    persona: Persona,
    history: list[tuple[str, str]],
    config: ModelConfig,
    data: dict,
    hide: Scrubber,
) -> dict:
    recent = list(history[-MAX_HISTORY:])
    if len(history) > MAX_HISTORY:
        while recent and recent[0][0] == "partner":
            recent.pop(0)  # chat templates expect the user to speak first after the system
    messages = [{"role": "system", "content": system_prompt(persona, data, names=hide)}]
    for speaker, text in recent:
        role = "assistant" if speaker == "partner" else "user"
        content = hide.scrub((text or "")[:MAX_TURN_CHARS])
        messages.append({"role": role, "content": content})
    return {
        "model": config.model,
        "messages": messages,
        "max_tokens": MAX_TOKENS,
        "temperature": TEMPERATURE,
    }


def _post(url: str, body: bytes, config: ModelConfig) -> bytes:
    """The raw response body of a 2xx answer. The timeout bounds the whole exchange, the host
    name lookup included. No proxy (the conversation should not pass through whatever proxy
    the environment names) and no redirect (it could carry the conversation elsewhere)."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    try:
        status, raw = outbound.post(
            url,
            body,
            headers,
            timeout=max(config.timeout, MIN_TIMEOUT),
            allow_private=config.allow_private,
            max_bytes=MAX_RESPONSE_BYTES,
        )
    except outbound.Refused as error:
        raise ModelError("refused") from error
    except outbound.TooLarge as error:
        raise ModelError("malformed") from error
    except TimeoutError as error:  # before OSError: it is one
        raise ModelError("timeout") from error
    except (OSError, ValueError) as error:
        raise ModelError("unreachable") from error
    except http.client.HTTPException as error:
        raise ModelError("malformed") from error
    if not 200 <= status < 300:
        raise ModelError("http_error")  # a redirect too: it is not followed
    return raw


def _content(raw: bytes) -> str:
    """``choices[0].message.content``, without markup, on one line, at most 400 characters."""
    try:
        content = json.loads(raw.decode("utf-8"))["choices"][0]["message"]["content"]
    except (ValueError, LookupError, TypeError) as error:
        raise ModelError("malformed") from error
    if content is None:
        content = ""  # servers send null content for a reply that is all tool calls
    if not isinstance(content, str):
        raise ModelError("malformed")
    text = _compact(_TAG.sub(" ", _THINKING.sub(" ", content)), MAX_REPLY_CHARS)
    if not text:
        raise ModelError("empty")
    return text


# --- either engine --------------------------------------------------------------------------


def reply(
    persona: Persona,
    history: list[tuple[str, str]],
    features: Iterable[str],
    tension: int,
    data: dict,
    *,
    config: ModelConfig | None = None,
    names: Iterable[str] = (),
    others: Iterable[str] = (),
) -> Reply:
    """The partner's reply to the latest client turn in ``history``.

    ``features`` are the analyser's findings on that turn and ``tension`` the tension before
    it. With ``config``, the model speaks; if it fails, the offline partner does, with
    ``fallback`` saying why. The tension after the turn is the offline rules' either way.
    """
    turn_number = max(1, sum(1 for speaker, _ in history if speaker == "client"))
    offline = offline_reply(persona, turn_number, features, tension, data)
    if config is None:
        return offline
    try:
        text = model_reply(persona, history, config, data, names=names, others=others)
    except ModelError as error:
        return replace(offline, fallback=error.reason)
    return Reply(text, "model", offline.tension)
