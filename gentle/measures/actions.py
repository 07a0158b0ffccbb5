"""Writes for administrations. Submission checks, scores and applies the safety rules in one
transaction: nothing half-scored is ever stored. And the clinic-wide statistics the worker
computes and stores (``statistics_compute``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from gentle.accounts.models import Clinic, Role, User
from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.clients.models import Client
from gentle.courses.models import Course, Session
from gentle.measures import selectors
from gentle.measures.instruments import Instrument, Rule, catalogue
from gentle.measures.models import (
    Administration,
    ClinicStatistic,
    CourseResult,
    FixedThresholds,
    Mode,
    ResultState,
    StatisticKind,
    Status,
)
from gentle.measures.scoring import check, score_all, triggered_rules
from gentle.safety.actions import alert_raise


class AnswersInvalid(Exception):
    """The answers were refused. ``rules``: the safety rules their risk answers triggered all
    the same (a refused submit still hears them; the caller shows the crisis text)."""

    def __init__(self, errors: dict[str, str], rules: list[Rule] | None = None) -> None:
        super().__init__("invalid answers")
        self.errors = errors
        self.rules = rules or []


class AlreadySubmitted(Exception):
    """Submitted answers never change; make a correction instead."""


def instrument_of(administration: Administration) -> Instrument:
    return catalogue()[administration.instrument_id]


def administration_start(
    *,
    by: User,
    client: Client,
    instrument: Instrument,
    mode: str,
    course: Course | None = None,
    session: Session | None = None,
    due_on: date | None = None,
    corrects: Administration | None = None,
    about: str = "",
) -> Administration:
    with transaction.atomic():
        administration = Administration.objects.create(
            about=corrects.about if corrects else about,
            client=client,
            course=course,
            session=session,
            instrument_id=instrument.id,
            instrument_version=instrument.version,
            mode=mode,
            created_by=by,
            due_on=due_on,
            status=Status.ASSIGNED if mode == Mode.PORTAL else Status.IN_PROGRESS,
            corrects=corrects,
            answers=dict(corrects.answers) if corrects else {},
        )
        record(
            Action.ADMINISTRATION_CORRECT if corrects else Action.ADMINISTRATION_CREATE,
            actor=by,
            role=Role.CLIENT if by == client.user else Role.CLINICIAN,
            client=administration.client,
            object_type="administration",
            object_id=administration.pk,
            detail=f"instrument={administration.instrument_id}",
        )
    return administration


def _alerts_raise(
    *,
    by: User,
    administration: Administration,
    rules: list[Rule],
) -> None:
    """Raise an alert for each triggered rule, inside the caller's transaction. Once per
    administration and rule (alert_raise's uniqueness): answering again, saving again or
    submitting later never raises it twice, and an answer changed back does not withdraw it:
    the alert stays open until a clinician records what was done."""
    for rule in rules:
        alert_raise(
            client=administration.client,
            source="administration",
            source_id=administration.pk,
            rule_id=rule.id,
            severity=rule.severity,
            reason=rule.reason.get("en", rule.id),
            actor=by,
        )


def administration_save(
    *,
    by: User,
    administration: Administration,
    answers: dict[str, object],
    role: str,
) -> list[Rule]:
    """Save and continue: keep valid partial answers (out-of-range ones are refused). A risk
    answer counts when it is given: its safety rules raise their alerts now. Returns the
    triggered rules (the caller shows the client the crisis text if any)."""
    instrument = instrument_of(administration)
    errors = check(instrument, answers, partial=True)
    if errors:
        raise AnswersInvalid(errors)
    rules = triggered_rules(instrument, answers)
    with transaction.atomic():
        changed = Administration.objects.filter(
            pk=administration.pk, status__in=[Status.ASSIGNED, Status.IN_PROGRESS]
        ).update(answers=answers, status=Status.IN_PROGRESS)
        if not changed:
            raise AlreadySubmitted
        record(
            Action.ADMINISTRATION_SAVE,
            actor=by,
            role=role,
            client=administration.client,
            object_type="administration",
            object_id=administration.pk,
            detail=f"instrument={administration.instrument_id}",
        )
        _alerts_raise(by=by, administration=administration, rules=rules)
    return rules


def administration_submit(
    *,
    by: User,
    administration: Administration,
    answers: dict[str, object],
    role: str,
) -> list[Rule]:
    """Check, score and store the answers, and raise alerts for triggered safety rules.
    Returns the triggered rules (the caller shows the client the crisis text if any).

    A submit refused only because answers are missing still hears the risk answers given: if
    they trigger a rule, the answers are kept as a save (so the alert's evidence is in the
    record) and the alerts raised before AnswersInvalid carries the errors and the rules.
    Anything else refused (an answer out of range, inside a skipped branch) changes nothing."""
    instrument = instrument_of(administration)
    errors = check(instrument, answers)
    if errors:
        rules: list[Rule] = []
        if not check(instrument, answers, partial=True) and triggered_rules(instrument, answers):
            rules = administration_save(
                by=by, administration=administration, answers=answers, role=role
            )
        raise AnswersInvalid(errors, rules)
    scores = {result.score.id: result.value for result in score_all(instrument, answers)}
    rules = triggered_rules(instrument, answers)
    with transaction.atomic():
        changed = Administration.objects.filter(
            pk=administration.pk, status__in=[Status.ASSIGNED, Status.IN_PROGRESS]
        ).update(
            answers=answers,
            scores=scores,
            status=Status.SUBMITTED,
            submitted_at=timezone.now(),
            submitted_by=by,
            instrument_version=instrument.version,
        )
        if not changed:
            raise AlreadySubmitted
        record(
            Action.ADMINISTRATION_SUBMIT,
            actor=by,
            role=role,
            client=administration.client,
            object_type="administration",
            object_id=administration.pk,
            detail=f"instrument={administration.instrument_id}",
        )
        _alerts_raise(by=by, administration=administration, rules=rules)
        if administration.course_id:  # a late or corrected score of a finished course
            _result_refresh(administration.course_id)
    return rules


def schedule_set(
    *,
    by: User,
    course: Course,
    rules: dict[str, tuple[str, int | None]],
) -> None:
    """Replace the course's measurement schedule."""
    from gentle.measures.models import ScheduleRule

    with transaction.atomic():
        ScheduleRule.objects.filter(course=course).delete()
        ScheduleRule.objects.bulk_create(
            ScheduleRule(course=course, instrument_id=i, rule=rule, n=n)
            for i, (rule, n) in sorted(rules.items())
        )
        record(
            Action.MEASURE_SCHEDULE_UPDATE,
            actor=by,
            role=Role.CLINICIAN,
            clinic_id=course.client.clinic_id,
            client_id=course.client_id,
            object_type="course",
            object_id=course.pk,
            detail=f"rules={len(rules)}",
        )


def statistics_compute(*, clinic: Clinic, now: datetime | None = None) -> list[str]:
    """Compute the clinic's expected-recovery curve and spread of first scores (the work over
    the whole clinic that pages must not do) and store them; returns the kinds whose value
    changed. Run hourly by `gentle worker`. A changed value is audited (one row, the kinds and
    counts); an unchanged one only has its ``computed_at`` moved on."""
    now = now or timezone.now()
    # Courses finished before their thresholds were kept get them now, from the spread as last
    # stored (ADR 0052), before it is replaced.
    results_fill_missing(clinic=clinic)  # fixes the missing thresholds first
    # Read before the transaction: the reads are long and change nothing.
    curve, courses = selectors.compute_expected_curve(clinic)
    spreads = selectors.first_score_spreads(selectors.clinic_first_scores(clinic))
    computed: dict[str, tuple[dict[str, Any], int]] = {
        StatisticKind.EXPECTED_CURVE: (selectors.curve_value(curve), courses),
        StatisticKind.FIRST_SCORE_SPREAD: (
            {i: {"sd": s.sd, "n": s.n} for i, s in spreads.items()},
            max((s.n for s in spreads.values()), default=0),
        ),
    }
    changed = []
    with transaction.atomic():
        stored = {
            row.kind: row
            for row in ClinicStatistic.objects.select_for_update().filter(clinic=clinic)
        }
        for kind, (value, based_on) in computed.items():
            row = stored.get(kind)
            if row is not None and row.value == value and row.based_on == based_on:
                ClinicStatistic.objects.filter(pk=row.pk).update(computed_at=now)
                continue
            ClinicStatistic.objects.update_or_create(
                clinic=clinic,
                kind=kind,
                defaults={"value": value, "based_on": based_on, "computed_at": now},
            )
            changed.append(f"{kind}={based_on}")
        if changed:
            record(
                Action.CLINIC_STATISTICS_COMPUTE,
                actor_label="gentle worker",
                clinic_id=clinic.pk,
                object_type="clinic",
                object_id=clinic.pk,
                detail=" ".join(changed),
            )
    return [item.split("=")[0] for item in changed]


def thresholds_fix(course: Course) -> None:
    """Store the reliable-change thresholds the course's outcome is judged by, as they stand
    now (ADR 0052). Called through gentle.lib.course_finished inside the transaction of
    ``courses.actions.course_update`` that finishes the course, whose audit row covers it."""
    thresholds = selectors.page_thresholds(course.client.clinic_id, None)
    FixedThresholds.objects.update_or_create(
        course=course,
        defaults={
            "thresholds": {
                i: {"points": t.points, "how": t.how, "based_on": t.based_on}
                for i, t in sorted(thresholds.items())
            },
            "fixed_at": timezone.now(),
        },
    )


def _fill_finished(
    clinic: Clinic, kept: type[models.Model], fill: Callable[[Course], object], action: str
) -> int:
    """Call ``fill`` for each of the clinic's finished courses with no ``kept`` row (finished
    before those were kept, or seeded), audited as one ``action``; how many."""
    from gentle.courses.models import FINISHED_STATUSES

    missing = list(
        Course.objects.filter(client__clinic=clinic, status__in=FINISHED_STATUSES)
        .filter(~Exists(kept._default_manager.filter(course=OuterRef("pk"))))
        .select_related("client")
    )
    if missing:
        with transaction.atomic():
            for course in missing:
                fill(course)
            record(
                action,
                actor_label="gentle worker",
                clinic_id=clinic.pk,
                object_type="clinic",
                object_id=clinic.pk,
                detail=f"courses={len(missing)}",
            )
    return len(missing)


def thresholds_fix_missing(*, clinic: Clinic) -> int:
    """Fix the thresholds of the clinic's finished courses that have none; how many. Run by
    the worker with the clinic's statistics."""
    return _fill_finished(clinic, FixedThresholds, thresholds_fix, Action.CLINIC_THRESHOLDS_FIX)


def _clinician_of(course: Course) -> int | None:
    """The client's clinician (the first on the care team) when the result is written."""
    from gentle.clients.models import CareTeamMember, TeamRole

    return (
        CareTeamMember.objects.filter(client_id=course.client_id, role=TeamRole.CLINICIAN)
        .order_by("added_at", "pk")
        .values_list("user_id", flat=True)
        .first()
    )


def result_store(course: Course) -> None:
    """See ``result_write``; returns nothing (a ``course_finished`` callback)."""
    result_write(course)


def result_write(course: Course) -> CourseResult:
    """Store (or write again) the finished course's outcome as the measures page judges it:
    ``selectors.course_outcomes`` with the thresholds fixed when it finished, so a rule
    changed in outcomes.json or per format flows in here too (ADR 0058). Called through
    gentle.lib.course_finished in the transaction that finishes the course (after
    ``thresholds_fix``), and when a score of the finished course arrives or is corrected;
    the caller's audit row covers it."""
    from gentle.lib import course_focus

    outcome = selectors.course_outcomes(
        course, selectors.page_thresholds(course.client.clinic_id, course)
    )
    result = outcome.result if outcome is not None else None
    has = outcome is not None and not outcome.not_yet and result is not None
    areas = course_focus.of(course).areas
    finished_on = course.ended_on or _last_session_day(course) or timezone.localdate()
    stored, _created = CourseResult.objects.update_or_create(
        course=course,
        defaults={
            "clinic_id": course.client.clinic_id,
            "finished_on": finished_on,
            "status": course.status,
            "format": course.format,
            "clinician_id": _clinician_of(course),
            "problem_area": areas[0][0] if areas else "",
            "attended": outcome.attended if outcome is not None else 0,
            "state": ResultState.OUTCOME if has else ResultState.NOT_YET,
            "complete": bool(has and outcome is not None and outcome.complete),
            "case_at_start": result.case_at_start if has and result else None,
            "recovered": result.recovered if has and result else None,
            "reliable_improvement": result.reliable_improvement if has and result else None,
            "reliable_recovery": result.reliable_recovery if has and result else None,
            "reliable_deterioration": result.reliable_deterioration if has and result else None,
            "response": result.response if has and result else None,
            "remission": result.remission if has and result else None,
            "first_depression": outcome.first_depression if has and outcome else None,
            "last_depression": outcome.last_depression if has and outcome else None,
            "computed_at": timezone.now(),
        },
    )
    return stored


def _last_session_day(course: Course) -> date | None:
    """A completed course keeps no end date: the day of its last attended session."""
    from gentle.courses.models import Attendance

    last = (
        course.sessions.filter(attendance=Attendance.ATTENDED)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    return timezone.localdate(last) if last else None


def result_forget(course: Course) -> None:
    """A finished course set running again has no outcome (ADR 0058)."""
    CourseResult.objects.filter(course=course).delete()


def _result_refresh(course_id: int) -> None:
    """A score of a finished course was submitted (a late answer, a correction): its stored
    result is written again."""
    from gentle.courses.models import FINISHED_STATUSES

    course = (
        Course.objects.filter(pk=course_id, status__in=FINISHED_STATUSES)
        .select_related("client")
        .first()
    )
    if course is not None:
        result_store(course)


def results_fill_missing(*, clinic: Clinic) -> int:
    """Store the outcome of the clinic's finished courses that have none; how many. Run by
    the worker with the clinic's statistics, and by the demo seeding. An outcome is judged by
    the course's fixed thresholds, so those are fixed first where missing."""
    thresholds_fix_missing(clinic=clinic)
    return _fill_finished(clinic, CourseResult, result_store, Action.COURSE_RESULTS_STORE)
