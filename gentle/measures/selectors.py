"""Results as people read them: scores with bands, change from first and last, reliable change,
and a chart per instrument with band shading, session numbers and phase boundaries."""

from __future__ import annotations

import json
import math
import statistics
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple, Protocol, cast

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from gentle.accounts.models import Clinic
from gentle.clients.models import Client
from gentle.courses.models import Attendance, Course, Session
from gentle.courses.selectors import number_sessions
from gentle.lib import client_people, svg
from gentle.lib.outcomes import (
    CourseOutcome,
    Measure,
    ReliableChange,
    course_outcome,
    reliable_change,
)
from gentle.lib.prepared import ID_LIST, PreparedQuery, id_lists, listed_ids
from gentle.measures.instruments import Band, Instrument, Score, catalogue
from gentle.measures.models import (
    Administration,
    ClinicStatistic,
    FixedThresholds,
    Mode,
    StatisticKind,
    Status,
)
from gentle.measures.scoring import prorated_items

OUTCOMES = Path(__file__).resolve().parent / "data" / "outcomes.json"
CLINIC_SAMPLE_MIN = 30


@cache
def outcome_rules() -> dict[str, Any]:
    return json.loads(OUTCOMES.read_text(encoding="utf-8"))


def outcome_rule_set(course_format: str = "") -> tuple[str, dict[str, Any]]:
    """The outcome rules a course of this format is judged by, and whose they are: the
    format's own section of data/outcomes.json ("formats") over the clinic-wide rules, with the
    format's name; else the clinic-wide rules and "" (docs/outcomes.md, "Rules by format")."""
    rules = outcome_rules()
    own = (rules.get("formats") or {}).get(course_format)
    merged = {key: value for key, value in rules.items() if key != "formats"}
    if not own:
        return "", merged
    merged.update({key: value for key, value in own.items() if key != "note"})
    return course_format, merged


def _rules_threshold(instrument_id: str) -> Threshold | None:
    """The outcome rules' reliable-change points for an instrument: the NHS Talking Therapies
    points, or a placeholder the rules mark unconfirmed (``"confirmed": false``)."""
    measure = outcome_rules()["measures"].get(instrument_id, {})
    points = measure.get("reliable_change")
    if not points:
        return None
    how = "nhs_points" if measure.get("confirmed", True) else "unconfirmed_points"
    return Threshold(points, how)


@dataclass
class Threshold:
    points: float
    how: str  # "jacobson_truax", "nhs_points" or "unconfirmed_points" (the rules' placeholder)
    based_on: int = 0  # clients whose first scores gave the spread (0: the data file's SD)
    computed_at: datetime | None = None
    fixed_at: datetime | None = None  # when the course it judges finished (ADR 0052)

    @property
    def shown(self) -> str:
        """The points as a page shows them: 6, 4.6, 7.35."""
        return f"{self.points:g}"


@dataclass(frozen=True)
class Spread:
    """The standard deviation of the clinic's clients' first scores on one instrument."""

    sd: float
    n: int


#: How a stored clinic curve is indexed: by position in the course, k / N in ``bins`` steps.
#: A stored curve without it (indexed by administration number, before 2026-12-04) is not read.
CURVE_SCALE = "fraction_of_course"


def position_bin(k: int, sessions: int, bins: int) -> int:
    """Where the ``k``-th administration of a course of ``sessions`` contracted sessions falls
    on the clinic curve's scale: k / N (at most 1: flat after N) in ``bins`` steps, rounded half
    up. The 8th score of 16 and the 4th of 8 are both at 5 of 10 (the middle)."""
    n = max(sessions or expected_rules()["default_sessions"], 1)
    return math.floor(min(k, n) / n * bins + 0.5)


@dataclass(frozen=True)
class Curve:
    """Expected ratio of score to starting score, and whose it is: the clinic's own
    ("clinic", from ``based_on`` finished courses, as computed at ``computed_at``) or the
    documented default ("default"). ``by_band``: the clinic's ratios for each starting band it
    had enough courses in, by position in the course (``position_bin``, 0 to ``bins``; None
    where a position had too few courses), so a clinic of 16-session courses gives an 8-session
    course the ratio of its own courses' middle at the 8-session course's middle. Every other
    band and position follows the default, a log-linear fall scaled to the course's contracted
    sessions and format (``default_ratio``)."""

    source: str
    by_band: dict[str, list[float | None]] = field(default_factory=dict)
    based_on: int = 0
    computed_at: datetime | None = None
    bins: int = 0

    def applies_to(self, course_format: str = "") -> bool:
        """Whether the clinic's own ratios may be read for a course of this format: they are
        fitted only from courses tracked on the main instrument (the PHQ-9), so a course
        tracked on another questionnaire (IPT-A's PHQ-A, perinatal IPT's EPDS) never reads
        them."""
        return tracked_instrument(course_format) == expected_rules()["instrument"]

    def for_format(self, course_format: str = "") -> Curve:
        """The curve a course of this format is read against: this one, or the default."""
        return self if self.applies_to(course_format) else default_curve()

    def ratio(self, start: float, k: int, sessions: int, course_format: str = "") -> float:
        """The expected ratio at the ``k``-th administration (1 = the first) of a course of
        ``sessions`` contracted sessions."""
        own = self.by_band.get(band_key(start)) or [] if self.applies_to(course_format) else []
        if k > 1 and own:
            position = position_bin(k, sessions, self.bins)
            if position < len(own) and own[position] is not None:
                return cast(float, own[position])
        return default_ratio(start, k, sessions, course_format)


def tracking_rules(course_format: str = "") -> dict[str, Any]:
    """The expected-recovery rules a course of this format is tracked by: the format's own
    entry of data/expected_recovery.json ("formats": its questionnaire, end ratios, tolerance)
    over the main rules."""
    rules = expected_rules()
    own = (rules.get("formats") or {}).get(course_format) or {}
    merged = {key: value for key, value in rules.items() if key != "formats"}
    merged.update({key: value for key, value in own.items() if key != "note"})
    return merged


def tracked_instrument(course_format: str = "") -> str:
    """The questionnaire a course of this format is tracked on ("phq9", "phqa", "epds")."""
    return cast(str, tracking_rules(course_format)["instrument"])


def tracked_name(course_format: str = "") -> str:
    """The short name of the questionnaire a course of this format is tracked on ("PHQ-A")."""
    return _short_name(tracked_instrument(course_format))


def band_key(start: float, instrument_id: str = "") -> str:
    """The starting band, as "low-high" ("10-14"), on the questionnaire a course is tracked on
    (the main instrument's unless named)."""
    score = catalogue()[instrument_id or expected_rules()["instrument"]].main_score
    band = score.band_for(start)
    return f"{band.low:g}-{band.high:g}" if band else ""


