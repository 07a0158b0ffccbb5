"""What is taken out of text before it leaves Gentle for the role-play model: names and the
identifiers that single a person out (e-mail addresses, phone and other long numbers, street
addresses and postal codes, full dates).

Matching runs on a folded copy of the text, so a name hidden behind typography is still found:
compatibility forms are undone (NFKC: fullwidth "Ｍａｒｉａ", ligatures, mathematical
letters), invisible characters are dropped (soft hyphen U+00AD, zero-width space and joiners,
word joiner, byte-order mark, Hangul fillers), Cyrillic and Greek letters that look Latin are
read as Latin ("Маria" with a Cyrillic М), every decimal digit is read as 0-9, and case and
accents are ignored. What is replaced is the typed text the match came from; the rest of the
text is left exactly as typed.

Names, in ``Scrubber(names=..., others=...)``:

- ``names`` are the people of the client's record. Each is hidden whole (its words joined by
  any spaces or punctuation) and word by word for every word of two letters or more ("Li",
  "Jo") that is not a particle of a family name ("de", "la", "van"). Each word also brings its
  usual short forms from ``data/names.json`` (Pepe for José, Lupe for Guadalupe, Bob for
  Robert, both ways, and names that share a short form: Tomás and Thomas through Tom), its
  Spanish diminutives (Tomasito, Anita, Carmencita), and, for a word of five letters or more,
  its first four or more letters ("Barth" for Bartholomew, "Quint" for Quintanilla).
- ``others`` are the clinic's other clients: a full name of two words or more is hidden in any
  case; a single word of it only when written with a capital letter.
- Words that are also ordinary English or Spanish words ("rosa", "al", "will", "julio"; the
  list is in ``data/names.json``) are hidden only when written with a capital letter, and so
  are first letters of a name; first letters that make an ordinary word ("Este" of Esteban,
  "Vale" of Valentina) are never hidden. Hiding every "al" of a Spanish sentence because a
  client's brother is called Al would leave the model nothing to answer; a full name is
  always hidden, however it is written.

Identifiers: an e-mail address becomes ``[email]``; a run of 7 to 15 digits with the spaces,
dots, dashes, slashes and parentheses of phone numbers becomes ``[phone]`` (whatever the number
is: an ID number is as identifying); a house number with a street word ("12 Baker Street",
"Calle Mayor 5", "C/ Luna, nº 3", "Av. de la Paz 12") and an unambiguous postal code (British,
Canadian, or any code after "CP", "código postal", "zip" or "postcode") become ``[address]``;
a day, month and year together ("3/4/1985", "1985-04-03", "3 March 1985", "March 3, 1985",
"3 de marzo de 1985") become ``[date]``. A year alone, a month and year, and a day and month
without a year stay: they are everyday speech ("since March 2020", "on 3 May") far more often
than an identifier.

Standard library only: no Django, no ``gentle`` app.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

NAME, EMAIL, PHONE, ADDRESS, DATE = "[name]", "[email]", "[phone]", "[address]", "[date]"
DATA_FILE = Path(__file__).resolve().parent / "data" / "names.json"

MIN_PREFIX, MIN_WORD_FOR_PREFIX = 4, 5
MIN_DIGITS, MAX_DIGITS = 7, 15

_WORD = re.compile(r"[^\W_]+")

# Characters that show nothing but are letters or symbols, not format characters (Cf).
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800")

# Capital Cyrillic and Greek letters that pass for Latin ones; read before case folding, since
# some capitals look Latin and their small letters do not (Greek Μ and μ).
_CAPITAL_HOMOGLYPHS = str.maketrans(
    {
        "А": "A", "В": "B", "Е": "E", "Ё": "E", "К": "K", "М": "M", "Н": "H", "О": "O",
        "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ї": "I",
        "Ј": "J", "Ү": "Y", "Ӏ": "I", "Һ": "H", "Ԛ": "Q", "Ԝ": "W",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C", "Ϳ": "J",
    }
)  # fmt: skip
# Small Cyrillic and Greek letters that pass for Latin ones (after case folding).
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h",
        "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i",
        "ї": "i", "ј": "j", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ү": "y", "ӏ": "l",
        "ь": "b", "п": "n", "г": "r", "и": "u", "ɡ": "g", "ɑ": "a", "ı": "i", "ł": "l",
        "ø": "o", "đ": "d", "ħ": "h", "æ": "ae", "œ": "oe",
        "α": "a", "β": "b", "γ": "y", "ε": "e", "ζ": "z", "η": "n", "ι": "i", "κ": "k",
        "μ": "u", "ν": "v", "ο": "o", "ρ": "p", "σ": "o", "ς": "c", "τ": "t", "υ": "u",
        "χ": "x", "ϲ": "c", "ϳ": "j",
    }
)  # fmt: skip


@functools.cache
def load_names() -> dict:
    """The bundled lists (particles, short forms, ordinary words), read once; read-only."""
    data = json.loads(DATA_FILE.read_text("utf-8"))
    words = [*data["particles"], *data["ordinary"], *(f for g in data["short_forms"] for f in g)]
    unfolded = [w for w in words if fold(w) != w]
    if unfolded:
        raise ValueError(f"{DATA_FILE.name}: write these folded: {unfolded[:5]}")
    return data


@functools.cache
def _short_forms() -> dict[str, frozenset[str]]:
    """Each name or short form, with every name linked to it through shared short forms
    (Tomás and Thomas share Tom, so each brings Tommy and Tomasito)."""
    parent: dict[str, str] = {}

    def root(name: str) -> str:
        while parent.setdefault(name, name) != name:
            name = parent[name]
        return name

    groups = load_names()["short_forms"]
    for group in groups:
        for member in group[1:]:
            parent[root(member)] = root(group[0])
    linked: dict[str, set[str]] = {}
    for group in groups:
        for member in group:
            linked.setdefault(root(member), set()).add(member)
    return {member: frozenset(linked[root(member)]) for member in parent}


# --- folding --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    if char in _INVISIBLE or unicodedata.category(char) == "Cf":
        return ""
    digit = unicodedata.decimal(char, None)
    if digit is not None:
        return str(digit)
    text = unicodedata.normalize("NFKC", char).translate(_CAPITAL_HOMOGLYPHS)
    text = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c)).translate(_HOMOGLYPHS)


def fold_with_origin(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the typed one."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        chars.append(folded)
        origin += [index] * len(folded)
    return "".join(chars), origin


def fold(text: str) -> str:
    """``text`` as matching sees it (see the module's docstring)."""
    return fold_with_origin(text)[0]


def _capitalised(char: str) -> bool:
    return unicodedata.normalize("NFKC", char)[:1].isupper()


# --- identifiers ----------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+'-])[\w.+'-]*\w@[\w-]+(?:\.[\w-]+)+")
# The last digit may carry one letter: an ID number such as 12345678Z is as identifying.
_PHONE = re.compile(r"(?<![\w+])(?:\+\s?|\(\s?\+?)?\d[\d \t().\-/]*(?:\d\)?|\d[a-z])(?!\w)")
_GROUPED_THOUSANDS = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
_YEAR_RANGE = re.compile(r"(?:19|20)\d\d\s*[-/]\s*(?:19|20)\d\d")

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec|"
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|"
    "noviembre|diciembre|ene|abr|ago|dic"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_YEAR = r"(?:1[89]\d\d|20\d\d|'\d\d)"
_DATES = [
    re.compile(p)
    for p in (
        # 3/4/1985, 03-04-85, 3.4.1985
        rf"(?<![\w./-]){_DAY}[/.-]{_DAY}[/.-](?:\d{{4}}|\d{{2}})(?![\w]|[./-]\d)",
        # 1985-04-03
        r"(?<![\w./-])\d{4}[/.-][01]?\d[/.-][0-3]?\d(?![\w]|[./-]\d)",
        # 3 March 1985, 3rd of March, 1985, 3 de marzo de 1985, 3-mar-85
        rf"(?<!\w){_DAY}(?:st|nd|rd|th|er|o|a)?(?:\s+(?:of|de)\s+|\s*[-/.]\s*|\s+)(?:{_MONTHS})"
        rf"\.?(?:,?\s+(?:de\s+|del\s+)?|\s*[-/.]\s*){_YEAR}(?!\w)",
        # March 3, 1985; March 3rd 1985
        rf"(?<!\w)(?:{_MONTHS})\.?\s+{_DAY}(?:st|nd|rd|th)?,?\s+{_YEAR}(?!\w)",
    )
]

_STOP_EN = (
    "the|a|an|of|to|and|or|in|on|at|is|are|was|were|be|been|my|your|his|her|our|their|its|we|"
    "you|he|she|they|it|i|me|us|them|very|so|too|not|no|who|that|this|these|those|with|for|"
    "from|by|as|but|if|then|than|more|less|most|times|minutes|minute|hours|hour|days|day|"
    "weeks|months|years|kids|children|people|cars|really|quite|also|just|about|all|some|any|"
    "every|each|down|up|across|along|into|out|over|under|off|get|got|go|went|come|came|have|"
    "has|had|do|did|does|can|could|will|would|should|must|may|might|miles|mile|blocks|doors"
)
_STOP_ES = (
    "hay|es|son|era|eran|fue|fui|esta|estan|estaba|estoy|tiene|tienen|tengo|tenia|con|y|o|que|"
    "por|para|a|en|mi|tu|su|mis|tus|sus|me|te|se|lo|nos|les|muy|mas|menos|no|si|ya|hace|"
    "desde|hasta|cuando|donde|como|porque|pero|sin|sobre|entre|tras|un|una|unos|unas|dos|"
    "tres|cuatro|cinco|veces|anos|dias|horas|minutos|metros|km|kilometros|personas|coches|"
    "vivo|vive|viven|vivimos|hemos|he|ha|han"
)
_STREETS_EN = (
    "street|st|avenue|ave|road|rd|lane|ln|boulevard|blvd|crescent|terrace|square|sq|highway|"
    "hwy|parkway|pkwy|gardens|grove|court|plaza"
)
_STREETS_ES = (
    r"(?:calle|avenida|avda|av|plaza|pza|paseo|camino|carretera|ctra|ronda|travesia|glorieta|"
    r"pasaje)\b\.?|c/"
)
_ADDRESS_EN = re.compile(
    rf"(?<!\w)\d{{1,5}}[a-z]?,?\s+(?:(?!(?:{_STOP_EN})\b)[a-z][a-z'-]*\s+){{1,3}}"
    rf"(?:{_STREETS_EN})\b"
)
_ADDRESS_ES = re.compile(
    rf"(?<!\w)(?:{_STREETS_ES})\s*((?:(?!(?:{_STOP_ES})\b)[a-z][a-z'-]*[\s,]+){{1,5}})"
    r"(?:(?:n\.?o\.?|num\.?|numero)\s*)?\d{1,4}(?:\s?[a-z])?(?!\w)"
)
_ADDRESS_ES_JOINERS = frozenset({"de", "del", "la", "las", "los", "el", "y"})
_POSTCODES = [
    # British (the inward code's letters exclude C, I, K, M, O and V) and Canadian codes
    re.compile(r"(?<!\w)[a-z]{1,2}\d[a-z\d]?\s?\d[abd-hjlnp-uw-z]{2}(?!\w)"),
    re.compile(r"(?<!\w)[abceghj-nprstvxy]\d[abceghj-nprstv-z]\s?\d[abceghj-nprstv-z]\d(?!\w)"),
    # any code named as one
    re.compile(
        r"(?<!\w)(?:c\.?\s?p\.?|codigo postal|cod\.? postal|zip(?:\s?code)?|post\s?code|"
        r"postal code)\s*:?\s*\d{4,5}(?:-\d{4})?(?!\w)"
    ),
]


def _identifiers(folded: str) -> Iterable[tuple[int, int, str]]:
    for match in _EMAIL.finditer(folded):
        yield match.start(), match.end(), EMAIL
    for pattern in _DATES:
        for match in pattern.finditer(folded):
            yield match.start(), match.end(), DATE
    for match in _ADDRESS_EN.finditer(folded):
        yield match.start(), match.end(), ADDRESS
    for match in _ADDRESS_ES.finditer(folded):
        # "paseo de 3 horas" is a walk, not an address: the street needs a name.
        if set(_WORD.findall(match.group(1))) - _ADDRESS_ES_JOINERS:
            yield match.start(), match.end(), ADDRESS
    for pattern in _POSTCODES:
        for match in pattern.finditer(folded):
            yield match.start(), match.end(), ADDRESS
    for match in _PHONE.finditer(folded):
        if _is_phone(match.group()):
            yield match.start(), match.end(), PHONE


def _is_phone(candidate: str) -> bool:
    digits = sum(c.isdigit() for c in candidate)
    if not MIN_DIGITS <= digits <= MAX_DIGITS:
        return False
    if re.search(r"[\s().\-/]{4,}", candidate):
        return False  # numbers far apart, not one number
    if digits <= 8 and _GROUPED_THOUSANDS.fullmatch(candidate):
        return False  # 1.500.000: an amount
    return not _YEAR_RANGE.fullmatch(candidate)  # 1985-2001


# --- names ----------------------------------------------------------------------------------


class Scrubber:
    """Hides the given names and every identifier; build once, use for many texts."""

    def __init__(self, names: Iterable[str] = (), others: Iterable[str] = ()) -> None:
        if isinstance(names, str):
            names = (names,)  # one name, not a sequence of one-letter names
        if isinstance(others, str):
            others = (others,)
        self._strict, self._soft, self._sequences = _index(
            tuple(n for n in names if isinstance(n, str) and n.strip()),
            tuple(n for n in others if isinstance(n, str) and n.strip()),
        )

    def scrub(self, text: str, placeholder: str = NAME) -> str:
        """``text`` with names replaced by ``placeholder`` and identifiers by their token."""
        if not text:
            return text
        folded, origin = fold_with_origin(text)
        found = sorted(
            [*_identifiers(folded), *self._names(text, folded, origin, placeholder)],
            key=lambda span: (span[0], span[0] - span[1]),
        )
        merged: list[list] = []
        for start, stop, token in found:
            if merged and start < merged[-1][1]:
                # Overlapping matches are hidden together, under the first one's token:
                # "Plaza Mayor 0044 20 7946 0958" must not leave half a phone number behind.
                merged[-1][1] = max(merged[-1][1], stop)
            else:
                merged.append([start, stop, token])
        pieces, last = [], 0
        for start, stop, token in merged:
            first, after = max(origin[start], last), origin[stop - 1] + 1
            while after < len(text) and (
                unicodedata.combining(text[after]) or not _fold_char(text[after])
            ):
                after += 1  # an accent typed separately, or an invisible mark, belongs to it
            pieces += [text[last:first], token]
            last = after
        return "".join(pieces) + text[last:]

    def _names(self, text: str, folded: str, origin: list[int], placeholder: str):
        words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(folded)]
        index = 0
        while index < len(words):
            start, stop, word = words[index]
            for sequence in self._sequences.get(word, ()):
                if tuple(w for _, _, w in words[index : index + len(sequence)]) == sequence:
                    yield start, words[index + len(sequence) - 1][1], placeholder
                    index += len(sequence)
                    break
            else:
                if word in self._strict or (
                    word in self._soft and _capitalised(text[origin[start]])
                ):
                    yield start, stop, placeholder
                index += 1


