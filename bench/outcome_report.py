"""Outcome-report benchmark (issue 25 part 3, ADR 0058): the clinic report over 1,000,000
administrations, in-process.

Run from the project root:

    .venv/bin/python bench/outcome_report.py                       # SQLite, 100,000 courses
    .venv/bin/python bench/outcome_report.py --courses 20000 --repeat 9
    bin/with-postgres .venv/bin/python bench/outcome_report.py     # PostgreSQL

On a throwaway installation (``migrate``, ``seed-demo``) it adds to the demo clinic 40
clinicians and ``--courses`` clients, each with one course (formats and problem areas drawn
at random, started over the last two years, nine in ten finished, one in ten of those ended
early), the client's clinician on the care team, ten PHQ-9 and GAD-7 administrations a course
(``--per-course``; PHQ-9 at each of the first six sessions' weeks, GAD-7 at four) and, for each
finished course, its stored result as ``measures.actions.result_store`` would write it (the
outcome rules applied to the generated first and last scores by ``gentle.lib.outcomes``; the
rows are bulk-inserted, not written one course at a time). 300 groups take one course in ten;
5,000 consultation requests are spread over two years. Then, signed in as the demo's
supervisor, it requests ``/reports/outcomes/`` for the default period (the last twelve months)
with each breakdown, and its CSV, once unmeasured, once counting queries, then ``--repeat``
times for the median; and times the worker's rendering of the PDF once without and once with
the breakdown by clinician. Rows are written with bulk_create,
without the audit rows the actions would write (the report reads none of them). A measurement,
not a test.
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
SEED = 20261204
CLINICIANS = 40
GROUPS = 300
URLS = (
    "/reports/outcomes/",
    "/reports/outcomes/?breakdown=clinician",
    "/reports/outcomes/?breakdown=format",
    "/reports/outcomes/?breakdown=problem_area",
    "/reports/outcomes/?breakdown=group",
    "/reports/outcomes.csv?breakdown=clinician",
)


def _scale_module():
    """bench/scale.py's Django set-up and fresh database, reused."""
    sys.path.insert(0, str(BENCH_DIR))
    import scale

    return scale


