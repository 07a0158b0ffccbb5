"""Administrations of instruments. Answers are checked and scored at submission; submitted
answers never change (a correction is a new administration pointing at the old one)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.accounts.models import Clinic
from gentle.clients.models import Client
from gentle.courses.models import Course, Session


class Mode(models.TextChoices):
    IN_SESSION = "in_session", _("With the clinician")
    PORTAL = "portal", _("In the client portal")


class Status(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")


class Administration(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="administrations")
    course = models.ForeignKey(
        Course, on_delete=models.SET_NULL, null=True, blank=True, related_name="administrations"
    )
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="administrations"
    )
    instrument_id = models.CharField(max_length=40)
    instrument_version = models.PositiveSmallIntegerField()
    mode = models.CharField(max_length=20, choices=Mode.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ASSIGNED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(_("due"), null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    scores = models.JSONField(
        default=dict,
        blank=True,
        help_text="Scores as computed at submission with this instrument version.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    about = models.CharField(
        max_length=100,
        blank=True,
        help_text="Whom a relationship questionnaire (ECR-RS) is about: 'person:<id>' or a "
        "standard target such as 'mother'.",
    )

    class Meta:
        ordering = ["submitted_at", "created_at", "pk"]
        indexes = [
            models.Index(
                fields=["client", "instrument_id", "status"], name="admin_client_instrument"
            ),
            # The few answers that correct another: looked up for each of a client's answers.
            # Partial, so that its statistics show it is selective (nearly every row's
            # corrects is empty, which made SQLite scan or build an index per request).
            models.Index(
                fields=["corrects", "status"],
                condition=models.Q(corrects__isnull=False),
                name="admin_corrections",
            ),
            # A caseload page's courses: which sessions had which questionnaire (overdue
            # measures), read from the index alone; and each course's answers to one
            # questionnaire in time order ("not on track") without a sort (issue 20).
            models.Index(
                fields=["course", "status", "session", "instrument_id"],
                name="admin_course_given",
            ),
            models.Index(
                fields=["course", "instrument_id", "status", "submitted_at"],
                name="admin_course_series",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status=Status.SUBMITTED) & models.Q(submitted_at__isnull=False))
                | (~models.Q(status=Status.SUBMITTED) & models.Q(submitted_at__isnull=True)),
                name="administration_submitted_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} administration {self.pk}"

    @property
    def when(self) -> datetime:
        return self.submitted_at or self.created_at

    @property
    def instrument_name(self) -> str:
        """The questionnaire's name in the reader's language (its id if it is no longer
        installed)."""
        from gentle.measures.instruments import catalogue

        instrument = catalogue().get(self.instrument_id)
        return instrument.name if instrument else self.instrument_id.upper()

    @property
    def in_progress(self) -> bool:
        """Started (some answers saved) but not submitted."""
        return self.status == Status.IN_PROGRESS


class Rule(models.TextChoices):
    EVERY_SESSION = "every_session", _("Every session")
    EVERY_N = "every_n", _("Every N sessions (and the first)")
    FIRST_LAST = "first_last", _("First and last session")


class ScheduleRule(models.Model):
    """When an instrument is due in a course. A course without rules follows the clinic default
    in data/schedule.json."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="measure_rules")
    instrument_id = models.CharField(_("questionnaire"), max_length=40)
    rule = models.CharField(_("when"), max_length=20, choices=Rule.choices)
    n = models.PositiveSmallIntegerField(_("every N sessions"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "instrument_id"], name="schedule_once"),
            models.CheckConstraint(
                condition=~models.Q(rule="every_n") | models.Q(n__gte=2, n__lte=12),
                name="schedule_every_n_has_n",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.rule} in course {self.course_id}"


class StatisticKind(models.TextChoices):
    EXPECTED_CURVE = "expected_curve", _("Expected recovery curve")
    FIRST_SCORE_SPREAD = "first_score_spread", _("Spread of first scores")


class ClinicStatistic(models.Model):
    """A statistic over the whole clinic, computed by `gentle worker` (hourly) and stored, so
    that no page works over the whole clinic. One row per clinic and kind, replaced in place.

    ``expected_curve``: ``{"ratios": [...]}`` from the clinic's finished courses, or
    ``{"ratios": null}`` while it has too few (the documented default then stands);
    ``based_on`` counts the usable finished courses. ``first_score_spread``:
    ``{instrument_id: {"sd": ..., "n": ...}}``, the standard deviation of each client's first
    score over ``n`` clients; ``based_on`` is the largest ``n``."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40, choices=StatisticKind.choices)
    value = models.JSONField(default=dict)
    based_on = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "kind"], name="clinic_statistic_once"),
            models.CheckConstraint(
                condition=models.Q(kind__in=StatisticKind.values),
                name="clinic_statistic_known_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of clinic {self.clinic_id}"


class FixedThresholds(models.Model):
    """The reliable-change thresholds a finished course's outcome is judged by, fixed when it
    finished (ADR 0052): a clinic's spread of first scores moves as clients are added, and a
    past verdict must not move with it. ``thresholds``: ``{instrument_id: {"points": ...,
    "how": "jacobson_truax" | "nhs_points", "based_on": n}}``."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="+")
    thresholds = models.JSONField(default=dict)
    fixed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"thresholds of course {self.course_id}"


class ResultState(models.TextChoices):
    OUTCOME = "outcome", _("Has an outcome")
    NOT_YET = "not_yet", _("Not yet")


class CourseResult(models.Model):
    """A finished course's outcome, stored once (ADR 0058) so that the clinic report is a few
    grouped counts over courses rather than a scan of administrations. Written in the
    transaction that finishes the course (``gentle.lib.course_finished``), written again when a
    score of the finished course is submitted or corrected, removed when the course is
    reopened; the worker and the demo seeding fill in finished courses that have none.

    ``state``: ``outcome`` when the rules of data/outcomes.json give one (``selectors.
    course_outcomes``), else ``not_yet``. ``complete``: the measures' first and last scores
    paired by date (False: "Data incomplete"; recovery and the reliable-change figures are
    then None, response and remission still read the depression measure). Clinician, format
    and problem area are snapshots taken when the result was written."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="result")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    finished_on = models.DateField()
    status = models.CharField(max_length=20)
    format = models.CharField(max_length=20)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    problem_area = models.CharField(max_length=30, blank=True)
    attended = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=10, choices=ResultState.choices)
    complete = models.BooleanField(default=False)
    case_at_start = models.BooleanField(null=True)
    recovered = models.BooleanField(null=True)
    reliable_improvement = models.BooleanField(null=True)
    reliable_recovery = models.BooleanField(null=True)
    reliable_deterioration = models.BooleanField(null=True)
    response = models.BooleanField(null=True)
    remission = models.BooleanField(null=True)
    first_depression = models.FloatField(null=True)
    last_depression = models.FloatField(null=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The clinic report: a clinic's results by the day their course finished.
            models.Index(fields=["clinic", "finished_on"], name="course_result_period"),
        ]

    def __str__(self) -> str:
        return f"result of course {self.course_id}"
