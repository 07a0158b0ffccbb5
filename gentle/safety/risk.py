"""One deterministic risk scanner for a client's free text, in English and Spanish.

``scan(text, language=None)`` reads text the way a careful colleague skims it for risk: it folds
case, accents and spelling noise, cuts the text into sentences and clauses, hides everyday idioms
("this traffic is killing me", "me muero de ganas"), and applies the word rules of
``data/risk_<language>.json``. Each rule match is then judged inside its clause:

- negated ("I don't want to die", "no quiero morir") it counts for nothing;
- said of someone else ("my brother killed himself", "a friend says they want to die"), asked
  about, quoted, or told as a past event ("years ago I tried to kill myself") it is a
  ``mention``;
- otherwise it is ``self``: the writer's own thoughts, plans, preparations or self-harm now.

Pure Python, no database, no network: the same text and data always give the same result. It
supplements clinical judgement and never replaces it; what it does, how well, and what it misses
are in docs/risk-scanner.md.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, cast

try:  # to find the words each rule cannot match without (a speed-up only; see _anchors)
    from re import _constants as _sre_constants  # type: ignore[attr-defined]  # private, no stub
    from re import _parser as _sre_parser  # type: ignore[attr-defined]  # private, no stub
except ImportError:  # pragma: no cover - a future Python without them just runs every rule
    _sre_constants = _sre_parser = None

DATA = Path(__file__).resolve().parent / "data"
LANGUAGES = ("en", "es")
LEVELS = ("none", "mention", "self")
RANK = {level: rank for rank, level in enumerate(LEVELS)}
PERSONS = ("first", "any", "explicit")
CATEGORIES = (
    "active",
    "passive",
    "burden",
    "hopeless",
    "method",
    "plan",
    "preparation",
    "attempt",
    "self_harm",
    "topic",
    "other_person",
)
# A past event told as history is still worth a clinician's glance: it becomes a mention under
# one of these ids (followed by the rule that matched), never nothing.
HISTORY_ID = {"attempt": "history.self_attempt", "self_harm": "history.self_harm"}
HISTORY_DEFAULT = "history.ideation"

MAX_MATCHES = 50  # matches reported; the level always reflects the whole text
EXCERPT_CHARS = 120
CHUNK_CHARS = 400  # a clause longer than this is read in overlapping windows
CHUNK_OVERLAP = 100
MASK = "#"

_DROP = frozenset(
    "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"  # soft hyphen, zero-width characters
    "'\u2018\u2019\u201b\u02bc`\u00b4\u2032"  # apostrophes: "don't" and "dont" read alike
)
_QUOTES = frozenset('"\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033')
_STOPS = frozenset(".!?;\u2026\n\r\u2028\u2029\u3002\uff01\uff1f")
_COMMAS = frozenset(",:\uff0c\u3001")
_TOKEN = re.compile(r"\w+")
_TOKEN_OR_COMMA = re.compile(r"\w+|,")
_SENTENCE = re.compile(r"[^.]+")
_UPPER_ESCAPE = re.compile(r"\\[A-Z]")
_MACRO = re.compile(r"<([a-z_]+)>")
_BUILTIN_MACROS = {
    "w": r"\w+",
    # the end of the clause, or a comma: "no puedo más", "no puedo más, ..."
    "end": r'(?=[ "]*(?:$|,))',
}


class RiskDataError(ValueError):
    """A risk data file is malformed; the message names the file and the part."""


@dataclass(frozen=True)
class RiskResult:
    """What ``scan`` found: the level, the matches as (rule id, excerpt of the text) in text
    order, and the version of the data files that judged it."""

    level: str
    matches: tuple[tuple[str, str], ...]
    version: str


@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    category: str
    person: str
    regex: re.Pattern
    examples: tuple[str, ...]
    anchors: frozenset[str] | None  # one of these is in every text the rule matches


@dataclass(frozen=True)
class Idiom:
    id: str
    regex: re.Pattern
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Language:
    code: str
    version: int
    clause_split: re.Pattern
    idioms: tuple[Idiom, ...]
    idiom_regex: re.Pattern | None
    rules: tuple[Rule, ...]
    negators: frozenset[str]
    negation_window: int
    negation_exceptions: re.Pattern | None
    negation_prefix: re.Pattern | None
    subjects: frozenset[str]
    barriers: frozenset[str]
    first_person: frozenset[str]
    other_person: frozenset[str]
    lead_words: frozenset[str]
    history: re.Pattern | None
    recent: re.Pattern | None
    recurrence: re.Pattern | None
    hypothetical: re.Pattern | None
    reported: re.Pattern | None


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    level: str
    rule_id: str


# -- folding -----------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    if ch in _DROP:
        return ""
    if ch in _QUOTES:
        return '"'
    if ch in _STOPS:
        return "."
    if ch in _COMMAS:
        return ","
    out = []
    for part in unicodedata.normalize("NFKD", ch.casefold()):
        if unicodedata.combining(part):
            continue
        out.append(part if part.isalnum() and part != "_" else " ")
    return "".join(out)


def normalize(text: str) -> tuple[str, list[int]]:
    """Text folded for matching, and for each of its characters the index it came from.

    Lower case, accents and soft hyphens/zero-width characters dropped, apostrophes removed
    ("don't" reads "dont"), other punctuation reduced to sentence stops, commas and quotes, and
    any run of one letter squeezed to one ("dieeee" reads "die"; patterns are squeezed alike).
    """
    out: list[str] = []
    where: list[int] = []
    last = " "
    for index, ch in enumerate(text):
        for c in _fold_char(ch):
            if c == " ":
                if last == " ":
                    continue
            elif c == last and c.isalpha():
                continue
            out.append(c)
            where.append(index)
            last = c
    return "".join(out), where


def _squeeze(text: str) -> str:
    return re.sub(r"([^\W\d_])\1+", r"\1", text)


def _fold_pattern(source: str) -> str:
    decomposed = unicodedata.normalize("NFKD", source.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _squeeze("".join(c for c in plain if c not in _DROP))


def _fold_word(word: str) -> str:
    return normalize(word)[0].strip()


# -- loading -----------------------------------------------------------------------------------


def _expand(source: str, lexicon: dict[str, str], where: str, depth: int = 0) -> str:
    if depth > 5:
        raise RiskDataError(f"{where}: macros nest too deeply")

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name in _BUILTIN_MACROS:
            return "(?:" + _BUILTIN_MACROS[name] + ")"
        if name not in lexicon:
            raise RiskDataError(f"{where}: unknown macro <{name}>")
        return "(?:" + _expand(lexicon[name], lexicon, where, depth + 1) + ")"

    return _MACRO.sub(replace, source)


def _regex(
    sources: str | list[Any] | None, lexicon: dict[str, str], where: str, *, tail: str = ""
) -> re.Pattern | None:
    if isinstance(sources, str):
        sources = [sources]
    if not sources:
        return None
    parts = []
    for source in sources:
        if not isinstance(source, str) or not source.strip():
            raise RiskDataError(f"{where}: a pattern must be a non-empty string")
        if _UPPER_ESCAPE.search(source):
            raise RiskDataError(f"{where}: write patterns in lower case (found {source!r})")
        parts.append(_fold_pattern(_expand(source, lexicon, where)))
    try:
        return re.compile(r"(?<![\w#])(?:" + "|".join(parts) + r")(?![\w#])" + tail)
    except re.error as exc:
        raise RiskDataError(f"{where}: {exc}") from None


def _selectivity(anchors: frozenset[str]) -> tuple[int, int]:
    # the shortest anchor decides how often a rule runs for nothing; then fewer is better
    return min(len(a.strip()) for a in anchors), -len(anchors)


def _required(items: Iterable[tuple[Any, Any]]) -> frozenset[str] | None:
    """Strings one of which every match of this parsed pattern contains, or None."""
    best: frozenset[str] | None = None

    def consider(candidate: frozenset[str] | None) -> None:
        nonlocal best
        if not candidate:
            return
        if best is None or _selectivity(candidate) > _selectivity(best):
            best = candidate

    c = _sre_constants
    run = ""
    for op, av in items:
        if op is c.LITERAL:
            run += chr(av)
            continue
        if len(run.strip()) >= 2:
            consider(frozenset([run]))
        run = ""
        if op is c.SUBPATTERN:
            consider(_required(av[-1]))
        elif op is c.BRANCH:
            parts = [_required(alternative) for alternative in av[1]]
            if all(parts):
                consider(frozenset().union(*cast("list[frozenset[str]]", parts)))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
            consider(_required(av[2]))
    if len(run.strip()) >= 2:
        consider(frozenset([run]))
    return best


def _anchors(regex: re.Pattern) -> frozenset[str] | None:
    """A rule runs only on clauses holding one of its anchors, found from the pattern itself so
    that no list of trigger words has to be kept in step with the rules by hand."""
    if _sre_parser is None:
        return None
    try:
        return _required(_sre_parser.parse(regex.pattern))
    except Exception:  # noqa: BLE001 - an unparsable pattern is only slower, never wrong
        return None


def _words(values: object, where: str) -> frozenset[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise RiskDataError(f"{where}: expected a list of words")
    return frozenset(_fold_word(v) for v in values)


def _examples(entry: dict, where: str) -> tuple[str, ...]:
    examples = entry.get("examples", [])
    if (
        not isinstance(examples, list)
        or not examples
        or not all(isinstance(e, str) for e in examples)
    ):
        raise RiskDataError(f"{where}: give at least one example sentence")
    return tuple(examples)


def parse(data: dict, name: str = "risk data") -> Language:
    """Validate and compile one language's risk data; raise RiskDataError naming the part."""
    try:
        code = data["language"]
        version = data["version"]
        lexicon = data.get("lexicon", {})
        context = data["context"]
        rules_data = data["rules"]
    except (KeyError, TypeError) as exc:
        raise RiskDataError(f"{name}: missing {exc}") from None
    if not isinstance(version, int) or not str(data.get("source", "")).strip():
        raise RiskDataError(f"{name}: needs an integer version and a source text")
    for part in (rules_data, data.get("idioms", [])):
        if not isinstance(part, list) or not all(isinstance(entry, dict) for entry in part):
            raise RiskDataError(f"{name}: rules and idioms are lists of objects")
    if not isinstance(lexicon, dict) or not isinstance(context, dict):
        raise RiskDataError(f"{name}: lexicon and context are objects")
    seen: set[str] = set()
    rules = []
    for entry in rules_data:
        rule_id = entry.get("id", "")
        where = f"{name} rule {rule_id or '?'}"
        if not rule_id or rule_id in seen:
            raise RiskDataError(f"{where}: every rule needs its own id")
        seen.add(rule_id)
        level = entry.get("level")
        person = entry.get("person", "any")
        category = entry.get("category")
        if level not in ("self", "mention"):
            raise RiskDataError(f"{where}: level must be 'self' or 'mention'")
        if person not in PERSONS:
            raise RiskDataError(f"{where}: person must be one of {', '.join(PERSONS)}")
        if category not in CATEGORIES:
            raise RiskDataError(f"{where}: category must be one of {', '.join(CATEGORIES)}")
        regex = _regex(entry.get("patterns"), lexicon, where)
        if regex is None:
            raise RiskDataError(f"{where}: needs patterns")
        rules.append(
            Rule(rule_id, level, category, person, regex, _examples(entry, where), _anchors(regex))
        )
    idioms = []
    for entry in data.get("idioms", []):
        idiom_id = entry.get("id", "")
        where = f"{name} idiom {idiom_id or '?'}"
        if not idiom_id or idiom_id in seen:
            raise RiskDataError(f"{where}: every idiom needs its own id")
        seen.add(idiom_id)
        regex = _regex(entry.get("patterns"), lexicon, where)
        if regex is None:
            raise RiskDataError(f"{where}: needs patterns")
        idioms.append(Idiom(idiom_id, regex, _examples(entry, where)))
    idiom_regex = re.compile("|".join(f"(?:{i.regex.pattern})" for i in idioms)) if idioms else None

    def ctx(key: str, *, tail: str = "") -> re.Pattern | None:
        return _regex(context.get(key, []), lexicon, f"{name} context {key}", tail=tail)

    window = context.get("negation_window", 4)
    if not isinstance(window, int) or not 1 <= window <= 8:
        raise RiskDataError(f"{name} context negation_window: a whole number from 1 to 8")
    clause_split = ctx("clause_split")
    if clause_split is None:
        raise RiskDataError(f"{name} context: needs clause_split")
    return Language(
        code=code,
        version=version,
        clause_split=clause_split,
        idioms=tuple(idioms),
        idiom_regex=idiom_regex,
        rules=tuple(rules),
        negators=_words(context.get("negators", []), f"{name} context negators"),
        negation_window=window,
        negation_exceptions=ctx("negation_exceptions"),
        negation_prefix=ctx("negation_prefixes", tail=r'[ "]*$'),
        subjects=_words(context.get("subjects", []), f"{name} context subjects"),
        barriers=_words(context.get("barriers", []), f"{name} context barriers"),
        first_person=_words(context.get("first_person", []), f"{name} context first_person"),
        other_person=_words(context.get("other_person", []), f"{name} context other_person"),
        lead_words=_words(context.get("lead_words", []), f"{name} context lead_words"),
        history=ctx("history"),
        recent=ctx("recent"),
        recurrence=ctx("recurrence"),
        hypothetical=ctx("hypothetical"),
        # right after "she said", or anywhere inside the quotation that follows it
        reported=ctx("reported_speech", tail=r'[ ,]*(?:"[^"]*)?$'),
    )