def default_ratio(start: float, k: int, sessions: int, course_format: str = "") -> float:
    """The documented default (data/expected_recovery.json): 1 - (1 - end) * ln(k) / ln(N)
    for a course of N contracted sessions, flat after N; ``end`` by the starting band on the
    format's questionnaire (the format's own end ratios if it has them)."""
    rules = tracking_rules(course_format)
    end = rules["end_ratio_by_band"].get(band_key(start, rules["instrument"]), 1.0)
    n = max(sessions or rules["default_sessions"], 2)
    k = max(min(k, n), 1)
    return round(1 - (1 - end) * math.log(k) / math.log(n), 3)


@dataclass
class ResultRow:
    administration: Administration
    value: float | None
    band: Band | None
    number: int | None
    change_first: float | None = None
    change_last: float | None = None
    reliable: ReliableChange | None = None
    subscores: list[tuple[Score, float | None, Band | None]] = field(default_factory=list)
    expected: float | None = None
    prorated: int = 0  # items answered "not applicable" that the total was prorated over


@dataclass
class InstrumentResults:
    instrument: Instrument
    score: Score
    rows: list[ResultRow]
    chart: str
    threshold: Threshold | None
    curve: Curve | None = None  # the expected curve drawn, if any
    charted: int = 0  # how many of the answers the chart shows (the latest CHART_LATEST)
    about: str = ""  # whom the answers are about (a per-relationship questionnaire)
    about_label: str = ""
    own_curve_possible: bool = True  # False: the clinic's fitted (PHQ-9) curve never applies

    @property
    def anchor(self) -> str:
        """The section's id: the instrument's, and for one person's answers theirs too."""
        if not self.about:
            return self.instrument.id
        return f"{self.instrument.id}-{''.join(c if c.isalnum() else '-' for c in self.about)}"

    @property
    def valued(self) -> int:
        return sum(1 for row in self.rows if row.value is not None)


CHART_LATEST = 52  # a year of weekly answers


def reliable_threshold(
    instrument: Instrument,
    score: Score,
    spreads: dict[str, Spread],
    computed_at: datetime | None = None,
) -> Threshold | None:
    """Jacobson-Truax with the data file's r and the clinic's own SD of first scores (30 or
    more, as last computed by the worker), else the outcome rules' points for this instrument,
    else none."""
    r = score.reliability.get("r")
    sd = score.reliability.get("sd")
    based_on, when = 0, None
    spread = spreads.get(instrument.id)
    if r is not None and sd is None and spread is not None and spread.n >= CLINIC_SAMPLE_MIN:
        sd, based_on, when = spread.sd, spread.n, computed_at
    if r is not None and sd:
        points = reliable_change(0, 0, sd=sd, r=r).threshold
        return Threshold(points, "jacobson_truax", based_on, when)
    return _rules_threshold(instrument.id)


def spread_instruments() -> list[str]:
    """Instruments whose reliable change needs the clinic's own spread (an r, no SD)."""
    return sorted(
        instrument.id
        for instrument in catalogue().values()
        if instrument.main_score.reliability.get("r") is not None
        and instrument.main_score.reliability.get("sd") is None
    )


def clinic_first_scores(clinic: Clinic) -> dict[str, list[float]]:
    """Each client's first submitted main score, per instrument that needs the clinic's
    spread, in the clinic. Reads every such administration of the clinic: only the worker calls
    it (``actions.statistics_compute``), never a page."""
    seen: dict[tuple[str, int], float] = {}
    for client_id, instrument_id, scores in (
        Administration.objects.filter(
            client__clinic=clinic,
            status=Status.SUBMITTED,
            instrument_id__in=spread_instruments(),
        )
        .order_by("client_id", "submitted_at")
        .values_list("client_id", "instrument_id", "scores")
        .iterator(chunk_size=2000)
    ):
        instrument = catalogue().get(instrument_id)
        if instrument is None or (instrument_id, client_id) in seen:
            continue
        value = scores.get(instrument.main_score.id)
        if value is not None:
            seen[(instrument_id, client_id)] = value
    firsts: dict[str, list[float]] = {}
    for (instrument_id, _client), value in seen.items():
        firsts.setdefault(instrument_id, []).append(value)
    return firsts


def first_score_spreads(firsts: dict[str, list[float]]) -> dict[str, Spread]:
    return {
        instrument_id: Spread(statistics.stdev(values), len(values))
        for instrument_id, values in sorted(firsts.items())
        if len(values) >= 2
    }


def submitted(client: Client) -> list[Administration]:
    """The client's submitted administrations, corrected ones replaced by their correction."""
    # NOT EXISTS looks each one's corrections up by the foreign key's index; a counting join made
    # SQLite build an automatic index over every administration of the clinic on each request
    # (docs/performance.md, "Scale").
    corrected = Administration.objects.filter(corrects=OuterRef("pk"), status=Status.SUBMITTED)
    return list(
        Administration.objects.filter(client=client, status=Status.SUBMITTED)
        .filter(~Exists(corrected))
        .select_related("session", "course")
        .order_by("submitted_at", "pk")
    )


def _session_numbers(client: Client) -> dict[int | None, int]:
    """Session id to number (looked up with an administration's session id, None for none)."""
    numbers: dict[int | None, int] = {}
    for course in client.courses.prefetch_related("sessions"):
        for session in number_sessions(course, list(course.sessions.all())):
            if session.number:
                numbers[session.pk] = session.number
    return numbers


