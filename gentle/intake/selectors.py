"""Reads for the public pages and the intake queue: section texts (the clinic's own or the
defaults), the optional PHQ-2/GAD-2 screen taken from the instrument files, decline templates."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from gentle.lib.plaintext import render
from gentle.measures.instruments import catalogue

DATA = Path(__file__).resolve().parent / "data" / "pages.json"
SCREEN = (("phq9", ("phq9_1", "phq9_2"), "phq2"), ("gad7", ("gad7_1", "gad7_2"), "gad2"))
POSITIVE_SCREEN = 3  # PHQ-2 and GAD-2: 3 or more suggests a fuller assessment


@cache
def _data() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def language() -> str:
    code = (get_language() or "en")[:2]
    return code if code in ("en", "es") else "en"


@dataclass
class Section:
    id: str
    title: str
    html: str


def sections(clinic, lang: str | None = None) -> list[Section]:
    """Every public section in the reader's language: the clinic's wording where it wrote
    one, else ours. Rendered from plain text, so no markup can reach the page."""
    lang = lang or language()
    own = {t.section: t for t in clinic.public_texts.filter(language=lang)}
    result = []
    for spec in _data()["sections"]:
        text = own.get(spec["id"])
        title = text.title if text else spec["title"].get(lang) or spec["title"]["en"]
        body = text.body if text else spec["body"].get(lang) or spec["body"]["en"]
        result.append(Section(spec["id"], title, mark_safe(render(body))))  # noqa: S308 - escaped by render
    return result


def section_ids() -> list[str]:
    return [s["id"] for s in _data()["sections"]]


def section_titles(lang: str | None = None) -> list[tuple[str, str]]:
    """Each section as (id, Gentle's heading for it in ``lang``), for choosing one to edit."""
    lang = lang or language()
    return [(s["id"], s["title"].get(lang) or s["title"]["en"]) for s in _data()["sections"]]


def default_text(section: str, lang: str) -> tuple[str, str]:
    spec = next(s for s in _data()["sections"] if s["id"] == section)
    return spec["title"].get(lang, spec["title"]["en"]), spec["body"].get(lang, spec["body"]["en"])


def screen_items() -> list[tuple[str, str, list[tuple[int, str]]]]:
    """The four PHQ-2 and GAD-2 questions: (field name, text, options)."""
    items = []
    for instrument_id, item_ids, _ in SCREEN:
        instrument = catalogue()[instrument_id]
        by_id = {item.id: item for item in instrument.items}
        for item_id in item_ids:
            item = by_id[item_id]
            options = [(o.value, o.text) for o in item.options if o.value is not None]
            items.append((item_id, item.text, options))
    return items


def screen_scores(answers: dict) -> dict[str, int | None]:
    """PHQ-2 and GAD-2 totals, or None where a question was left out."""
    totals = {}
    for _, item_ids, name in SCREEN:
        values = [answers.get(i) for i in item_ids]
        totals[name] = sum(values) if all(v is not None for v in values) else None
    return totals


def decline_choices(lang: str | None = None) -> list[tuple[str, str]]:
    lang = lang or language()
    return [(d["id"], d.get(lang) or d["en"]) for d in _data()["decline"]]


def open_risk_requests(*, clinic, user, is_admin: bool):
    """Open requests whose message had risk words, for the navigation badge: for an
    administrator all of the clinic's, for a clinician the unassigned ones and their own."""
    from django.db.models import Q

    from gentle.intake.models import IntakeRequest, RequestStatus

    requests = IntakeRequest.objects.filter(
        clinic=clinic,
        risk_words=True,
        status__in=(RequestStatus.NEW, RequestStatus.ASSIGNED),
    )
    if not is_admin:
        requests = requests.filter(Q(assigned_to=None) | Q(assigned_to=user))
    return requests
