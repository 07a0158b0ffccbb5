"""The other person in a role play: answers each client turn as, say, "your partner" would.

Two engines can speak. The offline partner is deterministic and data-driven: it picks a line
from ``gentle/roleplay/data/partner.json`` by the partner's manner, the conversation's language
and the situation the client's turn creates (see ``situation``). The model partner asks an
OpenAI-compatible chat server (``POST {endpoint}/chat/completions``) and falls back to the
offline partner on any failure, saying why in ``Reply.fallback``. Either way, tension is
computed by the offline rules, so it never depends on what a model happens to say.

Privacy: the model never receives a name. ``model_reply`` passes the goal, the opening, the
role label and every history message through ``scrub`` with the caller's ``names`` (the
client's name, the other person's name, anyone else worth hiding), replacing each with
``NAME_PLACEHOLDER`` ("[name]"). One placeholder for everyone keeps the rule simple to audit;
the model already knows whom it plays from the role label.

Standard library only: no Django, no ``gentle`` app other than ``gentle.lib``.
"""

from __future__ import annotations

import functools
import http.client
import json
import re
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

MANNERS = ("receptive", "defensive", "dismissive", "hostile", "sad")
LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"
SITUATIONS = ("escalate", "soften", "unclear", "agree", "neutral")
FALLBACKS = ("timeout", "unreachable", "http_error", "empty", "malformed")
NAME_PLACEHOLDER = "[name]"
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
_NON_WORD = re.compile(r"[\W_]+")


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
    endpoint: str  # base URL of an OpenAI-compatible server, e.g. "http://127.0.0.1:8080/v1"
    model: str
    api_key: str = ""  # sent as "Authorization: Bearer ..." when non-empty
    timeout: float = 8.0  # seconds for the whole exchange


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


def system_prompt(persona: Persona, data: dict, *, names: Iterable[str] = ()) -> str:
    """The model's instructions, from the data file's template in the persona's language.

    The role label, goal and opening are the only parts that come from people, so they are
    the parts passed through ``scrub``; the template and manner labels are ours.
    """
    lang, hidden = persona.language, tuple(names)
    blank = _say(data.get("prompt_blank", {}), lang)

    def field(text: str) -> str:
        # Double quotes would end the quoted field early in the template.
        return _compact(scrub(text or "", hidden, NAME_PLACEHOLDER), MAX_FIELD_CHARS).replace(
            '"', "'"
        )

    return _say(data["prompt"], lang).format(
        role=field(persona.role_label) or blank,
        manner=_say(data["manner_labels"].get(lang, {}), persona.manner)
        or _say(data["manner_labels"][DEFAULT_LANGUAGE], persona.manner),
        goal=field(persona.goal) or blank,
        opening=field(persona.opening) or blank,
    )


