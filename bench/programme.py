"""Programme-view benchmark (issue 24 part 5): the groups programme page and its CSV on a clinic
with a few hundred groups, in-process.

Run from the project root:

    .venv/bin/python bench/programme.py                       # SQLite, 300 groups
    .venv/bin/python bench/programme.py --groups 600 --repeat 9
    bin/with-postgres .venv/bin/python bench/programme.py     # PostgreSQL

On a throwaway installation (``migrate``, ``seed-demo``) it adds ``--groups`` groups to the demo
clinic, run by 20 new lay facilitators: each with 10 members (clients with a group course; one
in ten joined late, one in ten left), its 8 sessions (all held for a finished group, the first
four for a running one, none for a planned one), an attendance row per member and held session
(85% came), and a PHQ-9 at each member's first and last held session. Then, signed in as the
demo's administrator (who sees every group), it requests the first page of
``/groups/programme/`` and the CSV once unmeasured, once counting queries, then ``--repeat``
times for the median. Rows are written with bulk_create, without the audit rows the actions
would write (the page reads none of them). A measurement, not a test.
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
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
SEED = 20261203
MEMBERS_PER_GROUP = 10
SESSIONS = 8


def _scale_module():
    """bench/scale.py's Django set-up and fresh database, reused."""
    sys.path.insert(0, str(BENCH_DIR))
    import scale

    return scale


