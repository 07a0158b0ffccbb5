"""What a supervisor's home says of the current courses it watches, worked out by `gentle
worker` every 5 minutes and stored (``CourseWatch``; ADR 0064).

Two of the home's lists need every supervised course: "Courses not on track" (each course's
first and latest score and their count against its expected recovery) and "Past the initial
phase without an agreed focus" (each course's held sessions). A supervisor of a fifth of a
10,000-client clinic has about 1,300 current courses, and working both out on each visit took
most of the home's time (issue 20). The worker works them out for the whole clinic (a few
hundred milliseconds at that size), and stores a row per current course only when its flags
change; the home counts and lists the stored flags of the supervised courses. The caseload and
the course pages still work a course's track out when they show it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from gentle.accounts.models import Clinic
from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.courses.models import NUMBERED, Course, CourseStatus, Session
from gentle.formulation.models import Formulation
from gentle.measures import selectors as measure_selectors
from gentle.models import CourseWatch, CourseWatchRun

EVERY = timedelta(minutes=5)
# No run finished for this long: the home says the worker may have stopped.
LATE = timedelta(minutes=30)
CURRENT = (CourseStatus.PLANNED, CourseStatus.ACTIVE)
BATCH = 1000


def held_sessions(now: datetime) -> Coalesce:
    """A course's numbered sessions held by ``now`` (scheduled or attended, as numbering counts
    them), for ``annotate(held=...)``."""
    held = Session.objects.filter(
        course=OuterRef("pk"), attendance__in=NUMBERED, starts_at__lte=now
    ).order_by()
    return Coalesce(
        Subquery(
            held.values("course").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def without_focus(courses: QuerySet[Course], now: datetime) -> QuerySet[Course]:
    """Of these courses, those that held more sessions than their initial phase has, with no
    focus agreed with the client (no formulation agreed, or no focus on the course; ADR
    0045)."""
    return (
        courses.annotate(held=held_sessions(now))
        .filter(held__gt=F("initial_last"))
        .filter(
            Q(focus="")
            | ~Exists(Formulation.objects.filter(course=OuterRef("pk"), agreed_on__isnull=False))
        )
    )


def refresh(*, clinic: Clinic, now: datetime | None = None) -> int:
    """Work out the flags of every current course of the clinic and store those that changed;
    returns how many rows were written or removed. A change is audited (one row, with the
    counts); the run's time is kept either way (``CourseWatchRun``)."""
    now = now or timezone.now()
    current = Course.objects.filter(client__clinic=clinic, status__in=CURRENT)
    # Read before the transaction: the reads are long and change nothing.
    values = [
        measure_selectors.CourseValues(*row)
        for row in current.values_list("pk", "contracted_sessions", "format")
    ]
    tracks = measure_selectors.not_on_track(values, clinic, ids=current.values("pk"))
    unfocused = set(without_focus(current, now).values_list("pk", flat=True))
    wanted = {
        course.pk: (
            course.pk in tracks,
            bool(course.pk in tracks and tracks[course.pk].behind),
            course.pk in unfocused,
        )
        for course in values
    }
    with transaction.atomic():
        stored = {
            pk: (checked, behind, no_focus)
            for pk, checked, behind, no_focus in CourseWatch.objects.filter(
                clinic=clinic
            ).values_list("course_id", "checked", "behind", "no_focus")
        }
        gone = [pk for pk in stored if pk not in wanted]
        changed = [pk for pk, flags in wanted.items() if stored.get(pk) != flags]
        for start in range(0, len(gone), BATCH):
            CourseWatch.objects.filter(course_id__in=gone[start : start + BATCH]).delete()
        for start in range(0, len(changed), BATCH):
            chunk = changed[start : start + BATCH]
            CourseWatch.objects.filter(course_id__in=chunk).delete()
            # A course deleted since the read is left out.
            existing = Course.objects.filter(pk__in=chunk).values_list("pk", flat=True)
            CourseWatch.objects.bulk_create(
                [
                    CourseWatch(
                        course_id=pk,
                        clinic=clinic,
                        checked=wanted[pk][0],
                        behind=wanted[pk][1],
                        no_focus=wanted[pk][2],
                        changed_at=now,
                    )
                    for pk in existing
                ],
                ignore_conflicts=True,  # another run stored it first
            )
        if gone or changed:
            flags = list(wanted.values())
            record(
                Action.COURSE_WATCH,
                actor_label="gentle worker",
                clinic_id=clinic.pk,
                object_type="clinic",
                object_id=clinic.pk,
                detail=(
                    f"current={len(flags)} checked={sum(f[0] for f in flags)} "
                    f"behind={sum(f[1] for f in flags)} no_focus={sum(f[2] for f in flags)} "
                    f"written={len(changed)} removed={len(gone)}"
                ),
            )
        CourseWatchRun.objects.update_or_create(clinic=clinic, defaults={"finished_at": now})
    return len(changed) + len(gone)