def _compact(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, cut at a word with an ellipsis if needed."""
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip() + "…"


def scrub(text: str, names: Iterable[str], placeholder: str) -> str:
    """``text`` with every name in ``names`` replaced by ``placeholder``.

    Matching ignores case and accents and takes whole words only ("Ana" is hidden, "banana"
    is not). A name of several words is matched whole (whatever spaces or hyphens separate
    the words) and also word by word for each word of 3 letters or more, so "María José
    Pérez" hides "maria", "Jose" and "Perez" typed alone, but not "de" in "Ana de la Cruz".
    """
    if isinstance(names, str):
        names = (names,)  # one name, not a sequence of one-letter names
    pattern = _name_pattern(tuple(n for n in names if isinstance(n, str)))
    if pattern is None or not text:
        return text
    folded, origin = _fold(text)
    pieces, last = [], 0
    for match in pattern.finditer(folded):
        start, end = max(origin[match.start()], last), origin[match.end() - 1] + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1  # an accent typed as a separate mark belongs to the name
        pieces += [text[last:start], placeholder]
        last = end
    return "".join(pieces) + text[last:]


@functools.lru_cache(maxsize=256)
def _name_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    words: set[str] = set()
    for name in names:
        parts = [p for p in _NON_WORD.split(_fold(name)[0]) if p]
        # One-letter "names" are initials: hiding every "a" or "i" would wreck the text.
        if sum(len(p) for p in parts) >= 2:
            words.add(r"[\W_]+".join(map(re.escape, parts)))
        if len(parts) > 1:
            words.update(re.escape(p) for p in parts if len(p) >= 3)
    if not words:
        return None
    # Longest first, so a full name becomes one placeholder rather than one per word.
    alternatives = "|".join(sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _fold(text: str) -> tuple[str, list[int]]:
    """Case-folded, accent-free ``text`` and, for each of its characters, the typed index."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        chars.append(folded)
        origin += [index] * len(folded)
    return "".join(chars), origin


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if unicodedata.category(char) == "Cf":
        return ""  # zero-width marks must not split "Ma\u200bria" into two words
    decomposed = unicodedata.normalize("NFD", char.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# --- model partner --------------------------------------------------------------------------


def model_reply(
    persona: Persona,
    history: list[tuple[str, str]],
    config: ModelConfig,
    data: dict,
    *,
    names: Iterable[str] = (),
) -> str:
    """The model's reply to the latest client turn; raises ModelError(reason) on any failure."""
    url = _chat_url(config.endpoint)
    payload = _payload(persona, history, config, data, tuple(names))
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return _content(_post(url, body, config))


def _chat_url(endpoint: str) -> str:
    # Only http(s): urllib would also open file:// and ftp:// URLs.
    base = (endpoint or "").strip().rstrip("/")
    try:
        parts = urllib.parse.urlsplit(base)
        host = parts.hostname
    except ValueError as error:
        raise ModelError("unreachable") from error
    if parts.scheme not in ("http", "https") or not host:
        raise ModelError("unreachable")
    return f"{base}/chat/completions"


def _payload(
    persona: Persona,
    history: list[tuple[str, str]],
    config: ModelConfig,
    data: dict,
    names: tuple[str, ...],
) -> dict:
    recent = list(history[-MAX_HISTORY:])
    if len(history) > MAX_HISTORY:
        while recent and recent[0][0] == "partner":
            recent.pop(0)  # chat templates expect the user to speak first after the system
    messages = [{"role": "system", "content": system_prompt(persona, data, names=names)}]
    for speaker, text in recent:
        role = "assistant" if speaker == "partner" else "user"
        content = scrub((text or "")[:MAX_TURN_CHARS], names, NAME_PLACEHOLDER)
        messages.append({"role": role, "content": content})
    return {
        "model": config.model,
        "messages": messages,
        "max_tokens": MAX_TOKENS,
        "temperature": TEMPERATURE,
    }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: it could carry the conversation somewhere not configured."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _post(url: str, body: bytes, config: ModelConfig) -> bytes:
    """The raw response body; the socket timeout bounds connecting and each wait for data,
    and a deadline bounds the whole read so a server that trickles bytes fails too.

    No proxy: the model server is meant to be on this host or a private network, and the
    conversation should not pass through whatever proxy the environment names. Host name
    lookups are not covered by the socket timeout; prefer an IP address or a local name.
    """
    timeout = max(config.timeout, MIN_TIMEOUT)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    # The scheme was checked in _chat_url.
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    try:
        with opener.open(request, timeout=timeout) as response:
            return _read(response, time.monotonic() + timeout)
    except urllib.error.HTTPError as error:  # before URLError: it is one
        error.close()
        raise ModelError("http_error") from error
    except urllib.error.URLError as error:
        reason = "timeout" if isinstance(error.reason, TimeoutError) else "unreachable"
        raise ModelError(reason) from error
    except TimeoutError as error:
        raise ModelError("timeout") from error
    except OSError as error:
        raise ModelError("unreachable") from error
    except http.client.HTTPException as error:
        raise ModelError("malformed") from error


def _read(response: http.client.HTTPResponse, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read1(65536):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise ModelError("malformed")
        if time.monotonic() > deadline:
            raise TimeoutError
        chunks.append(chunk)
    return b"".join(chunks)


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
        text = model_reply(persona, history, config, data, names=names)
    except ModelError as error:
        return replace(offline, fallback=error.reason)
    return Reply(text, "model", offline.tension)