def client_results(
    client: Client,
    *,
    course: Course | None = None,
    events: Sequence[date] = (),
    bands: bool = True,
    thresholds: dict[str, Threshold] | None = None,
    expected_for: Course | None = None,
) -> list[InstrumentResults]:
    """Results per instrument. ``events`` are dates (life events, from the caller that can see
    the timeline) to mark on charts drawn by session number. ``bands=False`` charts without
    the severity bands (and so without their names in the legend): for the client, to whom a
    band such as "suggests prolonged grief" would read as a flag. The expected course is drawn
    for ``expected_for`` (else ``course``): that course's answers, from its first score, scaled
    to its contracted sessions and format."""
    administrations = submitted(client)
    expected_for = expected_for or course
    numbers = _session_numbers(client)
    # A questionnaire about one person at a time (ECR-RS) is kept per person: a change is only
    # ever from that person's first answer, never across people (issue 25).
    by_instrument: dict[tuple[str, str], list[Administration]] = {}
    for administration in administrations:
        instrument = catalogue().get(administration.instrument_id)
        if instrument is not None:
            about = administration.about if instrument.per_relationship else ""
            by_instrument.setdefault((instrument.id, about), []).append(administration)
    labels = about_labels(client, {about for _i, about in by_instrument if about})
    results = []
    stored = stored_statistics(client.clinic_id) if by_instrument else {}
    spreads, spreads_at = _spreads(stored.get(StatisticKind.FIRST_SCORE_SPREAD))
    curve = _curve(stored.get(StatisticKind.EXPECTED_CURVE))
    for (instrument_id, about), items in by_instrument.items():
        instrument = catalogue()[instrument_id]
        score = instrument.main_score
        if thresholds is not None:
            threshold = thresholds.get(instrument_id)
        else:
            threshold = reliable_threshold(instrument, score, spreads, spreads_at)
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
            row.prorated = prorated_items(score, administration.answers)
            rows.append(row)
        valued = [row for row in rows if row.value is not None]
        values = [row.value for row in valued if row.value is not None]  # the same, typed
        for index, row in enumerate(valued):
            if index:
                row.change_first = values[index] - values[0]
                row.change_last = values[index] - values[index - 1]
                if threshold:
                    change = abs(row.change_first)
                    row.reliable = ReliableChange(
                        round(row.change_first / (threshold.points / 1.96), 2),
                        threshold.points,
                        change >= threshold.points,
                    )
        expected: list[float | None] = [None] * len(valued)
        used: Curve | None = None
        goal = expected_for
        in_course = [row for row in valued if goal and row.administration.course_id == goal.pk]
        tracked = goal is not None and instrument.id == tracked_instrument(goal.format)
        if tracked and len(in_course) >= 2 and goal and not about:
            # The expected course of the current course, from its own first score, on the
            # questionnaire its format is tracked on.
            used = curve.for_format(goal.format)
            start = cast(float, in_course[0].value)
            for k, row in enumerate(in_course, start=1):
                ratio = used.ratio(start, k, goal.contracted_sessions, goal.format)
                row.expected = round(start * ratio, 1)
            expected = [row.expected for row in valued]
        # A long history is charted by its latest answers, so the page stays light; the table
        # (and its "show all") keeps every one, and the changes count from the true first.
        latest = valued[-CHART_LATEST:]
        label = labels.get(about, "")
        chart = _chart(
            instrument,
            score,
            latest,
            course,
            expected[-CHART_LATEST:],
            events,
            bands=bands,
            about=label,
        )
        results.append(
            InstrumentResults(
                instrument,
                score,
                rows,
                chart,
                threshold,
                used,
                len(latest),
                about,
                label,
                own_curve_possible=goal is None or curve.applies_to(goal.format),
            )
        )
    return sorted(results, key=lambda r: (r.instrument.id, r.about_label, r.about))


#: Whom a relationship questionnaire may be about besides a person of the inventory.
ABOUT_TARGETS = [
    ("mother", gettext_lazy("Mother")),
    ("father", gettext_lazy("Father")),
    ("partner", gettext_lazy("Partner")),
    ("best_friend", gettext_lazy("Best friend")),
]


def about_labels(client: Client, abouts: set[str]) -> dict[str, str]:
    """Names for whom answers are about: a person of the inventory by their name (one query,
    through gentle.lib.client_people), a standard target by its label, else as written."""
    ids = {
        int(about.split(":", 1)[1])
        for about in abouts
        if about.startswith("person:") and about.split(":", 1)[1].isdigit()
    }
    people = client_people.named(client.pk, ids) if ids else {}
    targets = dict(ABOUT_TARGETS)
    labels = {}
    for about in abouts:
        person_id = about.split(":", 1)[1] if about.startswith("person:") else ""
        if person_id.isdigit() and int(person_id) in people:
            labels[about] = people[int(person_id)].name
        elif person_id:
            labels[about] = _("someone no longer in the inventory")
        else:
            labels[about] = str(targets.get(about, about))
    return labels


def _chart(
    instrument: Instrument,
    score: Score,
    rows: list[ResultRow],
    course: Course | None,
    expected: Sequence[float | None] = (),
    events: Sequence[date] = (),
    *,
    bands: bool = True,
    about: str = "",
) -> str:
    """``rows``: those with a value; ``about``: whom the answers are about, if anyone."""
    if not rows:
        return ""
    numbered = all(row.number for row in rows)
    xs = [cast(int, row.number) if numbered else index + 1 for index, row in enumerate(rows)]
    points = list(zip(xs, [cast(float, row.value) for row in rows], strict=True))
    expected_points = (
        [(x, e) for x, e in zip(xs, expected, strict=True) if e is not None] if expected else []
    )
    x_max = max(
        course.contracted_sessions if course and numbered else 0, max(x for x, _y in points), 2
    )
    markers: list[tuple[float, str]] = []
    if course and numbered:
        markers = [(course.initial_last + 0.5, "phase"), (course.termination_first - 0.5, "phase")]
        markers += [(x, "life-event") for x in _event_positions(rows, events)]
    # Whole-number bands meet halfway between their edges (4 | 5 becomes 4.5).
    shaded = [
        (
            max(b.low - 0.5, score.minimum),
            min(b.high + 0.5, score.maximum),
            f"severity-{b.severity}",
            f"{b.text} {b.low:g}–{b.high:g}",
        )
        for b in score.bands
        if bands
    ]
    # The ticks are where the bands begin (0, 5, 10, 15, 20, 27 for the PHQ-9), else round
    # numbers: never the halfway point of the scale (13.5).
    ticks = sorted({score.minimum, score.maximum, *(b.low for b in score.bands)})
    if numbered:
        label = _("%(instrument)s: %(score)s by session")
        x_title = _("Session")
    else:
        label = _("%(instrument)s: %(score)s")
        x_title = _("Answer, oldest to newest")
    name = instrument.name
    if about:
        name = _("%(instrument)s about %(person)s") % {"instrument": name, "person": about}
    return svg.line_chart(
        points,
        x_max=x_max,
        y_max=score.maximum,
        label=label % {"instrument": name, "score": score.text},
        x_title=x_title,
        y_title=f"{score.text} ({score.minimum:g}–{score.maximum:g})",
        keys={
            "line": score.text,
            "expected": _("Expected course"),
            "phase": _("Change of phase (initial, middle, termination)"),
            "life-event": _("Life event (from the timeline)"),
        },
        bands=shaded,
        markers=markers,
        y_min=score.minimum,
        y_ticks=ticks if shaded else (),
        expected=expected_points,
    )


