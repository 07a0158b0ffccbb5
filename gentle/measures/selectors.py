"""Results as people read them: scores with bands, change from first and last, reliable change,
and a chart per instrument with band shading, session numbers and phase boundaries."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.db.models import Count, Q
from django.utils import timezone

from gentle.courses.selectors import number_sessions
from gentle.lib import svg
from gentle.lib.outcomes import Measure, ReliableChange, course_outcome, reliable_change
from gentle.measures.instruments import Instrument, Score, catalogue
from gentle.measures.models import Administration, Status

OUTCOMES = Path(__file__).resolve().parent / "data" / "outcomes.json"
CLINIC_SAMPLE_MIN = 30


@cache
def outcome_rules() -> dict:
    return json.loads(OUTCOMES.read_text(encoding="utf-8"))


@dataclass
class Threshold:
    points: float
    how: str  # "jacobson_truax" or "nhs_points"


@dataclass
class ResultRow:
    administration: Administration
    value: float | None
    band: object
    number: int | None
    change_first: float | None = None
    change_last: float | None = None
    reliable: ReliableChange | None = None
    subscores: list = field(default_factory=list)


@dataclass
class InstrumentResults:
    instrument: Instrument
    score: Score
    rows: list[ResultRow]
    chart: str
    threshold: Threshold | None


def reliable_threshold(instrument: Instrument, score: Score, clinic) -> Threshold | None:
    """Jacobson-Truax with the data file's r and the clinic's own SD of first scores (30 or
    more), else the outcome rules' points for this instrument, else none."""
    r = score.reliability.get("r")
    sd = score.reliability.get("sd")
    if r is not None and sd is None and clinic is not None:
        firsts = first_scores(clinic, instrument.id, score.id)
        if len(firsts) >= CLINIC_SAMPLE_MIN:
            sd = statistics.stdev(firsts)
    if r is not None and sd:
        return Threshold(reliable_change(0, 0, sd=sd, r=r).threshold, "jacobson_truax")
    points = outcome_rules()["measures"].get(instrument.id, {}).get("reliable_change")
    return Threshold(points, "nhs_points") if points else None


def first_scores(clinic, instrument_id: str, score_id: str) -> list[float]:
    """Each client's first submitted score on this instrument in the clinic."""
    seen: dict[int, float] = {}
    for client_id, scores in (
        Administration.objects.filter(
            client__clinic=clinic,
            instrument_id=instrument_id,
            status=Status.SUBMITTED,
            corrections__isnull=True,
        )
        .order_by("client_id", "submitted_at")
        .values_list("client_id", "scores")
    ):
        if client_id not in seen and scores.get(score_id) is not None:
            seen[client_id] = scores[score_id]
    return list(seen.values())


def submitted(client) -> list[Administration]:
    """The client's submitted administrations, corrected ones replaced by their correction."""
    rows = list(
        Administration.objects.filter(client=client, status=Status.SUBMITTED)
        .annotate(
            n_corrections=Count("corrections", filter=Q(corrections__status=Status.SUBMITTED))
        )
        .select_related("session", "course")
        .order_by("submitted_at", "pk")
    )
    return [a for a in rows if a.n_corrections == 0]


def _session_numbers(client) -> dict[int, int]:
    numbers = {}
    for course in client.courses.prefetch_related("sessions"):
        for session in number_sessions(course, list(course.sessions.all())):
            if session.number:
                numbers[session.pk] = session.number
    return numbers


def client_results(client, *, course=None) -> list[InstrumentResults]:
    administrations = submitted(client)
    numbers = _session_numbers(client)
    by_instrument: dict[str, list[Administration]] = {}
    for administration in administrations:
        if administration.instrument_id in catalogue():
            by_instrument.setdefault(administration.instrument_id, []).append(administration)
    results = []
    for instrument_id, items in by_instrument.items():
        instrument = catalogue()[instrument_id]
        score = instrument.main_score
        threshold = reliable_threshold(instrument, score, client.clinic)
        rows = []
        for administration in items:
            value = administration.scores.get(score.id)
            row = ResultRow(
                administration, value, score.band_for(value), numbers.get(administration.session_id)
            )
            row.subscores = [
                (s, administration.scores.get(s.id), s.band_for(administration.scores.get(s.id)))
                for s in instrument.scores[1:]
            ]
            rows.append(row)
        valued = [row for row in rows if row.value is not None]
        for index, row in enumerate(valued):
            if index:
                row.change_first = row.value - valued[0].value
                row.change_last = row.value - valued[index - 1].value
                if threshold:
                    change = abs(row.change_first)
                    row.reliable = ReliableChange(
                        round(row.change_first / (threshold.points / 1.96), 2),
                        threshold.points,
                        change >= threshold.points,
                    )
        results.append(
            InstrumentResults(
                instrument, score, rows, _chart(instrument, score, valued, course), threshold
            )
        )
    return sorted(results, key=lambda r: r.instrument.id)


def _chart(instrument: Instrument, score: Score, rows: list[ResultRow], course) -> str:
    if not rows:
        return ""
    numbered = all(row.number for row in rows)
    points = [(row.number if numbered else index + 1, row.value) for index, row in enumerate(rows)]
    x_max = max(
        course.contracted_sessions if course and numbered else 0, max(x for x, _ in points), 2
    )
    markers = []
    if course and numbered:
        markers = [(course.initial_last + 0.5, "phase"), (course.termination_first - 0.5, "phase")]
    # Whole-number bands meet halfway between their edges (4 | 5 becomes 4.5).
    bands = [
        (
            max(b.low - 0.5, score.minimum),
            min(b.high + 0.5, score.maximum),
            f"severity-{b.severity}",
        )
        for b in score.bands
    ]
    label = f"{instrument.name}: {score.text}" + (" by session" if numbered else "")
    return svg.line_chart(
        points,
        x_max=x_max,
        y_max=score.maximum,
        label=label,
        bands=bands,
        markers=markers,
        y_min=score.minimum,
    )


def course_outcomes(course) -> object | None:
    """NHS Talking Therapies outcomes, response and remission for one course."""
    rules = outcome_rules()
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    for administration in submitted(course.client):
        if administration.course_id != course.pk:
            continue
        value = administration.scores.get("total")
        if administration.instrument_id in rules["measures"] and value is not None:
            first.setdefault(administration.instrument_id, value)
            last[administration.instrument_id] = value
    if not first:
        return None
    attended = course.sessions.filter(attendance="attended").count()
    measures = {
        k: Measure(v["caseness"], v["reliable_change"]) for k, v in rules["measures"].items()
    }
    return course_outcome(
        first,
        last,
        attended=attended,
        measures=measures,
        min_sessions=rules["min_sessions"],
        depression=rules["depression"],
        remission_below=rules["remission_below"],
        response_drop=rules["response_drop"],
    )


def open_assignments(client) -> list[Administration]:
    return list(
        Administration.objects.filter(client=client)
        .exclude(status=Status.SUBMITTED)
        .order_by("due_on", "created_at")
    )


def today():
    return timezone.localdate()