@cache
def load(code: str) -> Language:
    """One language's compiled rules (read and validated once per process)."""
    path = DATA / f"risk_{code}.json"
    return parse(json.loads(path.read_text(encoding="utf-8")), path.name)


def languages_for(language: str | None) -> tuple[str, ...]:
    """The rule sets to apply: the one asked for, or every one when none (or an unknown one)
    is given, because people switch languages when distressed."""
    if language:
        code = re.split(r"[-_]", language.strip().lower())[0]
        if code in LANGUAGES:
            return (code,)
    return LANGUAGES


# -- judging one match ---------------------------------------------------------------------------


def _negated(lang: Language, prefix: str, matched: str) -> bool:
    if lang.negation_exceptions is not None:
        prefix = lang.negation_exceptions.sub(" ", prefix)
    if lang.negation_prefix is not None and lang.negation_prefix.search(prefix):
        return True
    first = _TOKEN.match(matched)
    if first is not None and first.group() in lang.subjects:
        return False  # a fresh subject starts a new statement: "I don't know why I want to die"
    words = reversed(_TOKEN_OR_COMMA.findall(prefix))
    for counted, word in enumerate(words, start=1):
        if word in lang.barriers or word == ",":
            return False
        if word in lang.negators:
            return True
        if counted >= lang.negation_window:
            return False
    return False