@dataclass
class Outcome:
    """A course's outcome as a page shows it: ``result`` only for a finished course with at
    least the rules' attended sessions and two depression scores; else ``not_yet`` says why.
    ``thresholds``: the reliable-change points each measure was judged by (the page's own).
    ``complete``: whether the measures' first and last scores paired by date."""

    course: Course
    attended: int
    parent_only: int
    not_yet: list[str]
    result: CourseOutcome | None
    thresholds: dict[str, Threshold]
    complete: bool
    rules: dict[str, Any]  # the rule set the course is judged by (its format's, if it has one)
    rule_set: str = ""  # the format whose own rules these are; "" for the clinic-wide rules
    first_depression: float | None = None
    last_depression: float | None = None

    @property
    def response_percent(self) -> int | None:
        drop = self.rules["response_drop"]
        return None if drop is None else round(drop * 100)

    @property
    def judged_on(self) -> list[str]:
        """The short names of the questionnaires the outcome is judged on ("PHQ-9", "GAD-7")."""
        return [_short_name(m) for m in self.rules["judged_on"]]

    @property
    def depression_name(self) -> str:
        return _short_name(self.rules["depression"])

    @property
    def rule_set_label(self) -> str:
        """Which rules the course is judged by, as the page says it."""
        from gentle.courses.models import CourseFormat

        names = self.judged_on
        measures = (
            _("%(measure)s alone") % {"measure": names[0]}
            if len(names) == 1
            else _("%(measures)s and %(last)s")
            % {"measures": ", ".join(names[:-1]), "last": names[-1]}
        )
        if self.rule_set:
            label = dict(CourseFormat.choices).get(self.rule_set, self.rule_set)
            return _("the rules for %(format)s: %(measures)s") % {
                "format": label,
                "measures": measures,
            }
        return _("the clinic-wide rules: %(measures)s") % {"measures": measures}

    @property
    def not_judged(self) -> str:
        """Why response or remission is not judged for this rule set ("" when both are)."""
        from gentle.measures.instruments import localized

        if self.rules["response_drop"] is not None and self.rules["remission_below"] is not None:
            return ""
        reason = self.rules.get("no_response_remission")
        return localized(reason) if reason else _("Not defined in the outcome rules file.")

    @property
    def unconfirmed(self) -> list[str]:
        """The short names of the questionnaires judged whose caseness and reliable-change
        points the rules mark unconfirmed (``"confirmed": false``): placeholders, not NHS
        Talking Therapies definitions (those are for the PHQ-9 and GAD-7)."""
        measures = self.rules["measures"]
        return [
            _short_name(m)
            for m in self.rules["judged_on"]
            if not measures.get(m, {}).get("confirmed", True)
        ]

    @property
    def threshold_rows(self) -> list[tuple[str, Threshold]]:
        return [(_short_name(m), t) for m, t in self.thresholds.items()]


def _day(administration: Administration) -> date:
    when = administration.session.starts_at if administration.session else administration.when
    return timezone.localdate(when)


def _pair(
    scores: list[tuple[Administration, float]],
    target: Administration,
    window: int,
) -> tuple[Administration, float] | None:
    """The score given in the same session as ``target`` or, failing that, the nearest within
    ``window`` days of it (the earlier on a tie)."""
    same = [s for s in scores if target.session_id and s[0].session_id == target.session_id]
    if same:
        return same[-1]
    near = [s for s in scores if abs((_day(s[0]) - _day(target)).days) <= window]
    if not near:
        return None
    return min(near, key=lambda s: (abs((_day(s[0]) - _day(target)).days), s[0].when))


def course_outcomes(
    course: Course, thresholds: dict[str, Threshold] | None = None
) -> Outcome | None:
    """NHS Talking Therapies outcomes, response and remission for one course, by the rules in
    data/outcomes.json for the course's format (``outcome_rule_set``; docs/outcomes.md),
    judged with ``thresholds`` (the page's, so that a row and the outcome never disagree; the
    rules' points where none is given). None when the course has no score of its rule set's
    depression measure at all. Three queries."""
    from gentle.courses.models import FINISHED_STATUSES, Attendance, Participants

    rule_set, rules = outcome_rule_set(course.format)
    depression = rules["depression"]
    judged_on = list(dict.fromkeys([depression, *rules["judged_on"]]))
    series: dict[str, list[tuple[Administration, float]]] = {}
    for administration in submitted(course.client):
        value = administration.scores.get("total")
        if (
            administration.course_id == course.pk
            and value is not None
            and administration.instrument_id in judged_on
        ):
            series.setdefault(administration.instrument_id, []).append((administration, value))
    if depression not in series:
        return None
    held = course.sessions.filter(attendance=Attendance.ATTENDED)
    parent_only = 0
    attended = 0
    for participants in held.values_list("participants", flat=True):
        if participants == Participants.PARENT_ONLY:
            parent_only += 1
        else:
            attended += 1
    not_yet = []
    if course.status not in FINISHED_STATUSES:
        not_yet.append(_("the course is still running"))
    if attended < rules["min_sessions"]:
        not_yet.append(
            ngettext(
                "fewer than %(n)d session attended",
                "fewer than %(n)d sessions attended",
                rules["min_sessions"],
            )
            % {"n": rules["min_sessions"]}
        )
    if len(series[depression]) < 2:
        not_yet.append(
            _("fewer than two %(name)s scores in the course") % {"name": _short_name(depression)}
        )
    used = {
        m: thresholds[m]
        if thresholds and m in thresholds
        else _rules_threshold(m) or Threshold(rules["measures"][m]["reliable_change"], "nhs_points")
        for m in judged_on
    }
    points = {m: t.points for m, t in used.items()}
    outcome = Outcome(course, attended, parent_only, not_yet, None, used, True, rules, rule_set)
    if not_yet:
        return outcome
    depression_scores = series[depression]
    first = {depression: depression_scores[0][1]}
    last = {depression: depression_scores[-1][1]}
    outcome.first_depression, outcome.last_depression = first[depression], last[depression]
    for measure, scores in series.items():
        if measure == depression:
            continue
        start = _pair(scores, depression_scores[0][0], rules["pair_within_days"])
        end = _pair(scores, depression_scores[-1][0], rules["pair_within_days"])
        if start is None or end is None or start[0].pk == end[0].pk:
            outcome.complete = False
            continue
        first[measure], last[measure] = start[1], end[1]
    if any(m not in series for m in judged_on):
        outcome.complete = False  # a measure never given in the course cannot be paired
    mixed = rules["mixed_change"]
    outcome.result = course_outcome(
        first,
        last,
        attended=attended,
        measures={m: Measure(rules["measures"][m]["caseness"], points[m]) for m in judged_on},
        min_sessions=rules["min_sessions"],
        depression=depression,
        remission_below=rules["remission_below"],
        response_drop=rules["response_drop"],
        mixed_improvement=bool(mixed["reliable_improvement"]),
        mixed_deterioration=bool(mixed["reliable_deterioration"]),
        complete=outcome.complete,
    )
    return outcome


def _short_name(instrument_id: str) -> str:
    """ "PHQ-9" of "PHQ-9 (depression)"."""
    instrument = catalogue().get(instrument_id)
    return instrument.short_name if instrument else instrument_id.upper()


def page_thresholds(clinic_id: int, course: Course | None) -> dict[str, Threshold]:
    """The one reliable-change threshold per instrument that a page uses for its rows and its
    course outcome: those fixed when ``course`` finished (ADR 0052) or, for a running course
    (or one finished before thresholds were fixed), as the clinic's statistics stand now.
    Two queries at most."""
    if course is not None:
        fixed = FixedThresholds.objects.filter(course=course).first()
        if fixed is not None:
            return {
                i: Threshold(
                    float(t["points"]), t["how"], int(t.get("based_on", 0)), None, fixed.fixed_at
                )
                for i, t in fixed.thresholds.items()
            }
    kind = StatisticKind.FIRST_SCORE_SPREAD
    spreads, spreads_at = _spreads(stored_statistics(clinic_id, kind).get(kind))
    found = {}
    for instrument in catalogue().values():
        threshold = reliable_threshold(instrument, instrument.main_score, spreads, spreads_at)
        if threshold is not None:
            found[instrument.id] = threshold
    return found