def seed_groups(count: int, *, seed: int = SEED) -> dict[str, int]:
    """Add ``count`` groups with their members, sessions, attendance and PHQ-9s."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from gentle.accounts.demo import DEMO_CLINIC_SLUG
    from gentle.accounts.models import Clinic, Membership, Role, User
    from gentle.clients.models import Client
    from gentle.courses.models import Course
    from gentle.groups.models import (
        Group,
        GroupAttendance,
        GroupMember,
        GroupSession,
        GroupStatus,
        LeaveReason,
    )
    from gentle.measures.models import Administration, Mode, Status

    rng = random.Random(seed)
    clinic = Clinic.objects.get(slug=DEMO_CLINIC_SLUG)
    admin = User.objects.get(email="admin@demo.gentle.test")
    unusable = make_password(None)
    today = timezone.localdate()
    statuses = [GroupStatus.FINISHED] * 6 + [GroupStatus.RUNNING] * 3 + [GroupStatus.PLANNED]
    with transaction.atomic():
        people = User.objects.bulk_create(
            User(
                email=f"bench-facilitator{n}@example.test",
                display_name=f"Facilitator {n}",
                password=unusable,
            )
            for n in range(20)
        )
        Membership.objects.bulk_create(
            Membership(user=p, clinic=clinic, role=Role.FACILITATOR) for p in people
        )
        groups = Group.objects.bulk_create(
            Group(
                clinic=clinic,
                name=f"Bench group {n}",
                language=rng.choice(["en", "es"]),
                setting="in_person",
                place="Room 1",
                starts_on=today - timedelta(days=rng.randrange(-30, 720)),
                facilitator=people[n % 20],
                co_facilitator=people[(n + 7) % 20] if n % 3 == 0 else None,
                status=rng.choice(statuses),
            )
            for n in range(count)
        )
        clients = Client.objects.bulk_create(
            Client(clinic=clinic, given_name=f"Member{n}", family_name="Bench")
            for n in range(count * MEMBERS_PER_GROUP)
        )
        courses = Course.objects.bulk_create(
            Course(
                client=c,
                format="group",
                contracted_sessions=8,
                session_minutes=90,
                initial_last=1,
                termination_first=8,
                start_date=today,
            )
            for c in clients
        )
        members, sessions = [], []
        for index, group in enumerate(groups):
            held = {"finished": SESSIONS, "running": 4}.get(group.status, 0)
            for number in range(1, SESSIONS + 1):
                day = group.starts_on + timedelta(days=7 * (number - 1))
                sessions.append(
                    GroupSession(
                        group=group,
                        number=number,
                        starts_at=timezone.make_aware(datetime.combine(day, datetime.min.time())),
                        status="held" if number <= held else "scheduled",
                    )
                )
            for k in range(MEMBERS_PER_GROUP):
                at = index * MEMBERS_PER_GROUP + k
                late = k == 9
                joined = group.starts_on + timedelta(days=7 if late else -5)
                left = reason = None
                if group.status == GroupStatus.FINISHED:
                    left = group.starts_on + timedelta(days=49)
                    reason = LeaveReason.DROPPED_OUT if k == 8 else LeaveReason.COMPLETED
                elif k == 8 and group.status == GroupStatus.RUNNING:
                    left, reason = joined + timedelta(days=10), LeaveReason.MOVED
                members.append(
                    GroupMember(
                        group=group,
                        client=clients[at],
                        course=courses[at],
                        joined_on=joined,
                        left_on=left,
                        leave_reason=reason or "",
                    )
                )
        members = GroupMember.objects.bulk_create(members, batch_size=2000)
        sessions = GroupSession.objects.bulk_create(sessions, batch_size=2000)
        by_group: dict[int, list] = {}
        for session in sessions:
            by_group.setdefault(session.group_id, []).append(session)
        attendance, given = [], []
        for one in members:
            came = []
            for session in by_group[one.group_id]:
                day = session.starts_at.date()
                on_roster = one.joined_on <= day and (one.left_on is None or one.left_on >= day)
                if session.status == "held" and on_roster:
                    attended = rng.random() < 0.85
                    attendance.append(
                        GroupAttendance(group_session=session, member=one, attended=attended)
                    )
                    if attended:
                        came.append(session)
            first = rng.randrange(5, 22)
            scores = [(came[0], first)] if came else []
            if len(came) >= 2:
                scores.append((came[-1], max(0, first - rng.randrange(-3, 12))))
            for session, total in scores:
                given.append(
                    Administration(
                        client_id=one.client_id,
                        course_id=one.course_id,
                        instrument_id="phq9",
                        instrument_version=1,
                        mode=Mode.IN_SESSION,
                        status=Status.SUBMITTED,
                        created_by=admin,
                        submitted_at=session.starts_at + timedelta(minutes=10),
                        scores={"total": total},
                    )
                )
        GroupAttendance.objects.bulk_create(attendance, batch_size=5000)
        Administration.objects.bulk_create(given, batch_size=5000)
    return {
        "groups": len(groups),
        "members": len(members),
        "sessions": len(sessions),
        "attendance": len(attendance),
        "administrations": len(given),
    }


def measure(repeat: int, *, slowest: int = 0) -> list[tuple[str, float, int, float]]:
    """Each URL's median time, its queries and its size; with ``slowest``, a profile of one
    request (that many of its slowest functions) and, on SQLite, each groups query's plan."""
    from django.db import connection
    from django.test import Client as HttpClient

    from gentle.accounts.models import User

    http = HttpClient()
    http.force_login(User.objects.get(email="admin@demo.gentle.test"))
    results = []
    for url in ("/groups/programme/", "/groups/programme.csv"):
        http.get(url)
        executed: list[tuple[str, Any]] = []

        def timed(execute, sql, params, many, context, executed=executed):
            executed.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(timed):
            response = http.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if slowest:  # SQLite does most of a SELECT's work as its rows are fetched: profile
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.runcall(http.get, url)
            pstats.Stats(profile).sort_stats("cumtime").print_stats("gentle/groups", slowest)
            if connection.vendor == "sqlite":  # where a query scans a table, an index may help
                with connection.cursor() as cursor:
                    for sql, params in executed:
                        if "groups_" in sql and sql.startswith("SELECT"):
                            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                            plan = [row[-1] for row in cursor.fetchall()]
                            print(f"  {sql[:90]}\n    " + "\n    ".join(plan))
        times = []
        for _ in range(repeat):
            begin = time.perf_counter()
            http.get(url)
            times.append((time.perf_counter() - begin) * 1000)
        results.append((url, statistics.median(times), len(executed), len(response.content) / 1024))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--slowest", type=int, default=0, help="print the N slowest queries")
    options = parser.parse_args(argv)
    scale = _scale_module()
    with tempfile.TemporaryDirectory(prefix="gentle-programme-") as data_dir:
        scale._setup_django(data_dir)
        from django.db import connection
        from django.test.utils import setup_test_environment

        from gentle.demo import seed_demo

        setup_test_environment()
        logging.getLogger("gentle").setLevel(logging.WARNING)
        scale._fresh_database()
        seed_demo()
        started = time.monotonic()
        counts = seed_groups(options.groups)
        print(f"{connection.vendor}: seeded {counts} in {time.monotonic() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        print(f"| Page | Median ms ({options.repeat} requests) | Queries | KiB |")
        print("|---|---:|---:|---:|")
        for url, ms, queries, kib in measure(options.repeat, slowest=options.slowest):
            print(f"| `{url}` | {ms:.0f} | {queries} | {kib:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
