"""FHIR interchange for instruments: read a FHIR Questionnaire (R4/R4B JSON) into Gentle's
instrument format, so that a clinic can add instruments without code (`gentle
import-questionnaire`; docs/fhir.md, ADR 0060).

The file is read as plain JSON, not validated against the full FHIR model: the Questionnaires
LOINC, LHC-Forms and the Argonaut/SDC guides publish break rules that do not matter here (an
integer where a string belongs, a variable name with an underscore, narrative without a div), and
a strict check refused them. Only what the import uses is checked, and anything it cannot use is
refused with one line naming the part, or left out with a warning.

- Answer values come from the ordinalValue or itemWeight extension (on the answer option or on
  its coding), else an integer answer, else a numeric code. ``answerValueSet`` is read from the
  ValueSets contained in the file (by ``#id`` or canonical URL); Gentle never fetches one.
- Calculated items (an SDC calculatedExpression, hidden or read-only numbers) are not asked:
  Gentle computes its own total. Their LOINC code becomes the total's code.
- Choice items whose answers carry no numbers (PHQ-9's "how difficult") are left out.
- ``enableWhen`` with =, !=, >, >=, <, <= and ``exists`` on one earlier item (several joined by
  ``enableBehavior``) becomes Gentle's "ask only when" condition.
- ``required`` (or minOccurs ≥ 1) is kept.
- A Questionnaire whose LOINC code is a shipped instrument's (PHQ-9 44249-1, GAD-7 69737-5...)
  takes that instrument's total (its items matched by LOINC code), bands, reliability and safety
  rules, and its scored items become required: FHIR has no standard place for bands or safety
  rules, and Gentle's are the reviewed ones. Each of these is said in a warning.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import IO, Any

from gentle.measures.instruments import DATA, InstrumentError, parse

MAX_BYTES = 2 * 1024 * 1024
CHUNK = 64 * 1024
ORDINAL = (
    "http://hl7.org/fhir/StructureDefinition/ordinalValue",
    "http://hl7.org/fhir/StructureDefinition/itemWeight",
    "http://hl7.org/fhir/StructureDefinition/iso21090-CO-value",
)
CALCULATED = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression",
    "http://hl7.org/fhir/StructureDefinition/cqf-calculatedValue",
)
HIDDEN = "http://hl7.org/fhir/StructureDefinition/questionnaire-hidden"
UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
MIN_OCCURS = "http://hl7.org/fhir/StructureDefinition/questionnaire-minOccurs"
LOINC = "http://loinc.org"
CHOICE_TYPES = ("choice", "open-choice", "coding")
NUMBER_TYPES = ("decimal", "integer", "quantity")
OPERATORS = ("=", "!=", ">", ">=", "<", "<=", "exists")


@dataclass
class Imported:
    """An instrument's JSON and what the import could not carry over, in plain words."""

    instrument: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def read_json(stream: IO[bytes], limit: int = MAX_BYTES) -> object:
    """The JSON in ``stream``, read in chunks and refused past ``limit`` bytes: a large file is
    never held whole."""
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise InstrumentError(f"larger than {limit // (1024 * 1024)} MB, the most Gentle reads")
        chunks.append(chunk)
    try:
        return json.loads(b"".join(chunks).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InstrumentError(f"cannot be read (not JSON: {_one_line(str(exc))})") from None


def _one_line(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40].strip("_")


def _invalid(where: str, problem: str) -> InstrumentError:
    return InstrumentError(f"not a valid FHIR Questionnaire: {where}: {problem}")


def _objects(value: object, where: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _invalid(where, "expected a list of objects")
    return value


def _string(node: dict[str, Any], key: str, where: str) -> str:
    value = node.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _invalid(where, f"{key} must be text")
    return value


def _number(value: object) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _whole(value: int | float, where: str) -> int:
    if isinstance(value, float) and not value.is_integer():
        raise InstrumentError(f"{where}: answer values must be whole numbers, not {value:g}")
    return int(value)


def _weight(node: dict[str, Any], where: str) -> int | float | None:
    """The ordinalValue/itemWeight of an answer option, a coding or a ValueSet concept."""
    for extension in _objects(node.get("extension"), f"{where} extension"):
        if extension.get("url") in ORDINAL:
            for key in ("valueDecimal", "valueInteger"):
                value = _number(extension.get(key))
                if value is not None:
                    return value
    return None


def _code_value(code: str) -> int | None:
    return int(code) if re.fullmatch(r"-?\d{1,6}", code) else None


@dataclass(frozen=True)
class Answer:
    code: str
    label: str
    value: int | float | None


def _coding_answer(coding: dict[str, Any], where: str, weight: int | float | None) -> Answer:
    code = _string(coding, "code", where)
    label = _string(coding, "display", where) or code
    if weight is None:
        weight = _weight(coding, where)
    if weight is None and code:
        weight = _code_value(code)
    return Answer(code, label, weight)


def _option_answer(option: dict[str, Any], where: str) -> Answer:
    weight = _weight(option, where)
    if isinstance(option.get("valueCoding"), dict):
        return _coding_answer(option["valueCoding"], where, weight)
    integer = _number(option.get("valueInteger"))
    if integer is not None:
        return Answer(str(integer), str(integer), weight if weight is not None else integer)
    text = option.get("valueString")
    if isinstance(text, str) and text:
        return Answer(text, text, weight)
    raise InstrumentError(f"{where}: an answer option has no coding, integer or text")


def _value_sets(data: dict[str, Any]) -> dict[str, list[Answer]]:
    """The ValueSets contained in the file, by ``#id`` and by canonical URL (with and without
    ``|version``): their expansion if given, else the concepts they include."""
    found: dict[str, list[Answer]] = {}
    for index, resource in enumerate(_objects(data.get("contained"), "contained")):
        if resource.get("resourceType") != "ValueSet":
            continue
        where = f"contained ValueSet {index + 1}"
        answers: list[Answer] = []
        expansion = resource.get("expansion")
        if isinstance(expansion, dict) and expansion.get("contains") is not None:
            for entry in _objects(expansion.get("contains"), f"{where} expansion"):
                answers.append(_coding_answer(entry, where, None))
        else:
            compose = resource.get("compose")
            includes = compose.get("include") if isinstance(compose, dict) else None
            for include in _objects(includes, f"{where} compose"):
                for concept in _objects(include.get("concept"), f"{where} concept"):
                    answers.append(_coding_answer(concept, where, None))
        for key in ("id", "url"):
            name = _string(resource, key, where)
            if name:
                found["#" + name if key == "id" else name] = answers
        version = _string(resource, "version", where)
        if resource.get("url") and version:
            found[f"{resource['url']}|{version}"] = answers
    return found


def _answers(
    item: dict[str, Any], link: str, value_sets: dict[str, list[Answer]]
) -> list[Answer] | None:
    """An item's answers, or None when it has neither options nor a value set."""
    where = f"item {link}"
    if item.get("answerOption") is not None:
        options = _objects(item["answerOption"], f"{where} answerOption")
        return [_option_answer(option, where) for option in options]
    value_set = item.get("answerValueSet")
    if value_set is None:
        return None
    if not isinstance(value_set, str) or value_set not in value_sets:
        raise InstrumentError(
            f"{where}: its answer list {_one_line(str(value_set), 80)!r} is not contained in the "
            "file (Gentle does not fetch value sets)"
        )
    return value_sets[value_set]


def _extensions(item: dict[str, Any], link: str) -> dict[str, dict[str, Any]]:
    return {
        ext["url"]: ext
        for ext in _objects(item.get("extension"), f"item {link} extension")
        if isinstance(ext.get("url"), str)
    }


def _is_calculated(item: dict[str, Any], extensions: dict[str, dict[str, Any]]) -> bool:
    """A number the form computes or shows, not one the person types: an SDC or CQF
    expression, hidden or read-only, or a score — the unit "{score}" or the LOINC code of a
    shipped instrument's score (older LHC-Forms exports, such as a published GAD-7, give the
    total as a plain decimal item with neither expression nor system)."""
    hidden = extensions.get(HIDDEN, {}).get("valueBoolean") is True
    unit = extensions.get(UNIT, {}).get("valueCoding")
    score_unit = isinstance(unit, dict) and unit.get("code") == "{score}"
    codes = {
        c["code"] for c in _objects(item.get("code"), "item code") if isinstance(c.get("code"), str)
    }
    return (
        hidden
        or score_unit
        or item.get("readOnly") is True
        or any(url in extensions for url in CALCULATED)
        or bool(codes & _shipped_score_codes())
    )


def _required(item: dict[str, Any], link: str, extensions: dict[str, dict[str, Any]]) -> bool:
    required = item.get("required", False)
    if not isinstance(required, bool):
        raise _invalid(f"item {link}", "required must be true or false")
    minimum = _number(extensions.get(MIN_OCCURS, {}).get("valueInteger"))
    return required or (minimum is not None and minimum >= 1)


def _loinc(codings: object, where: str) -> list[str]:
    return [
        coding["code"]
        for coding in _objects(codings, where)
        if coding.get("system") == LOINC and isinstance(coding.get("code"), str)
    ]


def _walk(
    items: object, where: str, inherited: dict[str, Any] | None = None
) -> Iterator[tuple[dict[str, Any], str]]:
    """Every item, depth first. A group's enableWhen passes to the items inside it (an item
    with its own as well is refused: Gentle keeps one condition per item)."""
    for index, item in enumerate(_objects(items, where)):
        link = item.get("linkId")
        if not isinstance(link, str) or not link:
            raise _invalid(f"{where} {index + 1}", "an item needs a linkId")
        if inherited and item.get("enableWhen"):
            raise InstrumentError(
                f"item {link}: both it and the group around it have an enableWhen; Gentle "
                "asks an item depending on one condition"
            )
        if inherited:
            item = {**item, **inherited}
        yield item, link
        if item.get("item") is not None:
            own = (
                {"enableWhen": item["enableWhen"], "enableBehavior": item.get("enableBehavior")}
                if item.get("enableWhen")
                else inherited
            )
            yield from _walk(item["item"], f"item {link} item", own)


@dataclass
class _Asked:
    """The items Gentle asks, with each one's answers by code (for enableWhen)."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    left_out: set[str] = field(default_factory=set)
    entries_raw: list[dict[str, Any]] = field(default_factory=list)


def _when_values(link: str, when: dict[str, Any], asked: _Asked) -> tuple[str, set[int]]:
    where = f"item {link}"
    question = when.get("question")
    operator = when.get("operator")
    if operator not in OPERATORS:
        raise InstrumentError(
            f"{where}: enableWhen operator {_one_line(str(operator), 20)!r} is not supported "
            f"(Gentle reads {', '.join(OPERATORS)})"
        )
    if not isinstance(question, str) or question not in asked.entries:
        raise InstrumentError(
            f"{where}: its enableWhen depends on {_one_line(str(question), 40)!r}, "
            "which is not an earlier item Gentle imports"
        )
    answers = asked.answers[question]
    values = {int(a.value) for a in answers if a.value is not None}
    if operator == "exists":
        if when.get("answerBoolean") is not True:
            raise InstrumentError(
                f"{where}: Gentle cannot ask an item only when another is left unanswered"
            )
        return question, values
    given: int | float | None
    if isinstance(when.get("answerCoding"), dict):
        code = when["answerCoding"].get("code")
        given = next((a.value for a in answers if a.code == code and code), None)
    elif _number(when.get("answerInteger")) is not None:
        given = _number(when["answerInteger"])
    elif _number(when.get("answerDecimal")) is not None:
        given = _number(when["answerDecimal"])
    elif isinstance(when.get("answerBoolean"), bool):
        given = int(when["answerBoolean"])
    else:
        given = None
    if given is None or (operator in ("=", "!=") and given not in values):
        raise InstrumentError(f"{where}: enableWhen names no known answer of {question}")
    compare = {
        "=": lambda v: v == given,
        "!=": lambda v: v != given,
        ">": lambda v: v > given,
        ">=": lambda v: v >= given,
        "<": lambda v: v < given,
        "<=": lambda v: v <= given,
    }[operator]
    return question, {v for v in values if compare(v)}


def _condition(item: dict[str, Any], link: str, asked: _Asked) -> dict[str, Any] | None:
    whens = _objects(item.get("enableWhen"), f"item {link} enableWhen")
    if not whens:
        return None
    behaviour = item.get("enableBehavior") or "all"
    if behaviour not in ("all", "any"):
        raise _invalid(f"item {link}", "enableBehavior is 'all' or 'any'")
    parts = [_when_values(link, when, asked) for when in whens]
    questions = {question for question, _ in parts}
    if len(questions) > 1:
        raise InstrumentError(
            f"item {link}: its enableWhen depends on several items; Gentle asks an item "
            "depending on one"
        )
    sets = [values for _, values in parts]
    values = set.union(*sets) if behaviour == "any" else set.intersection(*sets)
    if not values:
        raise InstrumentError(f"item {link}: its enableWhen can never be met")
    return {"item": questions.pop(), "in": sorted(values)}


def _scored_item(
    item: dict[str, Any], link: str, answers: list[Answer], asked: _Asked
) -> dict[str, Any]:
    where = f"item {link}"
    if item.get("repeats") is True:
        raise InstrumentError(f"{where}: it allows several answers; Gentle scores one per item")
    if any(answer.value is None for answer in answers):
        raise InstrumentError(
            f"{where}: an answer option has no numeric value (ordinalValue, itemWeight, "
            "integer or numeric code)"
        )
    options = [
        {"value": _whole(answer.value, where), "label": answer.label or str(answer.value)}
        for answer in answers
        if answer.value is not None
    ]
    if len({option["value"] for option in options}) != len(options):
        raise InstrumentError(f"{where}: two answers have the same value")
    text = _string(item, "text", where) or link
    entry: dict[str, Any] = {
        "id": link,
        "text": text,
        "options": options,
        "required": _required(item, link, _extensions(item, link)),
    }
    codes = _loinc(item.get("code"), f"{where} code")
    if codes:
        entry["loinc"] = codes[0]
    condition = _condition(item, link, asked)
    if condition:
        entry["condition"] = condition
    return entry


@cache
def _shipped_score_codes() -> frozenset[str]:
    return frozenset(
        score["loinc"]
        for data in _shipped_by_loinc().values()
        for score in data["scores"]
        if score.get("loinc")
    )


@cache
def _shipped_by_loinc() -> dict[str, dict[str, Any]]:
    shipped: dict[str, dict[str, Any]] = {}
    for path in sorted(DATA.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("loinc"):
            shipped.setdefault(data["loinc"], data)
    return shipped


def _plain(value: object) -> str:
    if isinstance(value, dict):
        value = value.get("en", "")
    return value if isinstance(value, str) else ""


def _from_shipped(
    shipped: dict[str, Any], asked: _Asked, warnings: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
    """The shipped instrument's total, bands and safety rules on the imported items (matched
    by their LOINC codes), or None, with a warning, when they do not match."""
    name = _plain(shipped["title"]).split(" (")[0]
    by_loinc = {entry["loinc"]: link for link, entry in asked.entries.items() if "loinc" in entry}
    shared = {o["value"] for o in shipped.get("options") or ()}
    ids: dict[str, str] = {}
    missing = []
    # Only the items the scores and rules use must match (PHQ-9's "how difficult" need not).
    needed = {i for score in shipped["scores"] for i in score["items"]}
    needed |= {rule["item"] for rule in shipped.get("safety") or ()}
    needed |= {rule["also"]["item"] for rule in shipped.get("safety") or () if rule.get("also")}
    for item in shipped["items"]:
        link = by_loinc.get(item.get("loinc", ""))
        values = {o["value"] for o in item.get("options") or ()} or shared
        if link is None or {o["value"] for o in asked.entries[link]["options"]} != values:
            if item["id"] in needed:
                missing.append(item.get("loinc") or item["id"])
        else:
            ids[item["id"]] = link
    if missing:
        warnings.append(
            f"The file's LOINC code is {name}'s, but its items do not match Gentle's {name} "
            f"(no item with the same answers for {', '.join(missing)}): the total is the sum of "
            "its scored items, with no bands and no safety rules."
        )
        return None
    scores = []
    for score in shipped["scores"]:
        scores.append(
            {**score, "items": [ids[i] for i in score["items"]]}
            | ({"reversed": [ids[i] for i in score["reversed"]]} if score.get("reversed") else {})
        )
    rules = []
    for rule in shipped.get("safety") or ():
        copied = {**rule, "item": ids[rule["item"]]}
        if rule.get("also"):
            copied["also"] = {**rule["also"], "item": ids[rule["also"]["item"]]}
        rules.append(copied)
    made_required = [ids[i] for i in ids if i in needed and not asked.entries[ids[i]]["required"]]
    for link in made_required:
        asked.entries[link]["required"] = True
    bands = ", ".join(
        f"{_plain(b['label'])} {b['min']:g}–{b['max']:g}"
        for b in shipped["scores"][0].get("bands", ())
    )
    reasons = "; ".join(_plain(rule.get("reason")) for rule in rules)
    warnings.append(
        f"Recognised as {name} by its LOINC code {shipped['loinc']}. The file has no bands or "
        f"safety rules, so Gentle's own {name} ones are used: bands {bands or 'none'}; "
        + (f"safety rules: {reasons}." if rules else f"{name} has no safety rules in Gentle.")
    )
    if made_required:
        warnings.append(
            f"Optional in the file, required here as in Gentle's {name}, so that a total is "
            f"never computed without them: {', '.join(made_required)}."
        )
    return scores, rules


def _warn_if_named_like_shipped(header: dict[str, str], warnings: list[str]) -> None:
    """A file named like a shipped instrument (the SDC guide's PHQ-9 example has no LOINC code)
    would otherwise import silently without that instrument's bands and safety rules."""
    named = " ".join(header[key] for key in ("title", "name", "id", "url"))
    said = re.sub(r"[^a-z0-9]", "", named.lower())
    for loinc, shipped in _shipped_by_loinc().items():
        if shipped["id"] in said:
            name = _plain(shipped["title"]).split(" (")[0]
            lost = (
                "bands and safety rules are not attached: no answer raises an alert"
                if shipped.get("safety")
                else "bands are not attached"
            )
            warnings.append(
                f"The file is named like the {name}, but it has no LOINC code {loinc}, so "
                f"Gentle's {name} {lost}. Give the {name} that Gentle ships instead."
            )
            return


def convert(data: object, *, instrument_id: str | None = None) -> Imported:
    """The instrument JSON for a FHIR Questionnaire, checked by Gentle's own parser, and the
    warnings about what was left out or supplied. Refusals raise InstrumentError (one line)."""
    if not isinstance(data, dict):
        raise InstrumentError("not a FHIR Questionnaire: the file holds no JSON object")
    if "resourceType" not in data:
        raise InstrumentError("not a FHIR Questionnaire: it has no resourceType")
    if data["resourceType"] != "Questionnaire":
        raise InstrumentError(
            "not a FHIR Questionnaire: its resourceType is "
            f"{_one_line(repr(data['resourceType']), 40)}"
        )
    warnings: list[str] = []
    header = {key: _string(data, key, "Questionnaire") for key in ("name", "id", "version", "url")}
    header |= {
        key: _string(data, key, "Questionnaire") for key in ("publisher", "copyright", "title")
    }
    value_sets = _value_sets(data)
    asked = _Asked()
    calculated: list[tuple[str, list[str]]] = []
    for item, link in _walk(data.get("item"), "item"):
        kind = item.get("type")
        where = f"item {link}"
        if not isinstance(kind, str):
            raise _invalid(where, "an item needs a type")
        if link in asked.entries or link in asked.left_out:
            raise _invalid(where, "its linkId repeats")
        extensions = _extensions(item, link)
        codes = _loinc(item.get("code"), f"{where} code")
        if kind == "group":
            continue
        if kind == "display":
            if codes:  # the Argonaut PHQ-9 keeps its total as a hidden display item
                calculated.append((link, codes))
            asked.left_out.add(link)
            continue
        if kind in NUMBER_TYPES and _is_calculated(item, extensions):
            calculated.append((link, codes))
            asked.left_out.add(link)
            continue
        if kind not in CHOICE_TYPES:
            raise InstrumentError(
                f"{where}: its type {_one_line(kind, 20)!r} is not supported; Gentle imports "
                "choice items whose answers have numeric values"
            )
        answers = _answers(item, link, value_sets)
        if not answers:
            raise InstrumentError(f"{where}: a choice item needs answer options or a value set")
        if all(answer.value is None for answer in answers):
            asked.left_out.add(link)
            text = _string(item, "text", where) or link
            warnings.append(
                f"Item {link} (“{_one_line(text, 80)}”) is left out: its answers have no "
                "numeric value, so it cannot be scored."
            )
            continue
        asked.entries[link] = _scored_item(item, link, answers, asked)
        asked.entries_raw.append(item)
        if kind == "open-choice":
            warnings.append(
                f"Item {link} also takes a typed-in answer in the file; Gentle offers only its "
                "listed answers."
            )
        asked.answers[link] = answers
    if not asked.entries:
        raise InstrumentError("not a usable Questionnaire: it has no item Gentle can score")
    for link, _ in calculated:
        warnings.append(
            f"Item {link} is calculated or only shown by the file; it is not asked, and Gentle "
            "computes the total itself."
        )
    codes = _loinc(data.get("code"), "code") + [
        identifier["value"]
        for identifier in _objects(data.get("identifier"), "identifier")
        if identifier.get("system") == LOINC and isinstance(identifier.get("value"), str)
    ]
    other_systems = sorted(
        {
            str(coding["system"])
            for node in [data, *asked.entries_raw]
            for coding in _objects(node.get("code"), "code")
            if coding.get("system") not in (None, LOINC)
        }
    )
    if other_systems:
        warnings.append(
            f"Codes from {', '.join(_one_line(s, 60) for s in other_systems)} are not kept: "
            "Gentle keeps LOINC codes."
        )
    shipped = next((s for code, s in _shipped_by_loinc().items() if code in codes), None)
    shipped = copy.deepcopy(shipped)  # the cached definitions are never changed
    if not shipped:
        _warn_if_named_like_shipped(header, warnings)
    mapped = _from_shipped(shipped, asked, warnings) if shipped else None
    items = list(asked.entries.values())
    if mapped:
        scores, rules = mapped
        in_total = set(scores[0]["items"])
        extra = [item["id"] for item in items if item["id"] not in in_total]
        if extra:
            warnings.append(f"Asked but not part of the total: {', '.join(extra)}.")
    else:
        total_codes = [code for _, found in calculated for code in found]
        scores = [
            {
                "id": "total",
                "label": "Total",
                "method": "sum",
                "items": [item["id"] for item in items],
            }
            | ({"loinc": total_codes[0]} if total_codes else {})
        ]
        rules = []
        warnings.append(
            "The file has no bands for the total and no safety rules: the total is shown "
            "without a band and no answer raises an alert. Add them to the saved file if needed."
        )
        optional = [item["id"] for item in items if not item["required"]]
        if optional:
            warnings.append(
                "Optional, as in the file, so that when one is left unanswered the total is "
                f"left empty: {', '.join(optional)}."
            )
    name = header["title"] or header["name"] or header["id"] or "questionnaire"
    identifier = instrument_id or _slug(header["name"] or header["id"] or name) or "questionnaire"
    raw_version = header["version"]
    version = int(raw_version) if raw_version.isdecimal() and int(raw_version) > 0 else 1
    if raw_version and str(version) != raw_version:
        warnings.append(
            f"The file's version “{_one_line(raw_version, 30)}” is not a whole number: "
            "saved as version 1, and the original is kept as source_version."
        )
    instrument: dict[str, Any] = {
        "id": identifier,
        "version": version,
        "title": name,
        "rater": "self",
        "source": header["url"] or header["publisher"] or "Imported FHIR Questionnaire",
        "licence": header["copyright"] or "See the source.",
        "licence_confirmed": False,
        "items": items,
        "scores": scores,
    }
    if rules:
        instrument["safety"] = rules
    if codes:
        instrument["loinc"] = codes[0]
    if raw_version:
        instrument["source_version"] = raw_version
    parse(instrument, f"{identifier}.json")
    return Imported(instrument, warnings)


def instrument_from_questionnaire(
    data: object, *, instrument_id: str | None = None
) -> dict[str, Any]:
    """The instrument JSON alone (see `convert` for the warnings)."""
    return convert(data, instrument_id=instrument_id).instrument
