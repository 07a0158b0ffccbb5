"""The clinic's outcome report (issue 25 part 3, ADR 0058): over a period, for the whole clinic
and broken down by clinician, format, problem area or group, the referrals, courses started and
finished, completion, paired data completeness and, of the courses with an outcome, recovery,
reliable improvement, reliable recovery, reliable deterioration, response and remission, each
with its n and a Wilson 95% interval; and the funnel plot of recovery by clinician.

Every figure of finished courses reads the stored results (``measures.CourseResult``, one row
per finished course written when it finished), so the report is a handful of grouped counts
whatever the number of administrations: eight queries at most (referrals, courses started in
all and by the breakdown, the clinic's finished courses, the same by the breakdown and by
clinician, the breakdown's and the clinicians' names)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gentle.accounts.models import Clinic, User
from gentle.clients.models import CareTeamMember, TeamRole
from gentle.courses.models import Course, CourseFormat, CourseStatus, ProblemArea
from gentle.groups.models import Group
from gentle.intake.models import IntakeRequest
from gentle.lib.outcomes import Proportion, wilson
from gentle.measures.models import CourseResult, ResultState

CLINICIAN, FORMAT, AREA, GROUP = "clinician", "format", "problem_area", "group"
BREAKDOWNS = {
    "": gettext_lazy("None (the whole clinic)"),
    CLINICIAN: gettext_lazy("Clinician"),
    FORMAT: gettext_lazy("Format"),
    AREA: gettext_lazy("Problem area"),
    GROUP: gettext_lazy("Group"),
}
# What each breakdown groups a stored result by, and a course by.
_RESULT_KEY = {
    CLINICIAN: "clinician_id",
    FORMAT: "format",
    AREA: "problem_area",
    GROUP: "course__group_memberships__group_id",
}
_COURSE_KEY = {FORMAT: "format", AREA: "focus", GROUP: "group_memberships__group_id"}

# The figures of finished courses, as counts over the stored results: name -> filter.
_OUTCOME = Q(state=ResultState.OUTCOME)
_PAIRED = _OUTCOME & Q(complete=True)
_COUNTS = {
    "finished": Q(),
    "completed": Q(status=CourseStatus.COMPLETED),
    "outcome": _OUTCOME,
    "paired": _PAIRED,
    "cases": _PAIRED & Q(case_at_start=True),
    "recovered": _PAIRED & Q(recovered=True),
    "reliable_improvement": _PAIRED & Q(reliable_improvement=True),
    "reliable_recovery": _PAIRED & Q(reliable_recovery=True),
    "reliable_deterioration": _PAIRED & Q(reliable_deterioration=True),
    "depression_paired": _OUTCOME & Q(response__isnull=False),
    "response": _OUTCOME & Q(response=True),
    "remission": _OUTCOME & Q(remission=True),
}


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def datetimes(self) -> tuple[datetime, datetime]:
        """The period's first instant and the instant after it, in the clinic's time zone."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, zone),
            datetime.combine(self.end + timedelta(days=1), time.min, zone),
        )


def default_period(today: date) -> Period:
    """The last twelve months, today included."""
    return Period(today.replace(year=today.year - 1) + timedelta(days=1), today)


@dataclass
class Row:
    """One line of the report: the clinic, or one clinician, format, problem area or group."""

    key: Any
    label: str
    referrals: int | None = None  # the clinic's line only: a referral has no course yet
    started: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def _n(self, name: str) -> int:
        return self.counts.get(name, 0)

    @property
    def finished(self) -> int:
        return self._n("finished")

    @property
    def ended_early(self) -> int:
        return self._n("finished") - self._n("completed")

    @property
    def not_yet(self) -> int:
        return self._n("finished") - self._n("outcome")

    @property
    def figures(self) -> list[tuple[str, Proportion]]:
        """The proportions in the report's order: (key, count of n with its interval)."""
        n = self._n
        return [
            ("completion", wilson(n("completed"), n("finished"))),
            ("paired", wilson(n("paired"), n("finished"))),
            ("recovery", wilson(n("recovered"), n("cases"))),
            ("reliable_improvement", wilson(n("reliable_improvement"), n("paired"))),
            ("reliable_recovery", wilson(n("reliable_recovery"), n("cases"))),
            ("reliable_deterioration", wilson(n("reliable_deterioration"), n("paired"))),
            ("response", wilson(n("response"), n("depression_paired"))),
            ("remission", wilson(n("remission"), n("depression_paired"))),
        ]

    @property
    def labelled(self) -> list[tuple[str, Proportion]]:
        """The figures with their names, for the table's cells."""
        return [(str(FIGURE_NAMES[key]), figure) for key, figure in self.figures]


FIGURE_NAMES = {
    "completion": gettext_lazy("Completion"),
    "paired": gettext_lazy("Paired data"),
    "recovery": gettext_lazy("Recovery"),
    "reliable_improvement": gettext_lazy("Reliable improvement"),
    "reliable_recovery": gettext_lazy("Reliable recovery"),
    "reliable_deterioration": gettext_lazy("Reliable deterioration"),
    "response": gettext_lazy("Response"),
    "remission": gettext_lazy("Remission"),
}