def open_assignments(client: Client) -> list[Administration]:
    return list(
        Administration.objects.filter(client=client)
        .exclude(status=Status.SUBMITTED)
        .order_by("due_on", "created_at")
    )


def today() -> date:
    return timezone.localdate()


SCHEDULE = Path(__file__).resolve().parent / "data" / "schedule.json"


@cache
def default_schedule(course_format: str = "") -> tuple[tuple[str, str, int | None], ...]:
    """The schedule a course follows until its clinician sets one: its format's own
    (data/schedule.json "formats"), else the clinic default."""
    data = json.loads(SCHEDULE.read_text(encoding="utf-8"))
    rules = data.get("formats", {}).get(course_format) or data["default"]
    return tuple((r["instrument"], r["rule"], r.get("n")) for r in rules)


def check_schedules() -> None:
    """Refuse at start-up a schedule.json naming an unknown format, instrument or rule, or an
    'every_n' without an N of 2 to 12 (the limits a clinician's own schedule has)."""
    from gentle.courses.protocol import FORMATS
    from gentle.measures.instruments import InstrumentError, catalogue
    from gentle.measures.models import Rule

    data = json.loads(SCHEDULE.read_text(encoding="utf-8"))
    unknown = set(data.get("formats", {})) - set(FORMATS)
    if unknown:
        raise InstrumentError(f"schedule.json: unknown formats {sorted(unknown)}")
    for name in ("", *data.get("formats", {})):
        for instrument, rule, n in default_schedule(name):
            if instrument not in catalogue() or rule not in Rule.values:
                raise InstrumentError(f"schedule.json {name or 'default'}: {instrument} {rule}")
            if rule == Rule.EVERY_N and not (isinstance(n, int) and 2 <= n <= 12):
                raise InstrumentError(f"schedule.json {name or 'default'}: every_n needs n 2-12")


def is_due(rule: str, n: int | None, number: int, contracted: int) -> bool:
    if rule == "every_session":
        return True
    if rule == "every_n":
        return number == 1 or number % (n or 1) == 0
    return number in (1, contracted)


Schedules = dict[int, list[tuple[str, str, int | None]]]
Schedule = tuple[tuple[str, str, int | None], ...]  # (instrument, rule, N) of one course


def schedule_rows(courses: dict[str, Any]) -> QuerySet[Any]:
    """The schedules clinicians set of the courses ``courses`` selects (a filter on a course,
    such as ``{"course_id__in": ids}``): (course, instrument, rule, N)."""
    from gentle.measures.models import ScheduleRule

    return (
        ScheduleRule.objects.filter(**courses)
        .order_by("pk")
        .values_list("course_id", "instrument_id", "rule", "n")
    )


def _numbered(courses: dict[str, Any], now: datetime) -> QuerySet[Session]:
    from gentle.courses.models import NUMBERED

    return Session.objects.filter(**courses, attendance__in=NUMBERED, starts_at__lte=now)


def _number(now: datetime, at: str = "") -> Subquery:
    """The number ``number_sessions`` gives the session at ``at`` ("" for a session,
    "session__" for an answer's) among its course's numbered sessions held by ``now``: those
    before it in time order, then by id, and itself."""
    earlier = _numbered({"course_id": OuterRef(f"{at}course_id")}, now).filter(
        Q(starts_at__lt=OuterRef(f"{at}starts_at"))
        | Q(starts_at=OuterRef(f"{at}starts_at"), pk__lte=OuterRef(f"{at}id"))
    )
    return Subquery(
        earlier.order_by().values("course_id").annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    )


def held_counts(courses: dict[str, Any], now: datetime) -> QuerySet[Any]:
    """How many numbered sessions each course that ``courses`` selects (a filter on a session,
    such as ``{"course_id__in": ids}``) held by ``now``: (course, count). Sessions to come are
    left out: they do not change the number of a session before them, and only sessions held
    by now can be overdue. A count a course, not a row a session: a caseload of 200 has 3,000
    sessions, and reading them cost half the home's overdue measures (issue 20)."""
    return (
        _numbered(courses, now)
        .order_by()
        .values("course_id")
        .annotate(n=Count("pk"))
        .values_list("course_id", "n")
    )


def _not_answerable() -> Q:
    # Numbered but with no client to answer: attendance not recorded as attended, or a
    # parent or carer alone (IPT-A).
    from gentle.courses.models import Participants

    return ~Q(attendance=Attendance.ATTENDED) | Q(participants=Participants.PARENT_ONLY)


def skipped_numbers(courses: dict[str, Any], now: datetime) -> QuerySet[Any]:
    """The numbers of the ``held_counts`` sessions at which nothing is due: (course, number)."""
    return (
        _numbered(courses, now)
        .filter(_not_answerable())
        # Not "number": a session's own attribute of that name is set by number_sessions.
        .annotate(place=_number(now))
        .order_by()
        .values_list("course_id", "place")
    )


def given_numbers(courses: dict[str, Any], now: datetime) -> QuerySet[Any]:
    """(course, instrument, session number) of the answers submitted at a ``held_counts``
    session where answers are due, of the courses ``courses`` selects (a filter on the
    answer's course): the pairs, not every answer given (a long history is many answers).

    ``courses`` must be a list of courses (ids, or a union), not a condition PostgreSQL can
    fold into this read's join of answers and sessions: with statistics taken while the tables
    were empty (a test's database, one just restored), it planned answers, sessions, courses,
    clients and care-team rows as nested loops over every row of each, and the scale
    benchmark's test ran for over 20 minutes (issue 20)."""
    from gentle.courses.models import Participants

    return (
        Administration.objects.filter(
            **courses,
            status=Status.SUBMITTED,
            # Read from the index by its session (``admin_course_given``): most answers of a
            # long history were given between sessions.
            session__isnull=False,
            session__attendance=Attendance.ATTENDED,
            session__starts_at__lte=now,
        )
        .exclude(session__participants=Participants.PARENT_ONLY)
        .annotate(place=_number(now, "session__"))
        .order_by()
        .values_list("session__course_id", "instrument_id", "place")
        .distinct()
    )


def by_course(rows: Iterable[tuple[int, str, str, int | None]]) -> Schedules:
    """``schedule_rows`` by course: (instrument, rule, N) each. A course missing here follows
    ``default_schedule`` of its format."""
    rules: Schedules = {}
    for course_id, instrument_id, rule, n in rows:
        rules.setdefault(course_id, []).append((instrument_id, rule, n))
    return rules