def _person(lang: Language, rule: Rule, prefix: str, matched: str) -> str:
    """'first', 'other' (someone else is the subject) or 'general' (no one in particular)."""
    if rule.person == "first" or any(t in lang.first_person for t in _TOKEN.findall(matched)):
        return "first"
    tokens = _TOKEN.findall(prefix)
    for token in reversed(tokens):
        if token in lang.first_person:
            return "first"
        if token in lang.other_person:
            return "other"
    if rule.person == "explicit" and not all(t in lang.lead_words for t in tokens):
        return "general"
    return "first"  # a diary line often drops the "I": "Want to die."


def _judge(
    lang: Language, rule: Rule, clause: str, sentence: str, start: int, end: int
) -> tuple[str, str]:
    if rule.level == "mention":
        return "mention", rule.id
    prefix = clause[:start]
    if lang.reported is not None and lang.reported.search(prefix):
        return "mention", f"reported:{rule.id}"
    if lang.hypothetical is not None and lang.hypothetical.search(prefix):
        return "mention", f"hypothetical:{rule.id}"
    person = _person(lang, rule, prefix, clause[start:end])
    if person == "other":
        return "mention", f"other_person:{rule.id}"
    if person == "general":
        return "mention", f"general:{rule.id}"
    if (
        lang.history is not None
        and lang.history.search(clause)
        and not (lang.recent is not None and lang.recent.search(clause))
        and not (lang.recurrence is not None and lang.recurrence.search(sentence))
    ):
        return "mention", f"{HISTORY_ID.get(rule.category, HISTORY_DEFAULT)}:{rule.id}"
    return "self", rule.id