@functools.lru_cache(maxsize=64)
def _index(
    names: tuple[str, ...], others: tuple[str, ...]
) -> tuple[frozenset[str], frozenset[str], dict[str, tuple[tuple[str, ...], ...]]]:
    """Words hidden in any case, words hidden when capitalised, and the several-word names
    by their first word (longest first)."""
    data = load_names()
    particles, ordinary = set(data["particles"]), set(data["ordinary"])
    short_forms = _short_forms()
    strict: set[str] = set()
    soft: set[str] = set()
    sequences: set[tuple[str, ...]] = set()

    def add(word: str, *, capital_only: bool = False) -> None:
        if len(word) >= 2:
            (soft if capital_only or word in ordinary else strict).add(word)

    for name in names:
        parts = _WORD.findall(fold(name))
        if sum(map(len, parts)) < 2:
            continue  # an initial: hiding every "a" or "i" would wreck the text
        if len(parts) > 1:
            sequences.add(tuple(parts))
            parts = [p for p in parts if p not in particles]
        for part in parts:
            derived_soft = part in ordinary
            add(part)
            for form in short_forms.get(part, ()):
                add(form, capital_only=derived_soft)
            for form in _diminutives(part):
                add(form, capital_only=derived_soft)
            if len(part) >= MIN_WORD_FOR_PREFIX:
                for size in range(MIN_PREFIX, len(part)):
                    prefix = part[:size]
                    if prefix not in ordinary and prefix not in particles:
                        soft.add(prefix)
    for name in others:
        parts = _WORD.findall(fold(name))
        if len(parts) > 1 and sum(map(len, parts)) >= 4:
            sequences.add(tuple(parts))
        for part in parts:
            if part not in particles and part not in ordinary:
                add(part, capital_only=True)
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for sequence in sorted(sequences, key=len, reverse=True):
        by_first.setdefault(sequence[0], []).append(sequence)
    return (
        frozenset(strict),
        frozenset(soft - strict),
        {first: tuple(found) for first, found in by_first.items()},
    )


def _diminutives(word: str) -> set[str]:
    """Spanish diminutives: Ana → Anita, Tomás → Tomasito, Carmen → Carmencita."""
    if len(word) < 3 or not word.isalpha():
        return set()
    stem = word[:-1] if word[-1] in "aeo" else word
    forms = {stem + "ito", stem + "ita"}
    if word[-1] in "enr":
        forms |= {word + "cito", word + "cita"}
    return forms


def scrub(text: str, names: Iterable[str] = (), placeholder: str = NAME, *, others=()) -> str:
    """``text`` with the names (see ``Scrubber``) and every identifier replaced."""
    return Scrubber(names, others).scrub(text, placeholder)
