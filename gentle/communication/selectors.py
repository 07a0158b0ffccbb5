"""Reads for communication work: the data files (checklist, worksheet steps, statement rules)
in the reader's language, the style map across the inventory, and statement feedback."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gentle.communication.models import EXCHANGE_TEXTS
from gentle.lib import statements
from gentle.safety import risk

DATA = Path(__file__).resolve().parent / "data"


@cache
def _load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _lang() -> str:
    return (get_language() or "en")[:2]


def _pick(entry: dict) -> str:
    return entry.get(_lang()) or entry["en"]


# The style checklist


def styles() -> list[dict]:
    """Each style with its label and a one-line description, in the reader's language."""
    return [
        {"id": s["id"], "label": _pick(s), "about": _pick(s["about"])}
        for s in _load("styles.json")["styles"]
    ]


def style_labels() -> dict[str, str]:
    return {s["id"]: s["label"] for s in styles()}


def checklist() -> list[tuple[str, str]]:
    return [(item["id"], _pick(item)) for item in _load("styles.json")["items"]]


def checklist_version() -> int:
    return _load("styles.json")["version"]


def score_styles(ticked: list[str]) -> tuple[dict[str, int], str]:
    """Ticked sentences per style, and the usual style: the most ticked, or 'mixed' on a tie."""
    style_of = {item["id"]: item["style"] for item in _load("styles.json")["items"]}
    counts = Counter(style_of[i] for i in ticked if i in style_of)
    if not counts:
        return {}, ""
    top = max(counts.values())
    leaders = [s for s, n in counts.items() if n == top]
    return dict(counts), leaders[0] if len(leaders) == 1 else "mixed"


@dataclass
class MapRow:
    person: object
    reflections: list  # oldest first: how the style changed over the course
    cells: list  # per style: (style id, in the latest reflection, in an earlier one)


def _leading(reflection) -> set[str]:
    counts = reflection.counts or {}
    top = max(counts.values(), default=0)
    return {s for s, n in counts.items() if n == top and top}


def style_map(client) -> list[MapRow]:
    """Every person in the inventory against the four styles, now and before: two queries."""
    people = list(client.inventory.all())
    by_person: dict[int, list] = {p.pk: [] for p in people}
    for reflection in client.style_reflections.all():
        by_person.setdefault(reflection.person_id, []).append(reflection)
    ids = [s["id"] for s in _load("styles.json")["styles"]]
    rows = []
    for person in people:
        history = by_person[person.pk]
        now = _leading(history[-1]) if history else set()
        before = set().union(*(_leading(r) for r in history[:-1]))
        rows.append(MapRow(person, history, [(s, s in now, s in before) for s in ids]))
    return rows


# Worksheets


def kinds() -> dict[str, dict]:
    return {k["id"]: k for k in _load("worksheets.json")["kinds"]}


def worksheets_version() -> int:
    return _load("worksheets.json")["version"]


@dataclass
class Step:
    id: str
    label: str
    prompt: str
    required: bool
    analyse: bool
    asks: bool  # the step is where the request goes: say so when none is found


def steps(kind: str) -> list[Step]:
    return [
        Step(
            s["id"],
            _pick(s),
            _pick(s["prompt"]),
            s.get("required", False),
            s.get("analyse", False),
            s.get("asks", False),
        )
        for s in kinds()[kind]["steps"]
    ]


def kind_label(kind: str) -> str:
    return _pick(kinds()[kind])


def kind_about(kind: str) -> str:
    return _pick(kinds()[kind]["about"])


def kind_adjunct(kind: str) -> tuple[str, str]:
    """For a worksheet from outside IPT (DESC, NVC, DEAR MAN, repair): a short tag ("Adjunct
    (from DBT)") and where it comes from; ("", "") for IPT's own (decision analysis)."""
    entry = kinds()[kind]
    if "adjunct" not in entry:
        return "", ""
    return _pick(entry["adjunct"]), _pick(entry["origin"])


def kind_names() -> dict[str, str]:
    """Each kind's label, with its adjunct tag when it comes from outside IPT (for lists)."""
    names = {}
    for kind in kinds():
        tag = kind_adjunct(kind)[0]
        names[kind] = f"{kind_label(kind)} · {tag}" if tag else kind_label(kind)
    return names


def worksheet_page(worksheet, worksheet_steps) -> dict:
    """What a worksheet page shows besides its form, for the care team and the portal alike:
    the steps as written (for print), and statement feedback on the steps that ask for it."""
    answers = worksheet.answers
    return {
        "worksheet": worksheet,
        "kind_label": kind_label(worksheet.kind),
        "kind_about": kind_about(worksheet.kind),
        "adjunct": kind_adjunct(worksheet.kind),
        "written": [(s, answers.get(s.id, "")) for s in worksheet_steps],
        "feedback": [
            (s.label, [n for n in feedback(answers[s.id]) if s.asks or n.kind != "missing"])
            for s in worksheet_steps
            if s.analyse and answers.get(s.id)
        ],
    }


# Communication analysis

EXCHANGE_FIELDS = ("day", "area", "person", "goal", *EXCHANGE_TEXTS)


def exchange_initial(exchange) -> dict:
    return {name: getattr(exchange, name) for name in EXCHANGE_FIELDS}


# Statement feedback

FEATURES = {
    "i_statement": _("Speaks from 'I'"),
    "you_statement": _("'You' statement"),
    "absolute": _("Absolute words"),
    "blame": _("Blame"),
    "contempt": _("Contempt or mockery"),
    "hedge": _("Hedging"),
    "request": _("A clear request"),
}


@dataclass
class Note:
    feature: str
    label: str
    kind: str  # strength, watch or missing
    matches: tuple
    suggestion: str
    rule: str


def statement_rules() -> dict:
    return _load("statements.json")


def own_risk(text: str) -> bool:
    """The writer's own words of suicide or self-harm (gentle.safety.risk 'self'): no feedback
    is given on them."""
    return risk.scan(text or "").level == "self"


def feedback(text: str, language: str | None = None) -> list[Note]:
    """Gentle, rule-based notes on a sentence the client means to say (gentle.lib.statements):
    strengths first, then what to watch, each with the rule behind it. No notes on a sentence
    of the writer's own risk (gentle.safety.risk).

    ``language`` is the language the sentence is written in, when it is known (a rehearsal's):
    the rules that read it and their wording follow it, since a rule quotes the phrases it looks
    for. Without it, the sentence is taken to be in the reader's language."""
    if own_risk(text):
        # Never praise or rate the writer's own risk words as a request: the page answers
        # them with help (the crisis response), not with pointers.
        return []
    order = {"strength": 0, "watch": 1, "missing": 2}
    found = statements.analyse(text or "", _load("statements.json"), language or _lang())
    notes = [
        Note(
            f.feature,
            str(FEATURES.get(f.feature, f.feature)),
            f.kind,
            f.matches,
            f.suggestion,
            f.rule,
        )
        for f in found
    ]
    return sorted(notes, key=lambda n: order.get(n.kind, 3))