def seed_outcomes(courses: int, *, per_course: int = 10, seed: int = SEED) -> dict[str, int]:
    """Add ``courses`` clients with a course each, their administrations and stored results."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from gentle.accounts.demo import DEMO_CLINIC_SLUG
    from gentle.accounts.models import Clinic, Membership, Role, User
    from gentle.clients.models import CareTeamMember, Client, TeamRole
    from gentle.courses.models import Course, CourseStatus, ProblemArea
    from gentle.groups.models import Group, GroupMember, GroupStatus
    from gentle.intake.models import IntakeRequest
    from gentle.lib.outcomes import Measure, course_outcome
    from gentle.measures.models import Administration, CourseResult, Mode, ResultState, Status
    from gentle.measures.selectors import outcome_rules

    rng = random.Random(seed)
    rules = outcome_rules()
    measures = {
        m: Measure(v["caseness"], v["reliable_change"]) for m, v in rules["measures"].items()
    }
    clinic = Clinic.objects.get(slug=DEMO_CLINIC_SLUG)
    admin = User.objects.get(email="admin@demo.gentle.test")
    unusable = make_password(None)
    today = timezone.localdate()
    formats = ["individual"] * 6 + ["brief", "group", "ipc", "adolescent"]
    areas = [a.value for a in ProblemArea] + [""]
    with transaction.atomic():
        people = User.objects.bulk_create(
            User(
                email=f"bench-clinician{n}@example.test",
                display_name=f"Clinician {n:02d}",
                password=unusable,
            )
            for n in range(CLINICIANS)
        )
        Membership.objects.bulk_create(
            Membership(user=p, clinic=clinic, role=Role.CLINICIAN) for p in people
        )
        clients = Client.objects.bulk_create(
            (
                Client(clinic=clinic, given_name=f"Outcome{n}", family_name="Bench")
                for n in range(courses)
            ),
            batch_size=5000,
        )
        # Each clinician has their own mean recovery, so the funnel plot has a spread.
        skill = [rng.uniform(0.35, 0.75) for _ in people]
        plan = []
        for n, client in enumerate(clients):
            who = n % CLINICIANS
            start = today - timedelta(days=rng.randrange(0, 730))
            finished = rng.random() < 0.9 and start < today - timedelta(days=42)
            early = finished and rng.random() < 0.1
            plan.append((client, who, start, finished, early))
        CareTeamMember.objects.bulk_create(
            (
                CareTeamMember(client=c, user=people[who], role=TeamRole.CLINICIAN)
                for c, who, *_rest in plan
            ),
            batch_size=5000,
        )
        made = Course.objects.bulk_create(
            (
                Course(
                    client=c,
                    format=rng.choice(formats),
                    contracted_sessions=12,
                    session_minutes=50,
                    initial_last=3,
                    termination_first=10,
                    start_date=start,
                    focus=rng.choice(areas),
                    status=(CourseStatus.ENDED_EARLY if early else CourseStatus.COMPLETED)
                    if finished
                    else CourseStatus.ACTIVE,
                    end_reason="Moved away" if early else "",
                    ended_on=start + timedelta(days=rng.randrange(28, 84)) if finished else None,
                )
                for c, who, start, finished, early in plan
            ),
            batch_size=5000,
        )
        given: list[Administration] = []
        results: list[CourseResult] = []
        administrations = 0
        for course, (client, who, start, finished, _early) in zip(made, plan, strict=True):
            phq_first, gad_first = rng.randrange(4, 27), rng.randrange(3, 21)
            good = rng.random() < skill[who]
            phq_last = max(0, phq_first - (rng.randrange(6, 15) if good else rng.randrange(-6, 5)))
            gad_last = max(0, gad_first - (rng.randrange(4, 12) if good else rng.randrange(-4, 4)))
            phq = [round(phq_first + (phq_last - phq_first) * k / 5) for k in range(6)]
            gad = [round(gad_first + (gad_last - gad_first) * k / 3) for k in range(4)]
            series = [("phq9", k * 7, v) for k, v in enumerate(phq)]
            series += [("gad7", k * 7 * 5 // 3 if k < 3 else 35, v) for k, v in enumerate(gad)]
            for instrument, day, total in series[:per_course]:
                at = timezone.make_aware(
                    datetime.combine(start + timedelta(days=day), datetime.min.time())
                )
                given.append(
                    Administration(
                        client_id=client.pk,
                        course_id=course.pk,
                        instrument_id=instrument,
                        instrument_version=1,
                        mode=Mode.IN_SESSION,
                        status=Status.SUBMITTED,
                        created_by=admin,
                        submitted_at=at,
                        scores={"total": total},
                    )
                )
            if len(given) >= 50_000:
                Administration.objects.bulk_create(given, batch_size=5000)
                administrations += len(given)
                given = []
            if not finished:
                continue
            attended = rng.randrange(1, 13)
            outcome = course_outcome(
                {"phq9": phq[0], "gad7": gad[0]},
                {"phq9": phq[-1], "gad7": gad[-1]},
                attended=attended,
                measures=measures,
                min_sessions=rules["min_sessions"],
            )
            has = attended >= rules["min_sessions"]
            complete = has and rng.random() < 0.85  # some GAD-7s do not pair by date

            def kept(value, *, paired_only=True, has=has, complete=complete):
                return value if has and (complete or not paired_only) else None

            results.append(
                CourseResult(
                    course=course,
                    clinic=clinic,
                    finished_on=course.ended_on,
                    status=course.status,
                    format=course.format,
                    clinician=people[who],
                    problem_area=course.focus,
                    attended=attended,
                    state=ResultState.OUTCOME if has else ResultState.NOT_YET,
                    complete=complete,
                    case_at_start=kept(outcome.case_at_start),
                    recovered=kept(outcome.recovered),
                    reliable_improvement=kept(outcome.reliable_improvement),
                    reliable_recovery=kept(outcome.reliable_recovery),
                    reliable_deterioration=kept(outcome.reliable_deterioration),
                    response=kept(outcome.response, paired_only=False),
                    remission=kept(outcome.remission, paired_only=False),
                    first_depression=phq[0] if has else None,
                    last_depression=phq[-1] if has else None,
                )
            )
        Administration.objects.bulk_create(given, batch_size=5000)
        administrations += len(given)
        CourseResult.objects.bulk_create(results, batch_size=5000)
        groups = Group.objects.bulk_create(
            Group(
                clinic=clinic,
                name=f"Bench outcome group {n}",
                language="en",
                setting="in_person",
                place="Room 1",
                starts_on=today - timedelta(days=rng.randrange(0, 720)),
                facilitator=people[n % CLINICIANS],
                status=GroupStatus.FINISHED,
            )
            for n in range(GROUPS)
        )
        members = [
            GroupMember(
                group=groups[n % GROUPS],
                client_id=course.client_id,
                course=course,
                joined_on=course.start_date,
                left_on=course.ended_on,
                leave_reason="completed" if course.ended_on else "",
            )
            for n, course in enumerate(made[::10])
        ]
        GroupMember.objects.bulk_create(members, batch_size=5000)
        requests = IntakeRequest.objects.bulk_create(
            (
                IntakeRequest(clinic=clinic, name=f"Req {n}", contact="email", message="…")
                for n in range(max(courses // 20, 10))
            ),
            batch_size=5000,
        )
        for index, request in enumerate(requests):
            request.created_at = timezone.now() - timedelta(days=index % 730)
        IntakeRequest.objects.bulk_update(requests, ["created_at"], batch_size=5000)
    return {
        "courses": len(made),
        "administrations": administrations,
        "results": len(results),
        "group_members": len(members),
        "requests": len(requests),
    }


def measure(repeat: int, *, urls=URLS) -> list[tuple[str, float, int, float]]:
    """Each URL's median time in ms, its queries and its size in KiB."""
    from django.db import connection
    from django.test import Client as HttpClient

    from gentle.accounts.models import User

    http = HttpClient()
    http.force_login(User.objects.get(email="supervisor@demo.gentle.test"))
    results = []
    for url in urls:
        http.get(url)
        executed: list[str] = []

        def counted(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = http.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(repeat):
            begin = time.perf_counter()
            http.get(url)
            times.append((time.perf_counter() - begin) * 1000)
        results.append(
            (
                url,
                statistics.median(times),
                len(executed),
                len(response.content) / 1024,
            )
        )
    return results


def pdf_ms(breakdown: str) -> float:
    """How long the worker takes to count and render the report's PDF (ms), once."""
    from django.utils import timezone

    from gentle.accounts.models import User
    from gentle.reports.models import ReportPdf
    from gentle.reports.report import default_period
    from gentle.reports.tasks import render_report_pdf

    supervisor = User.objects.get(email="supervisor@demo.gentle.test")
    period = default_period(timezone.localdate())
    job = ReportPdf.objects.create(
        clinic=supervisor.memberships.first().clinic,
        requested_by=supervisor,
        params={
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "breakdown": breakdown,
            "size": "a4",
            "language": "en",
        },
    )
    begin = time.perf_counter()
    assert render_report_pdf.call(job.pk) == "done"
    return (time.perf_counter() - begin) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=100_000)
    parser.add_argument("--per-course", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args(argv)
    scale = _scale_module()
    with tempfile.TemporaryDirectory(prefix="gentle-outcomes-") as data_dir:
        scale._setup_django(data_dir)
        from django.db import connection
        from django.test.utils import setup_test_environment

        from gentle.demo import seed_demo

        setup_test_environment()
        logging.getLogger("gentle").setLevel(logging.WARNING)
        scale._fresh_database()
        seed_demo()
        started = time.monotonic()
        counts = seed_outcomes(options.courses, per_course=options.per_course)
        print(f"{connection.vendor}: seeded {counts} in {time.monotonic() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        print(f"| Request | Median ms ({options.repeat} requests) | Queries | KiB |")
        print("|---|---:|---:|---:|")
        for url, ms, queries, kib in measure(options.repeat):
            print(f"| `{url}` | {ms:.0f} | {queries} | {kib:.0f} |")
        for breakdown in ("", "clinician"):
            name = breakdown or "none"
            print(f"| PDF in the worker, breakdown: {name} | {pdf_ms(breakdown):.0f} | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