def _overdue_page(shape: str, *, now: datetime, **ids: int) -> QuerySet[Any]:
    selected = {"course_id__in": listed_ids(ids)}
    if shape == "rules":
        return schedule_rows(selected)
    read = {"held": held_counts, "skipped": skipped_numbers, "given": given_numbers}
    return read[shape](selected, now)


# A page's courses' schedules, held sessions, skipped numbers and given answers ("rules",
# "held", "skipped", "given"), built and compiled once per process (issue 20).
OVERDUE = PreparedQuery(_overdue_page, values=ID_LIST, times=("now",))


def overdue_counts(courses: Iterable[Course]) -> dict[int, int]:
    """For each course, how many scheduled measures of held sessions were not given (a
    submitted administration linked to that session). Four queries for a page of courses,
    read as plain values: a caseload page's 50 courses have hundreds of sessions and
    thousands of answers (issue 20)."""
    by_id = {course.pk: course for course in courses}
    now = timezone.now()
    rules_rows, held, skipped, given = [], [], [], []
    for ids in id_lists(by_id):
        rules_rows += OVERDUE.rows("rules", now=now, **ids)
        held += OVERDUE.rows("held", now=now, **ids)
        skipped += OVERDUE.rows("skipped", now=now, **ids)
        given += OVERDUE.rows("given", now=now, **ids)
    return count_overdue(by_id, by_course(rules_rows), held, skipped, given)


class Contracted(Protocol):
    """What counting a course's overdue measures needs of it: a course, or its values."""

    @property
    def format(self) -> str: ...

    @property
    def contracted_sessions(self) -> int: ...


def count_overdue(
    courses: Mapping[int, Contracted],
    rules: Schedules,
    held: Iterable[tuple[int, int]],
    skipped: Iterable[tuple[int, int]],
    given: Iterable[tuple[int, str, int]],
) -> dict[int, int]:
    """``overdue_counts`` from what it reads: the courses by id, their schedules
    (``by_course``), ``held_counts``, ``skipped_numbers`` and ``given_numbers``. Rows of a
    course not in ``courses`` are left out."""
    skips: dict[int, list[int]] = {}
    for course_id, number in skipped:
        skips.setdefault(course_id, []).append(number)
    answered: dict[int, list[tuple[int, str]]] = {}
    for course_id, instrument_id, number in given:
        answered.setdefault(course_id, []).append((number, instrument_id))
    # The questionnaires due at each session number, and how many are due in all up to each
    # number, worked out once for each schedule and length: most of a caseload's 200 courses
    # follow their format's schedule.
    plans: dict[tuple[Schedule, int], _Plan] = {}
    counts = dict.fromkeys(courses, 0)
    for course_id, count in held:
        if course_id not in courses:
            continue
        course = courses[course_id]
        schedule = tuple(rules.get(course_id) or default_schedule(course.format))
        key = (schedule, course.contracted_sessions)
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = _Plan(*key)
        counts[course_id] = (
            plan.due_up_to(count)
            - sum(len(plan.due_at(number)) for number in skips.get(course_id, ()))
            # An answer meets each rule of its questionnaire due at that session.
            - sum(plan.due_at(n).count(instrument) for n, instrument in answered.get(course_id, ()))
        )
    return counts


class _Plan:
    """What a schedule asks for at each session number of a course of a given length."""

    def __init__(self, schedule: Schedule, contracted: int):
        self.schedule, self.contracted = schedule, contracted
        self._due: dict[int, tuple[str, ...]] = {}
        self._totals = [0]  # how many are due at the sessions up to each number

    def due_at(self, number: int) -> tuple[str, ...]:
        if number not in self._due:
            self._due[number] = tuple(
                instrument_id
                for instrument_id, rule, n in self.schedule
                if is_due(rule, n, number, self.contracted)
            )
        return self._due[number]

    def due_up_to(self, number: int) -> int:
        while len(self._totals) <= number:
            self._totals.append(self._totals[-1] + len(self.due_at(len(self._totals))))
        return self._totals[number]


EXPECTED = Path(__file__).resolve().parent / "data" / "expected_recovery.json"


@cache
def expected_rules() -> dict[str, Any]:
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Track:
    start: float
    index: int  # which administration of the course (1 = the first)
    actual: float
    expected: float
    behind: bool
    source: str  # "clinic" or "default"
    instrument: str = "phq9"  # the questionnaire the course is tracked on

    @property
    def instrument_name(self) -> str:
        """Its short name ("PHQ-9", "PHQ-A", "EPDS")."""
        return _short_name(self.instrument)


def _course_series(
    administrations: Iterable[tuple[int | None, int, dict[str, float]]],
) -> dict[int, tuple[int, list[float]]]:
    """Contracted sessions and main scores in order, per course, from submitted
    administrations of one instrument (with their course's contracted sessions)."""
    series: dict[int, tuple[int, list[float]]] = {}
    for course_id, sessions, scores in administrations:
        value = scores.get("total")
        if course_id and value is not None:
            series.setdefault(course_id, (sessions, []))[1].append(value)
    return series


def compute_expected_curve(clinic: Clinic) -> tuple[dict[str, list[float | None]] | None, int]:
    """The clinic's own expected curve from its finished courses, by starting band, or None
    when it has fewer than the rules' minimum; and how many usable courses there were. Each
    score after the first is placed by its position in its course (``position_bin``: k / N of
    the course's contracted sessions, in ``position_bins`` steps); a course's ratios at one
    position are averaged first, so a long course counts once there, then the courses' ratios.
    A band with fewer than ``min_courses_per_band`` courses, and a position with fewer than
    ``min_courses_per_point``, is left to the default (None). Reads every finished course's
    PHQ-9 in the clinic: only the worker calls it (``actions.statistics_compute``).

    Only courses tracked on the main instrument (the PHQ-9) are fitted: a course of a format
    tracked on another questionnaire (IPT-A's PHQ-A, perinatal IPT's EPDS) is left out, with the
    PHQ-9s it may also have, so no curve averages two questionnaires or two populations; those
    courses follow the default (``Curve.applies_to``)."""
    from gentle.courses.models import Course, CourseStatus

    rules = expected_rules()
    other = [
        course_format
        for course_format in rules.get("formats") or {}
        if tracked_instrument(course_format) != rules["instrument"]
    ]
    # Completed courses only: one ended early would pull the curve toward those who left.
    finished = Course.objects.filter(client__clinic=clinic, status=CourseStatus.COMPLETED).exclude(
        format__in=other
    )
    series = _course_series(
        Administration.objects.filter(
            course__in=finished, instrument_id=rules["instrument"], status=Status.SUBMITTED
        )
        .order_by("course_id", "submitted_at")
        .values_list("course_id", "course__contracted_sessions", "scores")
        .iterator(chunk_size=2000)
    )
    usable = [(n, s) for n, s in series.values() if len(s) >= 2 and s[0] > 0]
    if len(usable) < rules["min_finished_courses"]:
        return None, len(usable)
    bins = rules["position_bins"]
    by_band: dict[str, list[dict[int, float]]] = {}
    for sessions, values in usable:
        at: dict[int, list[float]] = {}
        for k, value in enumerate(values[1:], start=2):
            at.setdefault(position_bin(k, sessions, bins), []).append(value / values[0])
        mean = {position: statistics.mean(ratios) for position, ratios in at.items()}
        by_band.setdefault(band_key(values[0]), []).append(mean)
    curve: dict[str, list[float | None]] = {}
    for band, courses in sorted(by_band.items()):
        if len(courses) < rules["min_courses_per_band"]:
            continue
        points: list[float | None] = []
        for position in range(bins + 1):
            ratios = [c[position] for c in courses if position in c]
            enough = len(ratios) >= rules["min_courses_per_point"]
            points.append(round(statistics.mean(ratios), 3) if enough else None)
        curve[band] = points
    return curve, len(usable)