# -- reading the text ----------------------------------------------------------------------------


def _clauses(lang: Language, norm: str) -> Iterator[tuple[str, int, str]]:
    """(sentence, clause start in norm, clause) for each clause, long ones in windows."""
    for sentence_match in _SENTENCE.finditer(norm):
        sentence = sentence_match.group()
        base = sentence_match.start()
        cuts = [(m.start(), m.end()) for m in lang.clause_split.finditer(sentence)]
        bounds = [0] + [e for _s, e in cuts]
        ends = [s for s, _e in cuts] + [len(sentence)]
        for a, b in zip(bounds, ends, strict=True):
            piece = sentence[a:b]
            stripped = piece.strip(" ,")
            if not stripped:
                continue
            offset = base + a + piece.index(stripped)
            if len(stripped) <= CHUNK_CHARS:
                yield sentence, offset, stripped
                continue
            step = CHUNK_CHARS - CHUNK_OVERLAP
            position = 0
            while position < len(stripped):
                start = position
                if start:
                    space = stripped.find(" ", start)
                    start = space + 1 if 0 <= space < start + CHUNK_OVERLAP else start
                yield sentence, offset + start, stripped[start : position + CHUNK_CHARS]
                if position + CHUNK_CHARS >= len(stripped):
                    break
                position += step


def _hide(match: re.Match) -> str:
    return MASK * len(match.group())


