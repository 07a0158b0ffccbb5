"""The draft of the end-of-course letter to the referrer (ADR 0063), composed from the course
(sessions, focus, relapse plan) and its measures (first and last scores with reliable change by
the page's thresholds, and the course outcome), in the letter's language. The clinician edits
the text before making it final; the scores and the chart are kept as they are now."""

from __future__ import annotations

from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gentle.courses.models import Course
from gentle.courses.selectors import summary_context
from gentle.measures import selectors as measure_selectors


def _number(value: float | None) -> str:
    return "—" if value is None else number_format(round(value, 2), decimal_pos=None)


def _signed(value: float | None) -> str:
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + _number(value)


def _yes_no(value: bool | None) -> str:
    return {True: _("yes"), False: _("no"), None: "—"}[value]


def draft(course: Course, language: str) -> tuple[dict, list, str]:
    """The letter's text fields, its score rows and its chart (SVG), in ``language``."""
    with translation.override(language):
        return _draft(course)


def _draft(course: Course) -> tuple[dict, list, str]:
    client = course.client
    summary = summary_context(course)
    thresholds = measure_selectors.page_thresholds(client.clinic_id, course)
    rows = []
    for item in measure_selectors.first_and_last(course):
        threshold = thresholds.get(item.instrument.id)
        change = None if item.last is None else item.last - item.first
        reliable = None
        if change is not None and threshold is not None:
            reliable = abs(change) >= threshold.points
        rows.append(
            {
                "name": item.instrument.short_name,
                "first": _number(item.first),
                "first_band": item.first_band.text if item.first_band else "",
                "last": _number(item.last),
                "last_band": item.last_band.text if item.last_band else "",
                "change": "—"
                if change is None
                else f"{'+' if change > 0 else ''}{_number(change)}",
                "reliable": _yes_no(reliable),
                "threshold": "" if threshold is None else _number(threshold.points),
            }
        )
    outcome = measure_selectors.course_outcomes(course, thresholds)
    name = client.full_name
    focus = course.get_focus_display()
    fields = {
        "recipient": "",
        "focus": (
            _("%(name)s and I worked on %(focus)s, in interpersonal psychotherapy.")
            % {"name": name, "focus": str(focus).lower()}
            if focus
            else _("%(name)s came to interpersonal psychotherapy.") % {"name": name}
        ),
        "attendance": ngettext(
            "%(name)s attended %(attended)d of %(total)d contracted session.",
            "%(name)s attended %(attended)d of %(total)d contracted sessions.",
            course.contracted_sessions,
        )
        % {"name": name, "attended": summary["attended"], "total": course.contracted_sessions},
        "outcome": _outcome_text(outcome, rows),
        "relapse_plan": _plan_text(summary["plan"]),
        "recommendations": "",
    }
    chart = ""
    tracked = measure_selectors.tracked_instrument(course.format)
    for result in measure_selectors.client_results(
        client, course=course, thresholds=thresholds, bands=False
    ):
        if result.instrument.id == tracked and not result.about:
            chart = result.chart
    return fields, rows, chart


def _outcome_text(outcome, rows: list) -> str:
    lines = [
        _("%(name)s: %(first)s at the start, %(last)s at the end (reliable change: %(reliable)s).")
        % row
        for row in rows
        if row["last"] != "—"
    ]
    if outcome is not None and outcome.result is not None:
        result = outcome.result
        lines.append(
            _(
                "Recovery: %(recovered)s. Reliable improvement: %(improved)s. "
                "Reliable recovery: %(reliable)s. Reliable deterioration: %(worse)s."
            )
            % {
                "recovered": _yes_no(result.recovered),
                "improved": _yes_no(result.reliable_improvement),
                "reliable": _yes_no(result.reliable_recovery),
                "worse": _yes_no(result.reliable_deterioration),
            }
        )
    elif outcome is not None and outcome.not_yet:
        lines.append(_("The outcome is not judged: %(why)s.") % {"why": "; ".join(outcome.not_yet)})
    return "\n".join(lines)


def _plan_text(plan) -> str:
    if plan is None:
        return ""
    parts = [
        (_("Warning signs"), plan.warning_signs),
        (_("What helped"), plan.what_helped),
        (_("What to do"), plan.what_to_do),
    ]
    return "\n\n".join(f"{title}: {text.strip()}" for title, text in parts if text.strip())