def curve_value(by_band: dict[str, list[float | None]] | None) -> dict[str, Any]:
    """A computed clinic curve as it is stored (``ClinicStatistic.value``): its scale and
    number of steps with it, so a curve stored on another scale is never misread."""
    return {"scale": CURVE_SCALE, "bins": expected_rules()["position_bins"], "by_band": by_band}


def default_curve() -> Curve:
    return Curve("default")


def stored_statistics(clinic_id: int, *kinds: str) -> dict[str, ClinicStatistic]:
    """The clinic's stored statistics by kind (one query; all kinds unless some are named)."""
    rows = ClinicStatistic.objects.filter(clinic_id=clinic_id)
    if kinds:
        rows = rows.filter(kind__in=kinds)
    return {row.kind: row for row in rows}


def _curve(row: ClinicStatistic | None) -> Curve:
    """The stored curve; none, or one stored on an older shape (by administration number,
    before 2026-12-04, or before curves were kept by starting band), is the default until the
    worker computes it again (hourly): an old curve cannot be rescaled, as it does not say how
    long its courses were."""
    value = row.value if row is not None else {}
    by_band = value.get("by_band")
    bins = value.get("bins")
    if row is None or not by_band or value.get("scale") != CURVE_SCALE or not bins:
        return default_curve()
    return Curve("clinic", by_band, row.based_on, row.computed_at, int(bins))


def _spreads(row: ClinicStatistic | None) -> tuple[dict[str, Spread], datetime | None]:
    if row is None:
        return {}, None
    spreads = {
        instrument_id: Spread(float(item["sd"]), int(item["n"]))
        for instrument_id, item in row.value.items()
    }
    return spreads, row.computed_at


def expected_curve(clinic: Clinic) -> Curve:
    """The expected curve as last computed for the clinic by the worker (one query): the
    clinic's own when it had enough finished courses, else the documented default."""
    kind = StatisticKind.EXPECTED_CURVE
    return _curve(stored_statistics(clinic.pk, kind).get(kind))


def track(
    scores: list[float], curve: Curve, sessions: int = 0, course_format: str = ""
) -> Track | None:
    """Where the latest score, on the questionnaire the course's format is tracked on, stands
    against the expected curve (None before two scores, or from a first score of 0)."""
    if len(scores) < 2:
        return None
    return _track(scores[0], len(scores), scores[-1], curve, sessions, course_format)


def _track(
    first: float, k: int, last: float, curve: Curve, sessions: int, course_format: str
) -> Track | None:
    """``track`` from the first score, how many there are (k) and the latest."""
    if k < 2 or first <= 0:
        return None
    rules = tracking_rules(course_format)
    curve = curve.for_format(course_format)
    expected = round(first * curve.ratio(first, k, sessions, course_format), 1)
    behind = last - expected >= rules["tolerance_points"]
    return Track(first, k, last, expected, behind, curve.source, rules["instrument"])


class TrackedCourse(Protocol):
    """What ``not_on_track`` reads of a course: a Course, or its three values (``CourseValues``)
    where a page checks many courses and shows few (the supervisor's home)."""

    @property
    def pk(self) -> int: ...
    @property
    def contracted_sessions(self) -> int: ...
    @property
    def format(self) -> str: ...


class CourseValues(NamedTuple):
    pk: int
    contracted_sessions: int
    format: str