def _scan_language(lang: Language, norm: str, hits: list[_Hit]) -> None:
    selves = sum(hit.level == "self" for hit in hits)
    for sentence, offset, clause in _clauses(lang, norm):
        if selves >= MAX_MATCHES:
            return  # the level cannot rise further and the report is full: stop the work
        candidates = [
            rule
            for rule in lang.rules
            if rule.anchors is None or any(anchor in clause for anchor in rule.anchors)
        ]
        if not candidates:
            continue
        if lang.idiom_regex is not None:
            clause = lang.idiom_regex.sub(_hide, clause)
        found: list[tuple[int, int, str, str]] = []
        negated: list[tuple[int, int]] = []
        for rule in candidates:
            for match in rule.regex.finditer(clause):
                start, end = match.span()
                # "Suicide" as a topic is not undone by a negation elsewhere in the clause
                # ("I've never talked about Dad's suicide"); a negated self match still hides it.
                if rule.category != "topic" and _negated(lang, clause[:start], match.group()):
                    negated.append((start, end))
                    continue
                level, rule_id = _judge(lang, rule, clause, sentence, start, end)
                found.append((start, end, level, rule_id))
        for start, end, level, rule_id in found:
            # what a negation covers is not said again by a looser rule over the same words
            if any(start < n_end and n_start < end for n_start, n_end in negated):
                continue
            hits.append(_Hit(offset + start, offset + end, level, rule_id))
            selves += level == "self"


def _tidy(hits: list[_Hit]) -> list[_Hit]:
    """In text order, without a match lying inside another of the same level; when there are
    more than MAX_MATCHES, the highest levels are kept first."""
    ordered = sorted(hits, key=lambda h: (h.start, -(h.end - h.start), -RANK[h.level]))
    reach = dict.fromkeys(LEVELS, -1)
    kept: list[_Hit] = []
    for hit in ordered:
        if hit.end <= reach[hit.level]:
            continue
        reach[hit.level] = max(reach[hit.level], hit.end)
        kept.append(hit)
    if len(kept) > MAX_MATCHES:
        kept = sorted(kept, key=lambda h: (-RANK[h.level], h.start))[:MAX_MATCHES]
        kept.sort(key=lambda h: h.start)
    return kept


def _excerpt(text: str, where: list[int], hit: _Hit) -> str:
    end = where[hit.end - 1] + 1
    while end < len(text) and (text[end].isalnum() or text[end] in _DROP):
        end += 1  # the letters squeezed or dropped at the end of the last word: "dieeee"
    excerpt = text[where[hit.start] : end].strip()
    return excerpt if len(excerpt) <= EXCERPT_CHARS else excerpt[: EXCERPT_CHARS - 1] + "…"


def match_level(rule_id: str) -> str:
    """The level a reported match counted for. A self rule judged in context carries the
    context before a colon ("other_person:", "history.self_attempt:", ...) and counts as a
    mention; otherwise the rule's own level."""
    if ":" in rule_id:
        return "mention"
    return _rule_levels()[rule_id]


@cache
def _rule_levels() -> dict[str, str]:
    return {rule.id: rule.level for code in LANGUAGES for rule in load(code).rules}


@cache
def _rule_categories() -> dict[str, str]:
    return {rule.id: rule.category for code in LANGUAGES for rule in load(code).rules}


def match_category(rule_id: str) -> str:
    """The category of the rule behind a reported match ("active", "plan", ...)."""
    return _rule_categories()[rule_id.rsplit(":", 1)[-1]]


def version(language: str | None = None) -> str:
    """The data versions that judge text in this language, e.g. 'en:1+es:1'."""
    return "+".join(f"{code}:{load(code).version}" for code in languages_for(language))


def scan(text: str, language: str | None = None) -> RiskResult:
    """Scan free text for risk: level 'none', 'mention' (someone else's suicide or self-harm,
    the topic in general, a question about others, or a past event told as history) or 'self'
    (the writer's own thoughts, plans, preparations or self-harm now), with the matched rule ids
    and excerpts. ``language`` 'en' or 'es' applies that language's rules; None (or one we do
    not know) applies both and keeps the highest level."""
    codes = languages_for(language)
    stamp = version(language)
    if not text or not isinstance(text, str):
        return RiskResult("none", (), stamp)
    norm, where = normalize(text)
    hits: list[_Hit] = []
    for code in codes:
        _scan_language(load(code), norm, hits)
    if not hits:
        return RiskResult("none", (), stamp)
    level = max((hit.level for hit in hits), key=RANK.__getitem__)
    kept = _tidy(hits)
    matches = tuple((hit.rule_id, _excerpt(text, where, hit)) for hit in kept)
    return RiskResult(level, matches, stamp)