@dataclass
class Report:
    clinic: Clinic
    period: Period
    breakdown: str
    total: Row
    rows: list[Row]
    by_clinician: list[Row]  # for the funnel plot: every clinician with finished courses

    @property
    def lines(self) -> list[Row]:
        """The clinic's line, then the breakdown's."""
        return [self.total, *self.rows]

    @property
    def clinic_recovery(self) -> Proportion:
        return self.total.figures[2][1]


def _annotations() -> dict[str, Count]:
    return {name: Count("pk", filter=condition) for name, condition in _COUNTS.items()}


def _results(clinic: Clinic, period: Period) -> QuerySet[CourseResult]:
    return CourseResult.objects.filter(
        clinic=clinic, finished_on__gte=period.start, finished_on__lte=period.end
    )


def _clinician_of_course() -> Subquery:
    team = CareTeamMember.objects.filter(client_id=OuterRef("client_id"), role=TeamRole.CLINICIAN)
    return Subquery(team.order_by("added_at", "pk").values("user_id")[:1])


def _started(clinic: Clinic, period: Period, breakdown: str) -> dict[Any, int]:
    courses = Course.objects.filter(
        client__clinic=clinic, start_date__gte=period.start, start_date__lte=period.end
    )
    if not breakdown:
        return {None: courses.count()}
    if breakdown == CLINICIAN:
        courses = courses.annotate(key=_clinician_of_course())
    else:
        courses = courses.annotate(key=F(_COURSE_KEY[breakdown]))
    return {
        row["key"]: row["n"] for row in courses.order_by().values("key").annotate(n=Count("pk"))
    }


def _labels(breakdown: str, keys: set[Any]) -> dict[Any, str]:
    if breakdown == CLINICIAN:
        people = User.objects.filter(pk__in=[k for k in keys if k is not None])
        return {person.pk: str(person) for person in people}
    if breakdown == GROUP:
        groups = Group.objects.filter(pk__in=[k for k in keys if k is not None])
        return {group.pk: group.name for group in groups}
    if breakdown == FORMAT:
        return {value: str(label) for value, label in CourseFormat.choices}
    if breakdown == AREA:
        return {value: str(label) for value, label in ProblemArea.choices}
    return {}


def _none_label(breakdown: str) -> str:
    return {
        CLINICIAN: _("No clinician on the care team"),
        AREA: _("No problem area agreed"),
        GROUP: _("Not in a group"),
    }.get(breakdown, _("Other"))


def build(clinic: Clinic, period: Period, breakdown: str = "") -> Report:
    """The report of ``clinic``'s courses over ``period``, broken down by ``breakdown`` (a key
    of BREAKDOWNS). Eight queries at most, whatever the number of courses."""
    start, end = period.datetimes()
    referrals = IntakeRequest.objects.filter(
        clinic=clinic, created_at__gte=start, created_at__lt=end
    ).count()
    results = _results(clinic, period)
    total = Row(None, _("All courses"), referrals=referrals)
    total.started = sum(_started(clinic, period, "").values())
    total.counts = results.aggregate(**_annotations())
    by_clinician_counts = {
        row["clinician_id"]: row
        for row in results.order_by().values("clinician_id").annotate(**_annotations()).order_by()
    }
    rows: list[Row] = []
    if breakdown:
        started = _started(clinic, period, breakdown)
        if breakdown == CLINICIAN:
            counts = by_clinician_counts
        else:
            key = _RESULT_KEY[breakdown]
            counts = {
                row[key]: row
                for row in results.order_by().values(key).annotate(**_annotations()).order_by()
            }
        keys = set(started) | set(counts)
        if breakdown == CLINICIAN:
            keys |= set(by_clinician_counts)
        labels = _labels(breakdown, keys | set(by_clinician_counts))
        for key in keys:
            name = labels.get(key) if key not in ("", None) else None
            one = Row(key, name or _none_label(breakdown))
            one.started = started.get(key, 0)
            one.counts = {name: counts.get(key, {}).get(name, 0) for name in _COUNTS}
            rows.append(one)
        rows.sort(key=lambda r: (r.key in ("", None), r.label.casefold()))
        clinician_labels = labels if breakdown == CLINICIAN else None
    else:
        clinician_labels = None
    if clinician_labels is None:
        clinician_labels = _labels(CLINICIAN, set(by_clinician_counts))
    by_clinician = []
    for key, counts_of in by_clinician_counts.items():
        one = Row(key, clinician_labels.get(key, _none_label(CLINICIAN)))
        one.counts = {name: counts_of.get(name, 0) for name in _COUNTS}
        by_clinician.append(one)
    by_clinician.sort(key=lambda r: r.label.casefold())
    return Report(clinic, period, breakdown, total, rows, by_clinician)
