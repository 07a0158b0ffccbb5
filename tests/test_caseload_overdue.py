"""The caseload's "measures overdue": for each held session, the questionnaires its course's
schedule (or the default: PHQ-9 every session, GAD-7 at the first and every fourth) asked for
and no submitted answer linked to that session gave. Counted by hand below."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from gentle.measures.models import Administration, ScheduleRule
from tests.factories import make_client, make_course, make_session, signed_in, visible_text

pytestmark = pytest.mark.django_db


def answer(session, instrument_id: str, status: str = "submitted") -> Administration:
    return Administration.objects.create(
        client=session.course.client,
        course=session.course,
        session=session,
        instrument_id=instrument_id,
        instrument_version=1,
        mode="in_session",
        status=status,
        created_by=session.clinician,
        scores={"total": 9},
        submitted_at=session.starts_at if status == "submitted" else None,
    )


def overdue_on_caseload(world, client) -> str:
    html = signed_in(world.alice).get("/caseload/").content.decode()
    row = html.split(f'href="/clients/{client.pk}/"', 1)[1].split("</tr>", 1)[0]
    if "overdue" not in row:
        return "none"
    return row.split('class="alert-chip overdue"', 1)[1].split(">", 1)[1].split("<", 1)[0]


def test_the_default_schedule_counts_what_held_sessions_missed(world):
    client = make_client(world.clinic, clinicians=[world.alice])
    course = make_course(client)
    now = timezone.now()

    def session(days: int, attendance: str):
        return make_session(
            course, world.alice, starts_at=now + timedelta(days=days), attendance=attendance
        )

    first = session(-28, "attended")  # 1: PHQ-9 and GAD-7 due, both given
    session(-21, "cancelled")  # no number, nothing due
    second = session(-14, "attended")  # 2: PHQ-9 due, given
    session(-10, "no_show")  # no number
    third = session(-7, "attended")  # 3: PHQ-9 due, only assigned: overdue
    fourth = session(-1, "attended")  # 4: PHQ-9 given, GAD-7 due and not: overdue
    session(7, "scheduled")  # 5: not held yet
    session(14, "attended")  # 6: marked attended ahead of its time: not held yet, none due
    answer(first, "phq9")
    answer(first, "gad7")
    answer(second, "phq9")
    answer(third, "phq9", status="assigned")
    answer(fourth, "phq9")
    assert overdue_on_caseload(world, client) == "2 measures overdue"
    # The clinician's home counts the same through its own prepared reads (issue 20).
    html = signed_in(world.alice).get("/").content.decode()
    listed = html.split('id="measures-overdue"', 1)[1].split("</section>", 1)[0]
    assert f"{client.full_name} · 2 measures overdue" in visible_text(listed)


def test_held_sessions_are_counted_and_numbered_from_the_index_alone(world):
    """Counting the caseload's overdue measures reads, for each course, how many numbered
    sessions it held, the numbers of those at which nothing was due and of those with answers:
    a count a course and a few rows, not a row for each of the 2,700 held sessions of a
    programme's caseload (issue 20). The sessions are read from ``session_course_time`` alone,
    and numbered as the course's pages number them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gentle.measures.selectors import (
        given_numbers,
        held_counts,
        overdue_counts,
        skipped_numbers,
    )

    client = make_client(world.clinic, clinicians=[world.alice])
    course = make_course(client)
    now = timezone.now()
    sessions = []
    for days in range(40, 0, -1):
        attendance = {5: "no_show", 9: "cancelled", 13: "scheduled"}.get(days, "attended")
        starts_at = now - timedelta(days=days if days != 20 else 21)  # 21 twice: by id
        participants = "parent_only" if days == 30 else "client"
        sessions.append(
            make_session(
                course,
                world.alice,
                starts_at=starts_at,
                attendance=attendance,
                participants=participants,
            )
        )
    make_session(course, world.alice, starts_at=now + timedelta(days=1), attendance="attended")
    for held in sessions[::7]:
        answer(held, "phq9")
    answer(sessions[3], "gad7")  # the fourth, where the GAD-7 is due too
    # Numbered by hand: scheduled and attended sessions held by now, in time order, then by id.
    numbered = [s for s in sessions if s.attendance in ("scheduled", "attended")]
    numbered.sort(key=lambda s: (s.starts_at, s.pk))
    number = {s.pk: i for i, s in enumerate(numbered, 1)}
    skipped = {
        number[s.pk] for s in numbered if s.attendance != "attended" or s.participants != "client"
    }
    assert len(numbered) == 38 and len(skipped) == 2  # the scheduled one, the parent alone
    given = {
        (number[a.session_id], a.instrument_id)
        for a in Administration.objects.filter(course=course)
        if number.get(a.session_id) not in (None, *skipped)  # one was given at a no-show
    }
    due = sum(
        1 + (n == 1 or n % 4 == 0)  # PHQ-9 every session, GAD-7 at the first and every fourth
        for n in range(1, 39)
        if n not in skipped
    )
    overdue = due - sum(instrument == "phq9" or n == 1 or n % 4 == 0 for n, instrument in given)

    ids = {"course_id__in": [course.pk]}
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as captured:
        assert list(held_counts(ids, now)) == [(course.pk, 38)]
        assert sorted(n for _course, n in skipped_numbers(ids, now)) == sorted(skipped)
    read = {(n, instrument) for _course, instrument, n in given_numbers(ids, now)}
    assert read == given and len(given) == 6
    assert overdue_counts([course]) == {course.pk: overdue}
    for sql in [q["sql"] for q in captured.captured_queries]:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
                assert "COVERING INDEX session_course_time" in plan, plan
                assert "TEMP B-TREE" not in plan, plan
                assert "SCAN courses_session" not in plan, plan
            else:
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("EXPLAIN " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                assert "Seq Scan on courses_session" not in plan, plan


def test_a_clients_earlier_course_is_left_out_of_the_count(world):
    """The clinician's home reads the sessions of all its clients' courses and keeps those of
    the current courses: measures missed in a course that ended do not count (issue 20)."""
    client = make_client(world.clinic, clinicians=[world.alice])
    now = timezone.now()
    earlier = make_course(
        client, status="completed", start_date=timezone.localdate() - timedelta(days=200)
    )
    for days in (190, 183, 176):  # three held, nothing given: four missed
        make_session(
            earlier, world.alice, starts_at=now - timedelta(days=days), attendance="attended"
        )
    current = make_course(client, status="active")
    make_session(current, world.alice, starts_at=now - timedelta(days=2), attendance="attended")
    assert overdue_on_caseload(world, client) == "2 measures overdue"  # PHQ-9 and GAD-7
    html = signed_in(world.alice).get("/").content.decode()
    listed = html.split('id="measures-overdue"', 1)[1].split("</section>", 1)[0]
    assert f"{client.full_name} · 2 measures overdue" in visible_text(listed)


@given(
    schedule=st.lists(
        st.tuples(
            st.sampled_from(["phq9", "gad7", "wsas"]),
            st.sampled_from(["every_session", "every_n", "first_last"]),
            st.integers(2, 12),
        ),
        max_size=4,  # a questionnaire may come twice, as two rules of the same schedule
    ),
    contracted=st.integers(1, 20),
    held=st.integers(0, 25),
    data=st.data(),
)
def test_the_count_from_held_skipped_and_given_is_the_count_session_by_session(
    schedule, contracted, held, data
):
    """``count_overdue`` works a course out from its number of held sessions and the few
    numbers skipped or answered, with what each schedule asks for worked out once: the same
    count as asking every rule at every held session."""
    from types import SimpleNamespace

    from gentle.measures.selectors import count_overdue, is_due

    numbers = list(range(1, held + 1))
    skipped = data.draw(st.sets(st.sampled_from(numbers)) if numbers else st.just(set()))
    instruments = [instrument for instrument, _rule, _n in schedule] or ["phq9"]
    answerable = [n for n in numbers if n not in skipped]
    given = data.draw(
        st.sets(st.tuples(st.sampled_from(answerable), st.sampled_from(instruments)))
        if answerable
        else st.just(set())
    )
    expected = sum(
        is_due(rule, n, number, contracted) and (number, instrument) not in given
        for number in answerable
        for instrument, rule, n in schedule
    )
    course = SimpleNamespace(format="individual", contracted_sessions=contracted)
    other = SimpleNamespace(format="individual", contracted_sessions=contracted)
    counts = count_overdue(
        {1: course, 2: other},
        {1: schedule, 2: schedule},  # the same schedule: worked out once for both
        [(1, held), (3, 9)] + ([(2, held)] if held else []),  # course 3 is not asked about
        [(1, n) for n in skipped] + [(2, n) for n in skipped],
        [(1, instrument, n) for n, instrument in given],
    )
    if schedule:
        assert counts[1] == expected
        assert counts[2] == sum(
            is_due(rule, n, number, contracted) for number in answerable for _i, rule, n in schedule
        )
    assert set(counts) == {1, 2}


def test_a_courses_own_schedule_replaces_the_default(world):
    client = make_client(world.clinic, clinicians=[world.alice])
    course = make_course(client, contracted_sessions=3, initial_last=1, termination_first=3)
    ScheduleRule.objects.create(course=course, instrument_id="phq9", rule="first_last")
    now = timezone.now()
    for days in (-21, -14, -7):  # sessions 1, 2 and 3 (the last contracted) held
        make_session(
            course, world.alice, starts_at=now + timedelta(days=days), attendance="attended"
        )
    assert overdue_on_caseload(world, client) == "2 measures overdue"  # the first and the last


def test_a_course_with_everything_given_shows_nothing_overdue(world):
    client = make_client(world.clinic, clinicians=[world.alice])
    course = make_course(client)
    held = make_session(
        course, world.alice, starts_at=timezone.now() - timedelta(days=2), attendance="attended"
    )
    answer(held, "phq9")
    answer(held, "gad7")
    assert overdue_on_caseload(world, client) == "none"


def caseload_queries(world) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    http = signed_in(world.alice)
    with CaptureQueriesContext(connection) as captured:
        http.get("/caseload/")
    return [
        q["sql"] for q in captured.captured_queries if 'FROM "measures_administration"' in q["sql"]
    ]


def test_the_caseloads_answers_are_read_from_indexes_of_the_page_courses(world):
    """Issue 20: at a programme's size these two reads of a page's 50 courses walked the
    answers table row by row and sorted them, most of the caseload's time."""
    from tests.test_keyset_pages import plan

    client = make_client(world.clinic, clinicians=[world.alice])
    held = make_session(
        make_course(client), world.alice, starts_at=timezone.now() - timedelta(days=2)
    )
    answer(held, "phq9")
    given, series = None, None
    for sql in caseload_queries(world):
        if 'AS "session__course_id"' in sql:
            given = plan(sql)
        elif "ORDER BY" in sql and '"instrument_id" =' in sql:
            series = plan(sql)
    from django.db import connection

    assert given and series
    if connection.vendor == "sqlite":
        assert "COVERING INDEX admin_course_given" in given, given
        assert "admin_course_series" in series, series
    else:  # which index, on a tiny table with earlier tests' estimates: see plan()'s note
        assert "Index" in given and "Index" in series, given + series
    assert "Seq Scan" not in given + series, given + series
    assert "TEMP B-TREE" not in series and "Sort" not in series, series


def test_courses_tracked_on_several_questionnaires_are_read_from_the_index_too(world):
    """Issue 25: an IPT-A course is tracked on the PHQ-A and a perinatal one on the EPDS, so
    a page of mixed formats reads several questionnaires at once: still one query, each
    course's first score, latest score and count looked up in admin_course_series (issue 20:
    three lookups a course, not every answer of its history), without a sort."""
    from django.db import connection

    from tests.test_keyset_pages import plan

    for course_format, instrument in (
        ("individual", "phq9"),
        ("adolescent", "phqa"),
        ("perinatal", "epds"),
    ):
        client = make_client(world.clinic, clinicians=[world.alice])
        course = make_course(client, format=course_format)
        held = make_session(course, world.alice, starts_at=timezone.now() - timedelta(days=2))
        answer(held, instrument)
    series = [
        plan(sql) for sql in caseload_queries(world) if "CASE WHEN" in sql and "LIMIT 1" in sql
    ]
    assert len(series) == 1, series
    if connection.vendor == "sqlite":
        assert series[0].count("admin_course_series") == 3, series[0]
    else:
        assert "Index" in series[0], series[0]
    assert "Seq Scan" not in series[0]
    assert "TEMP B-TREE" not in series[0] and "Sort" not in series[0], series[0]


def test_the_count_of_each_courses_scores_is_read_from_the_index_alone(world):
    """Issue 20: the count of a course's scores read every answer's stored scores to check its
    total, a fifth of the supervisor's home at scale (99 of 120 ms for 1,314 courses). Every
    submitted answer of a tracked questionnaire has a total, so the count reads the index."""
    from django.db import connection

    from tests.test_keyset_pages import plan

    client = make_client(world.clinic, clinicians=[world.alice])
    held = make_session(
        make_course(client), world.alice, starts_at=timezone.now() - timedelta(days=2)
    )
    answer(held, "phq9")
    series = [
        plan(sql) for sql in caseload_queries(world) if "CASE WHEN" in sql and "LIMIT 1" in sql
    ]
    assert len(series) == 1, series
    if connection.vendor == "sqlite":
        assert "COVERING INDEX admin_course_series" in series[0], series[0]
    else:
        assert "Index" in series[0] and "Seq Scan" not in series[0], series[0]


def test_the_caseloads_reads_are_built_once_and_bound_to_each_page(world, monkeypatch):
    """Issue 20: the caseload's reads of its page's courses (where each stands and its next
    session, overdue measures, progress on track), of its clients' drafts and open alerts, and
    of the coming sessions were built and compiled in the ORM on every request: the demo
    caseload took 40 ms, about 23 after. Each is built once per shape (checked with two sets
    of markers), then bound to each page's ids: a second clinician's page shows only their own
    client and builds nothing again."""
    from collections import Counter

    from gentle.courses import selectors as course_selectors
    from gentle.measures import selectors as measure_selectors
    from gentle.safety import selectors as safety_selectors
    from tests.factories import count_prepared_builds
    from tests.test_caseload_columns import alert, draft, row_of

    reads = {
        "UPCOMING": course_selectors,
        "CASELOAD_PAGE": course_selectors,
        "DRAFTS_OF": course_selectors,
        "OVERDUE": measure_selectors,
        "TRACKED": measure_selectors,
        "OPEN_ALERTS_OF": safety_selectors,
    }
    built = count_prepared_builds(monkeypatch, reads)

    now = timezone.now()

    def client_with_course(name: str, clinician, *, held: int) -> tuple:
        client = make_client(world.clinic, clinicians=[clinician], given_name=name)
        course = make_course(client)
        for days in range(held, 0, -1):  # held weekly, the PHQ-9 given at none of them
            last = make_session(
                course, clinician, starts_at=now - timedelta(days=7 * days), attendance="attended"
            )
        draft(last)  # the last held session's note, a draft for days
        coming = make_session(
            course, clinician, starts_at=now + timedelta(days=2), attendance="scheduled"
        )
        return client, coming

    ines, ines_next = client_with_course("Ines", world.alice, held=3)
    omar, _omar_next = client_with_course("Omar", world.bob, held=1)
    alert(ines, "high")

    def row(html: str, client) -> str:
        return " ".join(row_of(html, client).values())

    alice = signed_in(world.alice).get("/caseload/").content.decode()
    assert "4 of 12" in row(alice, ines)  # three held, the fourth coming
    assert "4 measures overdue" in row(alice, ines)  # PHQ-9 three times, GAD-7 at the first
    assert "1 draft 1 older than 48 h" in row(alice, ines) and "High alert" in row(alice, ines)
    assert f'href="/sessions/{ines_next.pk}/"' in alice  # among the coming sessions
    assert f'href="/clients/{omar.pk}/"' not in alice
    shapes = set(built)
    assert {name for name, _shape in shapes} == set(reads)
    assert Counter(built) == dict.fromkeys(shapes, 2)  # each shape with two sets of markers

    bob = signed_in(world.bob).get("/caseload/").content.decode()
    assert "2 of 12" in row(bob, omar) and "2 measures overdue" in row(bob, omar)
    assert "1 draft 1 older than 48 h" in row(bob, omar) and "alert" not in row(bob, omar)
    assert f'href="/clients/{ines.pk}/"' not in bob and f"/sessions/{ines_next.pk}/" not in bob
    assert Counter(built) == dict.fromkeys(shapes, 2)  # nothing built again


def test_more_courses_than_a_page_are_counted_a_page_at_a_time(world):
    """The prepared reads take a page of course ids at a time (``id_lists``): 51 courses are
    counted as each would be alone."""
    from gentle.measures.selectors import overdue_counts

    now = timezone.now()
    courses = []
    for i in range(51):
        course = make_course(make_client(world.clinic, clinicians=[world.alice]))
        for days in range(i % 3 + 1):
            starts_at = now - timedelta(days=7 * (days + 1))
            make_session(course, world.alice, starts_at=starts_at, attendance="attended")
        courses.append(course)
    together = overdue_counts(courses)
    assert together == {course.pk: overdue_counts([course])[course.pk] for course in courses}
    assert sorted(set(together.values())) == [2, 3, 4]  # 1, 2 or 3 held sessions
