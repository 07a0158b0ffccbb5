"""Statement feedback: transparent notes on a sentence someone means to say to another person.

The rules (regular expressions with their wording and gentle suggestions, in English and
Spanish) are data owned by the caller, usually ``gentle/communication/data/statements.json``;
this module only applies them. It is not language understanding and makes no judgement of the
person: every finding names the words that triggered it and the rule behind it, so a reader can
always see why it was shown and disagree with it.

Matching reads a folded copy of the text (case-folded, accents removed so composed and
decomposed forms read alike, curly apostrophes made straight, markup and runs of whitespace
made single spaces) and maps each match back to the span the person typed. Standard library
only: no Django, no ``gentle`` app.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MAX_CHARS = 2000  # longer text is cut: the feedback is about one thing to say, not a letter
DEFAULT_LANGUAGE = "en"
REQUEST = "request"
STRENGTH, WATCH, MISSING = "strength", "watch", "missing"

# Tags and character entities hide nothing a person says, but would split words apart.
_MARKUP = re.compile(r"</?[a-z][^<>]{0,200}>|&(?:[a-z]{2,10}|#[0-9]{1,7}|#x[0-9a-f]{1,6});", re.I)
_APOSTROPHES = frozenset("\u2018\u2019\u02bc\u0060\u00b4\u2032")  # ‘ ’ ʼ ` ´ ′


@dataclass(frozen=True)
class Finding:
    feature: str  # a feature id from the rules, e.g. "i_statement"
    matches: tuple[str, ...]  # the spans of the input that triggered it, as typed
    rule: str  # the rule behind it, in the requested language
    suggestion: str  # a gentle suggestion in the requested language ("" if none)
    kind: str  # "strength", "watch", or "missing" (no request found)


@dataclass(frozen=True)
class _Feature:
    id: str
    kind: str
    rule: Mapping[str, str]
    suggestion: Mapping[str, str]
    patterns: Mapping[str, tuple[re.Pattern[str], ...]]
    unless: Mapping[str, tuple[re.Pattern[str], ...]]


@dataclass(frozen=True)
class _Rules:
    features: tuple[_Feature, ...]
    missing_rule: Mapping[str, str]
    missing_suggestion: Mapping[str, str]
    languages: frozenset[str]


@dataclass(frozen=True)
class _Folded:
    text: str  # what the patterns read
    origin: tuple[int, ...]  # origin[i]: index in the typed text of folded character i


def analyse(text: str, rules: dict, language: str) -> list[Finding]:
    """Findings for ``text`` in rule order; a "missing" request finding comes last."""
    if not isinstance(text, str):
        return []
    typed = text[:MAX_CHARS]
    folded = _fold(typed)
    if not folded.text.strip():
        return []
    compiled = _compiled(rules)
    lang = _language(language, compiled.languages)
    findings = [f for feature in compiled.features if (f := _find(feature, typed, folded, lang))]
    if not any(f.feature == REQUEST for f in findings) and compiled.missing_rule:
        rule, tip = _say(compiled.missing_rule, lang), _say(compiled.missing_suggestion, lang)
        findings.append(Finding(REQUEST, (), rule, tip, MISSING))
    return findings


def features(text: str, rules: dict, language: str) -> set[str]:
    """The ids of the features found in ``text`` (a missing request is not a feature)."""
    return {f.feature for f in analyse(text, rules, language) if f.kind != MISSING}


def _find(feature: _Feature, typed: str, folded: _Folded, lang: str) -> Finding | None:
    spans = _spans(feature.patterns.get(lang, ()), folded.text)
    if not spans:
        return None
    blocked = _spans(feature.unless.get(lang, ()), folded.text)
    kept = [s for s in spans if not any(_overlap(s, b) for b in blocked)]
    if not kept:
        return None
    matches = tuple(dict.fromkeys(_typed_span(typed, folded, s) for s in _merge(kept)))
    rule, tip = _say(feature.rule, lang), _say(feature.suggestion, lang)
    return Finding(feature.id, matches, rule, tip, feature.kind)


def _spans(patterns: Iterable[re.Pattern[str]], text: str) -> list[tuple[int, int]]:
    return [m.span() for p in patterns for m in p.finditer(text) if m.end() > m.start()]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping matches of one feature become one span, so each phrase is shown once."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _typed_span(typed: str, folded: _Folded, span: tuple[int, int]) -> str:
    start, end = folded.origin[span[0]], folded.origin[span[1] - 1] + 1
    while end < len(typed) and unicodedata.combining(typed[end]):
        end += 1  # keep an accent typed as a separate mark with its letter
    return typed[start:end]


def _fold(typed: str) -> _Folded:
    hidden = {i for m in _MARKUP.finditer(typed) for i in range(*m.span())}
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(typed):
        for piece in " " if index in hidden else _fold_char(char):
            if piece == " " and (not chars or chars[-1] == " "):
                continue  # one space between words, whatever was typed
            chars.append(piece)
            origin.append(index)
    return _Folded("".join(chars), tuple(origin))


@functools.lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    if char in _APOSTROPHES:
        return "'"
    category = unicodedata.category(char)
    if char.isspace() or category == "Cc":
        return " "
    if category == "Cf":
        return ""  # zero-width and direction marks are invisible: "al\u200bways" is "always"
    return _strip_accents(char.casefold())


def _strip_accents(text: str) -> str:
    """ "jamás" and "jamas" read the same: people type Spanish without accents on many phones."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare)


def _language(language: str, known: frozenset[str]) -> str:
    code = language[:2].casefold() if isinstance(language, str) else ""
    return code if code in known else DEFAULT_LANGUAGE


def _say(texts: Mapping[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get(DEFAULT_LANGUAGE) or ""


# Compiled rules by id(rules); the dict itself is kept alongside so its id cannot be reused by
# another object while cached. Rules are treated as read-only once used.
_CACHE: dict[int, tuple[dict, _Rules]] = {}
_CACHE_SIZE = 8


def _compiled(rules: dict) -> _Rules:
    hit = _CACHE.get(id(rules))
    if hit is not None and hit[0] is rules:
        return hit[1]
    compiled = _compile(rules)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[id(rules)] = (rules, compiled)
    return compiled


def _compile(rules: dict) -> _Rules:
    feats = tuple(_compile_feature(fid, spec) for fid, spec in rules.get("features", {}).items())
    missing = rules.get("missing_request", {})
    languages = frozenset(lang for f in feats for lang in f.patterns)
    return _Rules(feats, missing.get("rule", {}), missing.get("suggestion", {}), languages)


def _compile_feature(fid: str, spec: dict[str, Any]) -> _Feature:
    return _Feature(
        id=fid,
        kind=spec.get("kind", WATCH),
        rule=spec.get("rule", {}),
        suggestion=spec.get("suggestion", {}),
        patterns=_compile_patterns(spec.get("patterns", {})),
        unless=_compile_patterns(spec.get("unless", {})),
    )


def _compile_patterns(by_language: dict[str, list[str]]) -> dict[str, tuple[re.Pattern[str], ...]]:
    # Patterns are written in lower case, with or without accents, and a plain space between
    # words; the word boundaries are added here so the data file stays readable.
    return {
        lang: tuple(re.compile(rf"\b(?:{_strip_accents(p)})\b", re.I) for p in patterns)
        for lang, patterns in by_language.items()
    }
