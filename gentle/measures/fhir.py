"""FHIR interchange for instruments: read a FHIR R4B Questionnaire into Gentle's instrument
format, so that a clinic can add instruments without code (see `gentle import-questionnaire`).

Answer values come from the ordinalValue extension when present, else from an integer answer or
a numeric code. Conditional items come from a single `enableWhen` with operator '='. The total is
the sum of every scored item; bands can be added to the resulting file by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from fhir.resources.R4B.questionnaire import (
    Questionnaire,
    QuestionnaireItem,
    QuestionnaireItemAnswerOption,
)
from pydantic import ValidationError

from gentle.measures.instruments import InstrumentError, parse

ORDINAL = (
    "http://hl7.org/fhir/StructureDefinition/ordinalValue",
    "http://hl7.org/fhir/StructureDefinition/itemWeight",
)
LOINC = "http://loinc.org"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40]


def _option(option: QuestionnaireItemAnswerOption, where: str) -> dict[str, Any]:
    for extension in option.extension or ():
        if extension.url in ORDINAL and extension.valueDecimal is not None:
            value = int(extension.valueDecimal)
            label = option.valueCoding.display if option.valueCoding else str(value)
            return {"value": value, "label": label or str(value)}
    if option.valueInteger is not None:
        return {"value": option.valueInteger, "label": str(option.valueInteger)}
    coding = option.valueCoding
    if coding is not None and coding.code is not None and re.fullmatch(r"-?\d+", coding.code):
        return {"value": int(coding.code), "label": coding.display or coding.code}
    raise InstrumentError(
        f"{where}: an answer option has no numeric value (ordinalValue, integer or numeric code)"
    )


def _condition(
    item: QuestionnaireItem, values_by_code: dict[tuple[str | None, str | None], int]
) -> dict[str, Any] | None:
    conditions = item.enableWhen or []
    if not conditions:
        return None
    if len(conditions) != 1 or conditions[0].operator != "=":
        raise InstrumentError(f"item {item.linkId}: only one enableWhen with '=' is supported")
    when = conditions[0]
    value: int | None
    if when.answerInteger is not None:
        value = when.answerInteger
    elif when.answerCoding is not None:
        value = values_by_code.get((when.question, when.answerCoding.code))
    elif when.answerBoolean is not None:
        value = int(when.answerBoolean)
    else:
        value = None
    if value is None:
        raise InstrumentError(f"item {item.linkId}: enableWhen names no known answer")
    return {"item": when.question, "in": [value]}


def _flatten(items: Iterable[QuestionnaireItem] | None) -> Iterator[QuestionnaireItem]:
    for item in items or ():
        if item.type == "group":
            yield from _flatten(item.item)
        elif item.type != "display":
            yield item


def instrument_from_questionnaire(
    data: dict[str, Any], *, instrument_id: str | None = None
) -> dict[str, Any]:
    """The instrument JSON for a FHIR Questionnaire, checked by Gentle's own parser."""
    try:
        questionnaire = Questionnaire.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        raise InstrumentError(
            # One line: pydantic's message can quote a pattern holding a newline.
            f"not a valid FHIR R4B Questionnaire: {where}: {' '.join(first['msg'].split())}"
        ) from None
    name = questionnaire.title or questionnaire.name or questionnaire.id or "questionnaire"
    identifier = instrument_id or _slug(questionnaire.name or questionnaire.id or name)
    items: list[dict[str, Any]] = []
    values_by_code: dict[tuple[str | None, str | None], int] = {}
    for item in _flatten(questionnaire.item):
        where = f"item {item.linkId}"
        if not item.answerOption:
            raise InstrumentError(f"{where}: only items with answer options can be scored")
        options = [_option(option, where) for option in item.answerOption]
        for option, raw in zip(options, item.answerOption, strict=True):
            if raw.valueCoding is not None:
                values_by_code[(item.linkId, raw.valueCoding.code)] = option["value"]
        entry: dict[str, Any] = {
            "id": item.linkId,
            "text": item.text or item.linkId,
            "options": options,
            "required": bool(item.required),
        }
        loinc = next((c.code for c in item.code or () if c.system == LOINC), "")
        if loinc:
            entry["loinc"] = loinc
        condition = _condition(item, values_by_code)
        if condition:
            entry["condition"] = condition
        items.append(entry)
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    raw_version = questionnaire.version or ""
    version = int(raw_version) if raw_version.isdecimal() else 1
    data = {
        "id": identifier,
        "version": version,
        "title": name,
        "rater": "self",
        "source": questionnaire.url or questionnaire.publisher or "Imported FHIR Questionnaire",
        "licence": questionnaire.copyright or "See the source.",
        "licence_confirmed": False,
        "items": items,
        "scores": [
            {
                "id": "total",
                "label": "Total",
                "method": "sum",
                "items": [item["id"] for item in items],
            }
        ],
    }
    parse(data, f"{identifier}.json")
    return data