def _tracked_rows(course_ids: Iterable[int] | QuerySet[Any]) -> QuerySet[Any]:
    """(course, first score, latest score, how many) of the questionnaire each course's format
    is tracked on, for these courses (their ids, or a query giving them: that spares binding
    thousands of ids one by one)."""
    # The questionnaire each format is tracked on, for every format (the SQL text stays the
    # same whatever formats a page holds).
    formats = [value for value, _label in Course._meta.get_field("format").choices or ()]
    tracked = Case(
        *[When(format=f, then=Value(tracked_instrument(f))) for f in formats],
        default=Value(tracked_instrument("")),
        output_field=CharField(),
    )
    given = Administration.objects.filter(
        course_id=OuterRef("pk"),
        instrument_id=OuterRef("tracked"),
        status=Status.SUBMITTED,
        corrections__isnull=True,
    )
    # Only the main score of each answer, not its whole stored scores.
    answers = given.filter(scores__total__isnull=False).annotate(
        total=Cast(KT("scores__total"), FloatField())
    )
    return (
        Course.objects.filter(pk__in=course_ids)
        .order_by()
        .annotate(tracked=tracked)
        .annotate(
            first=Subquery(answers.order_by("submitted_at").values("total")[:1]),
            last=Subquery(answers.order_by("-submitted_at").values("total")[:1]),
            # Counted on the index alone: every submitted answer of a tracked questionnaire has
            # a total (the one scorer stores each of its scores, None when unscorable), so the
            # stored scores need not be read (a fifth of the time: 99 -> 20 ms for 1,314
            # courses at scale on SQLite; issue 20).
            k=Subquery(
                given.order_by().values("course_id").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
        )
        .values_list("pk", "first", "last", "k")
    )


def _tracked_page(shape: str, **ids: int) -> QuerySet[Any]:
    return _tracked_rows(listed_ids(ids))


# A page's courses' tracked scores, built and compiled once per process (in the ORM, 4 ms of
# a caseload page's time, most of it compiling the SQL; issue 20).
TRACKED = PreparedQuery(_tracked_page, values=ID_LIST)


def not_on_track(
    courses: Sequence[TrackedCourse], clinic: Clinic | None, ids: QuerySet[Any] | None = None
) -> dict[int, Track]:
    """For each course with two or more scores of the questionnaire its format is tracked on
    (``tracked_instrument``: the PHQ-9, IPT-A's PHQ-A, perinatal IPT's EPDS): its Track. A
    course missing here cannot be checked yet. Two queries with ``ids`` (a queryset of the
    courses' ids); without it, one for the expected curve and one for each 50 courses
    (``id_lists``): two for a page.

    A Track needs only the course's first score, how many there are and the latest, so that
    is all the database returns: three lookups a course on ``admin_course_series``, however
    long its history (reading every score of 50 courses took a third of a caseload page at
    scale; issue 20)."""
    if not courses or clinic is None:
        return {}
    by_id = {course.pk: course for course in courses}
    curve = expected_curve(clinic)
    if ids is not None:
        rows: Iterable[tuple] = _tracked_rows(ids)
    else:  # a page's courses: the query built and compiled once per process
        rows = [row for values in id_lists(by_id) for row in TRACKED.rows("page", **values)]
    tracks = {}
    for course_id, first, last, k in rows:
        if k is None or first is None or last is None:
            continue
        course = by_id[course_id]
        found = _track(
            float(first), k, float(last), curve, course.contracted_sessions, course.format
        )
        if found is not None:
            tracks[course_id] = found
    return tracks


def course_and_session(client: Client, mode: str) -> tuple[Course | None, Session | None]:
    """The client's latest course, and for answers given in session its latest held (not
    cancelled) session up to today: where a new administration belongs."""
    from gentle.courses.models import Attendance, Course

    course = Course.objects.filter(client=client).order_by("-start_date", "-pk").first()
    session = None
    if course is not None and mode == Mode.IN_SESSION:
        session = (
            course.sessions.exclude(attendance=Attendance.CANCELLED)
            .filter(starts_at__date__lte=today())
            .order_by("-starts_at")
            .first()
        )
    return course, session


@dataclass(frozen=True)
class FirstLast:
    instrument: Instrument
    first: float
    last: float | None
    first_band: Band | None
    last_band: Band | None


def first_and_last(course: Course) -> list[FirstLast]:
    """Each instrument's first and last main score within the course."""
    rows: dict[str, list[float]] = {}
    for administration in submitted(course.client):
        instrument = catalogue().get(administration.instrument_id)
        if administration.course_id != course.pk or instrument is None:
            continue
        value = administration.scores.get(instrument.main_score.id)
        if value is not None:
            rows.setdefault(instrument.id, []).append(value)
    result = []
    for instrument_id, values in sorted(rows.items()):
        instrument = catalogue()[instrument_id]
        score = instrument.main_score
        last = values[-1] if len(values) > 1 else None
        result.append(
            FirstLast(instrument, values[0], last, score.band_for(values[0]), score.band_for(last))
        )
    return result


def _event_positions(rows: list[ResultRow], events: Sequence[date]) -> list[float]:
    """Where each event date falls between the charted sessions (as a session number)."""
    dated = sorted(
        (row.administration.session.starts_at.date(), row.number)
        for row in rows
        if row.number and row.administration.session is not None
    )
    positions = []
    for day in events:
        for (d1, n1), (d2, n2) in zip(dated, dated[1:], strict=False):
            if d1 <= day <= d2 and d2 > d1:
                positions.append(round(n1 + (day - d1).days / (d2 - d1).days * (n2 - n1), 2))
                break
    return positions


GRID_INSTRUMENTS = ("phq9", "gad7")


def grid_instruments(course_format: str) -> tuple[str, ...]:
    """The questionnaires a course's grid shows: its format's own schedule's where
    data/schedule.json gives the format one (IPT-A's PHQ-A, perinatal IPT's EPDS), else the
    PHQ-9 and GAD-7."""
    data = json.loads(SCHEDULE.read_text(encoding="utf-8"))
    rules = (data.get("formats") or {}).get(course_format)
    return tuple(r["instrument"] for r in rules) if rules else GRID_INSTRUMENTS


def scores_by_session(
    course: Course, sessions: Sequence[Session], instruments: Sequence[str] = GRID_INSTRUMENTS
) -> dict[int, dict[str, list[float]]]:
    """Each session's main scores of these questionnaires in the course, for the course's
    session-by-session grid: ``{session id: {instrument id: [score, ...]}}``. One query (the
    course's answers, corrected ones replaced by their correction, on admin_course_series).

    An answer given in a session belongs to it; one given outside a session (the portal)
    belongs to the course's session on the day it was submitted or, failing that, the latest
    one before it; one submitted before the first session, to the first. Cancelled sessions
    take none, unless an answer names one."""
    corrected = Administration.objects.filter(corrects=OuterRef("pk"), status=Status.SUBMITTED)
    given = (
        Administration.objects.filter(
            course=course, instrument_id__in=list(instruments), status=Status.SUBMITTED
        )
        .filter(~Exists(corrected))
        .order_by("submitted_at", "pk")
        .values_list("instrument_id", "session_id", "submitted_at", "scores")
    )
    known = {session.pk for session in sessions}
    held = sorted(
        (s for s in sessions if s.attendance != Attendance.CANCELLED),
        key=lambda s: (s.starts_at, s.pk),
    )
    days = [timezone.localdate(s.starts_at) for s in held]
    found: dict[int, dict[str, list[float]]] = {}
    for instrument_id, session_id, submitted_at, scores in given:
        instrument = catalogue().get(instrument_id)
        value = scores.get(instrument.main_score.id) if instrument else None
        if value is None:
            continue
        if session_id not in known:
            if not held:
                continue
            on = bisect_right(days, timezone.localdate(submitted_at))
            session_id = held[max(on - 1, 0)].pk
        found.setdefault(session_id, {}).setdefault(instrument_id, []).append(value)
    return found


NOT_ON_TRACK = Path(__file__).resolve().parent / "data" / "not_on_track.json"


@cache
def next_step_rules() -> dict[str, Any]:
    return json.loads(NOT_ON_TRACK.read_text(encoding="utf-8"))


def next_steps(course: Course, results: Sequence[InstrumentResults]) -> list[str]:
    """What to consider when the course's latest score is well above its expected course
    (data/not_on_track.json, in the reader's language): none when it is on track. Works from
    the page's results: no query."""
    from gentle.measures.instruments import localized

    series = next((r for r in results if r.curve is not None and not r.about), None)
    if series is None:
        return []
    rows = [r for r in series.rows if r.expected is not None and r.value is not None]
    if (
        not rows
        or cast(float, rows[-1].value) - cast(float, rows[-1].expected)
        < (tracking_rules(course.format)["tolerance_points"])
    ):
        return []
    rules = next_step_rules()
    grief = next((r for r in results if r.instrument.id == "pg13r"), None)
    latest = [r.value for r in grief.rows if r.value is not None] if grief else []
    flagged = bool(latest) and latest[-1] >= rules["pg13r_flag_at"]
    session = max(math.ceil(course.contracted_sessions * rules["change_by"]), 1)
    return [
        localized(step["text"]).replace("{session}", str(session))
        for step in rules["suggestions"]
        if step.get("when") != "pg13r_flag" or flagged
    ]
