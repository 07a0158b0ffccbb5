"""Supervision (issue 25, ADR 0055): a supervisor's comments on a course or a note reach the
clinician, who answers them in a thread; the supervisor's home lists what in their supervisees'
courses needs a look; the caseload tells their own clients from their supervisees'."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gentle import tasks
from gentle.accounts.models import Role
from gentle.audit.models import AuditEvent
from gentle.clients.models import BreakGlassGrant
from gentle.courses.models import SupervisionComment
from gentle.formulation.models import Formulation
from gentle.measures.models import Administration
from gentle.portal.record import build_record
from tests.factories import (
    count_queries,
    make_client,
    make_course,
    make_person,
    make_session,
    signed_in,
    supervise,
    visible_text,
)
from tests.test_home import alert, draft, section
from tests.world import sue_supervises_alice

pytestmark = pytest.mark.django_db


def comments(**filters) -> int:
    return SupervisionComment.objects.filter(**filters).count()


def audited(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_a_supervisor_comment_reaches_the_clinician_who_answers_it(world):
    course = make_course(world.amara)
    sue, alice = signed_in(world.sue), signed_in(world.alice)

    response = sue.post(
        f"/courses/{course.pk}/comments/", {"text": "How did the role play with Tom go?"}
    )
    assert response.status_code == 302
    thread = SupervisionComment.objects.get()
    assert response["Location"] == f"/courses/{course.pk}/#comment-{thread.pk}"
    assert audited("comment.add") == 1

    home = alice.get("/").content.decode()
    waiting = visible_text(section(home, "comments-waiting"))
    assert "1 supervision comment waiting for your answer" in waiting
    assert "Amara" in waiting and str(world.sue) in waiting
    page = visible_text(alice.get(f"/courses/{course.pk}/").content.decode())
    assert "How did the role play with Tom go?" in page

    response = alice.post(
        f"/comments/{thread.pk}/reply/", {"text": "Well: she asked him for help."}
    )
    assert response.status_code == 302
    assert comments(reply_to=thread) == 1 and audited("comment.reply") == 1
    home = alice.get("/").content.decode()
    assert "No supervision comment waiting for you." in visible_text(
        section(home, "comments-waiting")
    )
    # The answer now waits for the supervisor; a thread on the course of a client she does not
    # supervise (Bob's, whom she does not supervise) does not.
    elsewhere = make_course(make_client(world.clinic, clinicians=[world.bob], given_name="Boris"))
    SupervisionComment.objects.create(course=elsewhere, author=world.bob, text="Not for Sue")
    with CaptureQueriesContext(connection) as captured:
        home = sue.get("/").content.decode()
    assert "1 open thread with an answer for you" in visible_text(
        section(home, "supervision-comments")
    )
    assert "Boris" not in home
    # Each open thread's client is tested (EXISTS), not looked for in a list of every client
    # she supervises (2,000 at a programme's size: 3 ms on SQLite before any thread was read).
    [read] = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "courses_supervisioncomment"."id" AS "pk"')
    ]
    assert '"courses_course"."client_id" IN (SELECT' not in read and "EXISTS" in read, read

    assert sue.post(f"/comments/{thread.pk}/resolve/").status_code == 302
    thread.refresh_from_db()
    assert thread.resolved_by == world.sue and audited("comment.resolve") == 1
    page = visible_text(alice.get(f"/courses/{course.pk}/").content.decode())
    assert f"Resolved by {world.sue}" in page
    home = sue.get("/").content.decode()
    assert "No answer waiting for you." in visible_text(section(home, "supervision-comments"))


def test_a_supervisor_of_the_clinician_comments_on_a_note_seen_on_the_session_page(world):
    sue_supervises_alice(world)
    course = make_course(world.amara)
    session = make_session(course, world.alice)
    draft(session)
    sue = signed_in(world.sue)
    page = sue.get(f"/sessions/{session.pk}/").content.decode()
    assert "Comment on this note" in page
    response = sue.post(
        f"/courses/{course.pk}/comments/",
        {"text": "Keep the plan short.", "session": session.pk},
    )
    assert response.status_code == 302
    assert comments(session=session) == 1
    page = visible_text(signed_in(world.alice).get(f"/sessions/{session.pk}/").content.decode())
    assert "Keep the plan short." in page
    # On the course page it names the session it is about.
    page = visible_text(signed_in(world.alice).get(f"/courses/{course.pk}/").content.decode())
    assert "on the note of the session of" in page


def test_comments_are_not_in_the_clients_copy_of_their_record(world):
    course = make_course(world.amara)
    signed_in(world.sue).post(f"/courses/{course.pk}/comments/", {"text": "Supervisor-only words"})
    assert comments() == 1
    assert "Supervisor-only words" not in json.dumps(build_record(world.amara))


def test_who_may_not_comment_or_answer_gets_404_and_nothing_is_written(world):
    course = make_course(world.amara)
    thread = SupervisionComment.objects.create(course=course, author=world.sue, text="Probe")
    # A clinician comments on nothing (only supervisors open threads).
    assert (
        signed_in(world.alice).post(f"/courses/{course.pk}/comments/", {"text": "x"}).status_code
        == 404
    )
    # A supervisor who supervises neither the client nor its clinician.
    other_supervisor = make_person(world.clinic, Role.SUPERVISOR)
    browser = signed_in(other_supervisor)
    assert browser.post(f"/courses/{course.pk}/comments/", {"text": "x"}).status_code == 404
    assert browser.post(f"/comments/{thread.pk}/reply/", {"text": "x"}).status_code == 404
    # A clinician of the clinic not on the team; then the same with emergency access: they may
    # write the record, but supervision threads are the team's clinicians' and supervisors'.
    bob = signed_in(world.bob)
    assert bob.post(f"/comments/{thread.pk}/reply/", {"text": "x"}).status_code == 404
    BreakGlassGrant.objects.create(
        client=world.amara,
        user=world.bob,
        reason="probe",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    assert bob.get(f"/courses/{course.pk}/").status_code == 200
    assert bob.post(f"/comments/{thread.pk}/reply/", {"text": "x"}).status_code == 404
    assert bob.post(f"/comments/{thread.pk}/resolve/").status_code == 404
    # Another clinic's supervisor, and a lay facilitator.
    for person in (
        make_person(world.other, Role.SUPERVISOR),
        make_person(world.clinic, Role.FACILITATOR),
    ):
        browser = signed_in(person)
        assert browser.post(f"/courses/{course.pk}/comments/", {"text": "x"}).status_code == 404
        assert browser.post(f"/comments/{thread.pk}/reply/", {"text": "x"}).status_code == 404
    assert comments() == 1
    thread.refresh_from_db()
    assert thread.resolved_at is None
    assert audited("comment.add") == audited("comment.reply") == 0


def test_a_comment_refused_keeps_what_was_typed_and_writes_nothing(world):
    course = make_course(world.amara)
    other_course = make_course(make_client(world.clinic, clinicians=[world.alice]))
    other_session = make_session(other_course, world.alice)
    sue = signed_in(world.sue)
    response = sue.post(f"/courses/{course.pk}/comments/", {"text": "   "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    long = "A long comment. " * 300
    response = sue.post(f"/courses/{course.pk}/comments/", {"text": long})
    assert response.status_code == 400
    assert long.strip() in response.content.decode()
    response = sue.post(
        f"/courses/{course.pk}/comments/", {"text": "x", "session": other_session.pk}
    )
    assert response.status_code == 400
    assert (
        sue.post(
            f"/courses/{course.pk}/comments/", {"text": "x", "session": "nonsense"}
        ).status_code
        == 400
    )
    assert comments() == 0

    thread = SupervisionComment.objects.create(course=course, author=world.sue, text="Probe")
    alice = signed_in(world.alice)
    response = alice.post(f"/comments/{thread.pk}/reply/", {"text": ""})
    assert response.status_code == 400 and comments() == 1
    # A resolved thread takes no more answers, and is not resolved twice.
    alice.post(f"/comments/{thread.pk}/resolve/")
    response = alice.post(f"/comments/{thread.pk}/reply/", {"text": "Late"}, follow=True)
    assert "This thread is resolved" in response.content.decode()
    assert comments() == 1
    response = alice.post(f"/comments/{thread.pk}/resolve/", follow=True)
    assert "already resolved" in response.content.decode()
    assert audited("comment.resolve") == 1


# --- the supervisor's home ---------------------------------------------------------------------


def off_track_course(client, clinician, *, fmt="individual", instrument="phq9", scores=None):
    """An active course with flat PHQ-9 scores (unless told otherwise): behind any
    expected-recovery curve."""
    course = make_course(client, format=fmt, start_date=timezone.localdate() - timedelta(weeks=8))
    start = timezone.now() - timedelta(weeks=6)
    for week, total in enumerate(scores or [20] * 6):
        Administration.objects.create(
            client=client,
            course=course,
            instrument_id=instrument,
            instrument_version=1,
            mode="in_session",
            status="submitted",
            created_by=clinician,
            scores={"total": total},
            submitted_at=start + timedelta(weeks=week),
        )
    return course


def held_sessions(course, clinician, n: int) -> list:
    sessions = []
    for week in range(n):
        session = make_session(
            course,
            clinician,
            starts_at=timezone.now() - timedelta(weeks=n - week),
            attendance="attended",
        )
        sessions.append(session)
    return sessions


def watch() -> None:
    """What `gentle worker` does every 5 minutes: work out the current courses' flags that the
    supervisor's home lists (ADR 0064)."""
    tasks.watch_current_courses.call()


def supervisee_with_work(world, name: str):
    """A clinician Sue supervises, with one client whose course is off track, past its initial
    phase with no agreed focus, and a note still a draft three days after its session."""
    clinician = make_person(world.clinic, Role.CLINICIAN)
    clinician.display_name = f"Dr {name}"
    clinician.save()
    supervise(world.clinic, world.sue, clinician)
    client = make_client(world.clinic, clinicians=[clinician], given_name=name)
    course = off_track_course(client, clinician)
    draft(held_sessions(course, clinician, 5)[-1])
    return clinician, client, course


def test_stale_drafts_are_looked_up_among_the_drafts_by_index(world):
    """Issue 20: with a note for every held session, the stale-drafts list looked up each
    recent session's note among all the clinic's notes; drafts are few, and have their own
    (partial) index. On SQLite the read starts from them: it started from the supervised
    clients' courses (2,000 clients at a programme's size, 19 ms; from the drafts, 5 ms)."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clinician, _, course = supervisee_with_work(world, "Zoe")
    for session in held_sessions(course, clinician, 3):
        draft(session, signed=True)
    tasks.optimize_database.call()  # the worker's daily ANALYZE: the planner knows drafts are few
    with CaptureQueriesContext(connection) as captured:
        html = signed_in(world.sue).get("/").content.decode()
    assert "1 draft note more than 48 hours" in visible_text(
        section(html, "supervision-stale-drafts")
    )
    [sql, *_] = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "courses_progressnote"' in q["sql"] and "'draft'" in q["sql"]
    ]
    # Each draft's client is tested (EXISTS), not looked for in a list of the supervised
    # clients: with such a list SQLite started from it at a programme's size, whatever the
    # plan on this small clinic.
    assert '"courses_course"."client_id" IN (SELECT' not in sql, sql
    assert "EXISTS" in sql, sql
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            steps = cursor.fetchall()
            query_plan = "\n".join(str(row[-1]) for row in steps)
            assert not re.search(r"SCAN courses_progressnote\b(?! USING)", query_plan), query_plan
            # The outermost loop (the first step not inside another) is over the drafts.
            first = next(str(row[-1]) for row in steps if row[1] == 0)
            assert first.startswith("SCAN courses_progressnote USING INDEX note_draft_session"), (
                query_plan
            )
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
            query_plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "note_draft_session" in query_plan, query_plan


def test_the_supervised_clients_are_read_from_the_care_teams_index_alone(world):
    """Issue 20: the supervised clients (2,000 at a programme's size) were found by the care
    team's index on the person and each row read for its role and client: about 2 ms in each
    of the supervisor's lists on SQLite. The index on person, role and client answers alone
    (PostgreSQL: an index-only scan once the table is vacuumed)."""
    supervisee_with_work(world, "Zoe")
    watch()
    tasks.optimize_database.call()
    with CaptureQueriesContext(connection) as captured:
        html = signed_in(world.sue).get("/").content.decode()
    assert "Zoe" in visible_text(section(html, "supervision-off-track"))
    [sql] = [q["sql"] for q in captured.captured_queries if "watch__checked" in q["sql"]]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            query_plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            assert "COVERING INDEX careteam_user_role" in query_plan, query_plan
        else:  # on a test's few rows PostgreSQL may choose any index as cheapest
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'careteam_user_role'")
            [(definition,)] = cursor.fetchall()
            assert definition.endswith("(user_id, role, client_id)"), definition


def test_the_supervisors_home_lists_what_needs_a_look_with_the_clinicians_names(world):
    _, client, course = supervisee_with_work(world, "Zoe")
    # An agreed focus takes a course off the focus list.
    _, agreed_client, agreed = supervisee_with_work(world, "Yara")
    agreed.focus = "dispute"
    agreed.save()
    Formulation.objects.create(
        course=agreed,
        primary_area="dispute",
        text="Probe",
        updated_by=world.alice,
        agreed_on=timezone.localdate(),
    )
    watch()
    html = signed_in(world.sue).get("/").content.decode()
    off = visible_text(section(html, "supervision-off-track"))
    assert "2 courses behind their expected recovery" in off
    assert "Zoe" in off and "clinician Dr Zoe" in off
    focus = visible_text(section(html, "supervision-no-focus"))
    assert "1 course with no agreed focus" in focus
    assert "Zoe" in focus and "Yara" not in focus and "5 sessions held" in focus
    stale = visible_text(section(html, "supervision-stale-drafts"))
    assert "2 draft notes more than 48 hours after their sessions" in stale
    assert "clinician Dr Yara" in stale
    assert f'href="/courses/{course.pk}/"' in section(html, "supervision-off-track")
    assert AuditEvent.objects.filter(action="home.supervision_view").exists()
    # Alice's clients are not Sue's supervisees' (Sue sits only on Amara's team here).
    assert "Amara" not in off
    # An escalated alert names the client's clinician too.
    alert(client, "high", escalated_at=timezone.now())
    html = signed_in(world.sue).get("/").content.decode()
    assert "clinician Dr Zoe" in visible_text(section(html, "open-alerts"))


def test_the_supervisors_home_costs_the_same_queries_for_few_or_many_supervisees(world):
    clinician, _, course = supervisee_with_work(world, "First")
    SupervisionComment.objects.create(course=course, author=clinician, text="Probe")
    browser = signed_in(world.sue)
    watch()
    few = count_queries(browser, "/")
    for n in range(4):
        clinician, client, course = supervisee_with_work(world, f"Many{n}")
        SupervisionComment.objects.create(course=course, author=clinician, text="Probe")
        make_client(world.clinic, clinicians=[clinician], given_name=f"More{n}")
    watch()
    assert count_queries(browser, "/") == few
    html = browser.get("/").content.decode()
    assert "5 courses behind their expected recovery" in visible_text(
        section(html, "supervision-off-track")
    )


def test_the_supervisors_home_works_out_the_supervised_clients_once_a_list(world):
    """Issue 20: each list of the supervisor's home nests the supervised clients' conditions
    (2,000 of 10,000 clients at a programme's size, about 4 ms on PostgreSQL each time). A
    count and a page of each list, and the courses' flags three times over, made 10 such
    queries; one read a list (its ids, then its shown rows by id) makes 6."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gentle.courses.models import NoteSettings

    clinician, client, course = supervisee_with_work(world, "Zoe")
    SupervisionComment.objects.create(course=course, author=clinician, text="Probe")
    NoteSettings.objects.create(clinic=world.clinic, cosign_supervisees=True)
    watch()
    with CaptureQueriesContext(connection) as captured:
        html = signed_in(world.sue).get("/").content.decode()
    # Every list still has its row.
    for part in ("off-track", "no-focus", "stale-drafts"):
        assert "Zoe" in visible_text(section(html, f"supervision-{part}")), part
    assert "Zoe" in visible_text(section(html, "supervision-comments"))
    supervised = re.compile(rf"\"role\" = 'supervisor' AND \w+\.\"user_id\" = {world.sue.pk}\) OR")
    nesting = [q["sql"] for q in captured.captured_queries if supervised.search(q["sql"])]
    # The clients' count, the courses' flags, the stale drafts, the comments waiting, the
    # notes to co-sign and the sessions to rate.
    assert len(nesting) == 6, "\n".join(sql[:120] for sql in nesting)


def test_the_supervisors_lists_are_built_once_and_bound_to_each_supervisor(world, monkeypatch):
    """Issue 20: building and compiling the supervisor's lists in the ORM, each nesting the
    supervised clients' conditions, took more of the home's time at a programme's size than
    running them. Each list is built once (checked with two sets of markers) and bound to each
    request's clinic, person and moments: another supervisor sees only their own clients."""
    from gentle import home
    from gentle.courses.models import NoteSettings
    from gentle.lib.prepared import PreparedQuery

    built: list[str] = []
    lists = ("SUPERVISED_COUNT", "COURSE_FLAGS", "STALE_DRAFTS", "COMMENTS", "TO_COSIGN")
    lists += ("TO_RATE", "OPEN_ALERTS")
    for name in lists:
        prepared = getattr(home, name)

        def counting(shape, _build=prepared.build, _name=name, **values):
            built.append(_name)
            return _build(shape, **values)

        fresh = PreparedQuery(counting, values=prepared.values, times=prepared.times)
        monkeypatch.setattr(home, name, fresh)
    clinician, client, course = supervisee_with_work(world, "Zoe")
    SupervisionComment.objects.create(course=course, author=clinician, text="Probe")
    NoteSettings.objects.create(clinic=world.clinic, cosign_supervisees=True)
    alert(client, escalated_at=timezone.now())
    watch()
    html = signed_in(world.sue).get("/").content.decode()
    for part in ("off-track", "no-focus", "stale-drafts", "comments"):
        assert "Zoe" in visible_text(section(html, f"supervision-{part}")), part
    assert "probe high" in html
    # Each list once, with two sets of markers (the clinician's comments are another shape).
    assert sorted(built) == sorted(lists * 2)

    other = make_person(world.clinic, Role.SUPERVISOR)
    supervise(world.clinic, other, make_person(world.clinic, Role.CLINICIAN))
    html = signed_in(other).get("/").content.decode()
    assert "Zoe" not in visible_text(html) and "probe high" not in html
    assert signed_in(world.sue).get("/").status_code == 200
    assert sorted(built) == sorted(lists * 2)  # nothing built again


def supervised_client(world, name: str):
    clinician = make_person(world.clinic, Role.CLINICIAN)
    supervise(world.clinic, world.sue, clinician)
    return clinician, make_client(world.clinic, clinicians=[clinician], given_name=name)


def test_an_ipt_a_course_with_the_phqa_stuck_high_is_on_the_supervisors_home(world):
    """IPT-A gives the PHQ-A, not the PHQ-9: such a course was never checked, and the home
    said every course was on track. PHQ-A 20 six times in a 12-session course: expected
    20 * (1 - 0.5 * ln 6 / ln 12) = 20 * 0.639 = 12.8; 20 is 7.2 above."""
    clinician, teen = supervised_client(world, "Teo")
    course = off_track_course(teen, clinician, fmt="adolescent", instrument="phqa")
    browser = signed_in(world.sue)
    watch()
    few = count_queries(browser, "/")
    off = visible_text(section(browser.get("/").content.decode(), "supervision-off-track"))
    assert "1 course behind its expected recovery" in off and "Teo" in off
    assert "on track." not in off
    # A perinatal course is read on its EPDS: 14 every session is behind too (14 * 0.639 =
    # 8.9 expected; 5.1 above), and the page costs the same.
    clinician, mother = supervised_client(world, "Maya")
    off_track_course(mother, clinician, fmt="perinatal", instrument="epds", scores=[14] * 6)
    watch()
    assert count_queries(browser, "/") == few
    html = browser.get("/").content.decode()
    off = visible_text(section(html, "supervision-off-track"))
    assert "2 courses behind their expected recovery" in off and "Maya" in off
    assert f'href="/courses/{course.pk}/"' in section(html, "supervision-off-track")


def test_the_supervisors_all_clear_says_what_it_checked_and_what_it_could_not(world):
    """The all-clear said "Every supervised course with scores is on track." while courses
    with one score, or none of the questionnaire they are tracked on, were never checked."""
    clinician, falling = supervised_client(world, "Fay")
    browser = signed_in(world.sue)
    # A course with no scores: nothing could be checked.
    unscored = make_course(falling)
    watch()
    off = visible_text(section(browser.get("/").content.decode(), "supervision-off-track"))
    assert (
        "No supervised course has two scores of its tracked questionnaire yet, so none could "
        "be checked." in off
    )
    assert (
        "1 current course cannot be checked yet: fewer than two scores of its tracked "
        "questionnaire, or a first score of 0." in off
    )
    unscored.delete()
    # 18, 12, 9, 7, 6, 5 in a 12-session course: 5 is below the expected 18 * 0.639 = 11.5.
    off_track_course(falling, clinician, scores=[18, 12, 9, 7, 6, 5])
    _, young = supervised_client(world, "Ina")
    off_track_course(young, clinician, fmt="adolescent", instrument="phqa", scores=[16, 9])
    _, single = supervised_client(world, "Uma")
    off_track_course(single, clinician, fmt="adolescent", instrument="phqa", scores=[20])
    _, wrong = supervised_client(world, "Pia")
    # A PHQ-9 in a perinatal course is not its tracked questionnaire (the EPDS).
    off_track_course(wrong, clinician, fmt="perinatal", instrument="phq9", scores=[20, 20])
    watch()
    off = visible_text(section(browser.get("/").content.decode(), "supervision-off-track"))
    assert (
        "All 2 supervised courses with at least two scores of their tracked questionnaire "
        "are on track." in off
    )
    assert (
        "2 current courses cannot be checked yet: fewer than two scores of their tracked "
        "questionnaire, or a first score of 0." in off
    )
    assert "the PHQ-A in IPT for adolescents; the EPDS in perinatal IPT" in off
    assert "Every supervised course with scores is on track." not in off


def test_the_clinicians_home_costs_the_same_queries_with_comments_waiting(world):
    course = make_course(world.amara)
    SupervisionComment.objects.create(course=course, author=world.sue, text="One")
    browser = signed_in(world.alice)
    few = count_queries(browser, "/")
    for n in range(4):
        client = make_client(world.clinic, clinicians=[world.alice], given_name=f"C{n}")
        SupervisionComment.objects.create(course=make_course(client), author=world.sue, text="More")
    assert count_queries(browser, "/") == few
    assert "5 supervision comments waiting for your answer" in visible_text(
        section(browser.get("/").content.decode(), "comments-waiting")
    )


def test_the_caseload_of_a_supervisor_who_is_a_clinician_too_tells_whose_clients(world):
    both = make_person(world.clinic, Role.CLINICIAN, Role.SUPERVISOR)
    make_client(world.clinic, clinicians=[both], given_name="Owncase")
    supervise(world.clinic, both, world.alice)
    browser = signed_in(both)
    page = visible_text(browser.get("/caseload/").content.decode())
    assert "Owncase" in page and "Amara" in page and "Whose clients" in page
    page = visible_text(browser.get("/caseload/?whose=own").content.decode())
    assert "Owncase" in page and "Amara" not in page
    page = visible_text(browser.get("/caseload/?whose=supervised").content.decode())
    assert "Owncase" not in page and "Amara" in page
    # The clinician column names each client's clinician.
    assert str(world.alice) in page
    # A clinician alone has nothing to choose.
    assert "Whose clients" not in visible_text(
        signed_in(world.alice).get("/caseload/").content.decode()
    )


def test_the_welcome_page_claims_only_what_exists(client):
    page = visible_text(client.get("/").content.decode())
    assert "fidelity" not in page.lower()
    assert "Outcomes" not in page
    # "Off track" is checked on each format's own questionnaire, and the page says which.
    assert "what is off track" not in page
    assert (
        "those behind their expected recovery on the questionnaire their format gives every "
        "session (the PHQ-9; the PHQ-A for adolescents; the EPDS in perinatal care)" in page
    )


# --- co-signing ---------------------------------------------------------------------------------


def signed_note_of_a_supervisee(world):
    sue_supervises_alice(world)
    session = make_session(make_course(world.amara), world.alice)
    note = draft(session, signed=True)
    note.text = "What was said, as signed."
    note.save()
    return session, note


def test_where_the_clinic_asks_a_supervisor_co_signs_and_the_note_is_unchanged(world):
    from gentle.courses.models import NoteSettings

    session, note = signed_note_of_a_supervisee(world)
    admin = signed_in(world.admin)
    assert "no co-signature asked" in visible_text(admin.get("/").content.decode())
    assert admin.post("/clinic/notes/", {"cosign_supervisees": "on"}).status_code == 302
    assert NoteSettings.objects.get(clinic=world.clinic).cosign_supervisees
    assert audited("note_settings.set") == 1

    sue = signed_in(world.sue)
    html = sue.get("/").content.decode()
    listed = visible_text(section(html, "supervision-cosign"))
    assert "1 signed note waiting for your co-signature" in listed and "Amara" in listed
    page = sue.get(f"/sessions/{session.pk}/").content.decode()
    assert "Co-sign this note" in page
    # The clinician sees it waits, and cannot co-sign their own note.
    alice = signed_in(world.alice)
    page = visible_text(alice.get(f"/sessions/{session.pk}/").content.decode())
    assert "Waiting for the supervisor's co-signature." in page
    assert "Co-sign this note" not in page
    assert alice.post(f"/sessions/{session.pk}/note/cosign/").status_code == 404

    before = (note.text, note.version, note.signed_at, note.updated_at, note.signed_by_id)
    assert sue.post(f"/sessions/{session.pk}/note/cosign/").status_code == 302
    note.refresh_from_db()
    assert note.cosigned_by == world.sue and note.cosigned_at is not None
    assert (note.text, note.version, note.signed_at, note.updated_at, note.signed_by_id) == before
    assert audited("note.cosign") == 1
    page = visible_text(alice.get(f"/sessions/{session.pk}/").content.decode())
    assert f"Co-signed by {world.sue} on" in page
    assert "No note waiting for your co-signature." in visible_text(
        section(sue.get("/").content.decode(), "supervision-cosign")
    )
    # Twice is refused, nothing changes.
    response = sue.post(f"/sessions/{session.pk}/note/cosign/", follow=True)
    assert "This note needs no co-signature." in response.content.decode()
    assert audited("note.cosign") == 1


def test_where_the_clinic_does_not_ask_nothing_is_co_signed(world):
    session, note = signed_note_of_a_supervisee(world)
    sue = signed_in(world.sue)
    assert 'id="supervision-cosign"' not in sue.get("/").content.decode()
    page = sue.get(f"/sessions/{session.pk}/").content.decode()
    assert "Co-sign this note" not in page and "co-signature" not in page
    response = sue.post(f"/sessions/{session.pk}/note/cosign/", follow=True)
    assert "This note needs no co-signature." in response.content.decode()
    note.refresh_from_db()
    assert note.cosigned_at is None and audited("note.cosign") == 0


def test_only_the_administrator_sets_co_signing_and_a_draft_is_never_co_signed(world):
    from gentle.courses.models import NoteSettings

    for person in (world.alice, world.sue):
        assert (
            signed_in(person).post("/clinic/notes/", {"cosign_supervisees": "on"}).status_code
            == 404
        )
    assert not NoteSettings.objects.exists()
    NoteSettings.objects.create(clinic=world.clinic, cosign_supervisees=True)
    sue_supervises_alice(world)
    session = make_session(make_course(world.amara), world.alice)
    note = draft(session)
    signed_in(world.sue).post(f"/sessions/{session.pk}/note/cosign/")
    note.refresh_from_db()
    assert note.cosigned_at is None
    # Another clinic's supervisor reaches nothing.
    far = signed_in(make_person(world.other, Role.SUPERVISOR))
    assert far.post(f"/sessions/{session.pk}/note/cosign/").status_code == 404


# --- the supervision log ------------------------------------------------------------------------


def test_a_supervisor_records_a_meeting_that_the_supervisee_reads(world):
    from gentle.courses.models import SupervisionMeeting

    sue_supervises_alice(world)
    course = make_course(world.amara)
    sue = signed_in(world.sue)
    assert f'href="/supervision/{world.alice.pk}/"' in sue.get("/").content.decode()
    page = sue.get(f"/supervision/{world.alice.pk}/").content.decode()
    assert "Record a meeting" in page and "Amara" in page
    response = sue.post(
        f"/supervision/{world.alice.pk}/",
        {
            "held_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "minutes": "50",
            "courses": [course.pk],
            "topics": "The dispute with Tom: renegotiation stage.",
            "actions": "Role play the conversation next session.",
        },
    )
    assert response.status_code == 302
    meeting = SupervisionMeeting.objects.get()
    assert list(meeting.courses.all()) == [course] and meeting.supervisor == world.sue
    assert audited("supervision_meeting.add") == 1

    alice = signed_in(world.alice)
    assert f'href="/supervision/{world.alice.pk}/"' in alice.get("/").content.decode()
    page = visible_text(alice.get(f"/supervision/{world.alice.pk}/").content.decode())
    assert "Your supervision log" in page and "renegotiation stage" in page
    assert "Role play the conversation" in page and "Amara" in page
    assert "Record a meeting" not in page
    assert audited("supervision_log.view") >= 2


def test_the_supervision_log_refuses_others_and_bad_input(world):
    from gentle.courses.models import SupervisionMeeting

    sue_supervises_alice(world)
    other_course = make_course(make_client(world.clinic, clinicians=[world.bob]))
    good = {"held_on": "2026-01-05", "minutes": "50", "topics": "Probe"}
    # The supervisee writes nothing in their log; a colleague and an unrelated supervisor read
    # nothing of it; the supervisor has no log of a clinician they do not supervise.
    assert signed_in(world.alice).post(f"/supervision/{world.alice.pk}/", good).status_code == 404
    assert signed_in(world.bob).get(f"/supervision/{world.alice.pk}/").status_code == 404
    stranger = signed_in(make_person(world.clinic, Role.SUPERVISOR))
    assert stranger.get(f"/supervision/{world.alice.pk}/").status_code == 404
    assert stranger.post(f"/supervision/{world.alice.pk}/", good).status_code == 404
    sue = signed_in(world.sue)
    assert sue.get(f"/supervision/{world.bob.pk}/").status_code == 404
    assert (
        signed_in(make_person(world.clinic, Role.FACILITATOR))
        .get(f"/supervision/{world.alice.pk}/")
        .status_code
        == 404
    )
    # Bad input: nothing saved, what was typed kept.
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    for bad in (
        {**good, "held_on": future},
        {**good, "minutes": "0"},
        {**good, "topics": ""},
        # A course of a client who is not the supervisee's.
        {**good, "courses": [other_course.pk]},
    ):
        response = sue.post(f"/supervision/{world.alice.pk}/", {**bad, "actions": "Kept words"})
        assert response.status_code == 400
        assert "Kept words" in response.content.decode()
    assert not SupervisionMeeting.objects.exists()
    assert audited("supervision_meeting.add") == 0


def test_a_meeting_names_only_this_clinics_courses_of_the_supervisee(world):
    """Issue 20: the courses a meeting may name were found by testing every client of the
    clinic for each way of access (35 ms with 10,000 clients). They are the supervisee's
    clients that the supervisor sees, found from the care teams' rows, and still only this
    clinic's."""
    import re

    from gentle.courses.models import SupervisionMeeting

    sue_supervises_alice(world)
    here = make_course(world.amara)
    far = make_course(make_client(world.other, clinicians=[world.alice], given_name="Faraway"))
    sue = signed_in(world.sue)
    with CaptureQueriesContext(connection) as captured:
        page = sue.get(f"/supervision/{world.alice.pk}/").content.decode()
    box = rf'<input type="checkbox" name="courses" value="{here.pk}"[^>]*>'
    assert re.search(box, page) and "Faraway" not in page
    [sql] = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "courses_course"' in q["sql"] and '"clients_careteammember"' in q["sql"]
    ]
    assert "EXISTS" not in sql and "clients_breakglassgrant" not in sql, sql
    # A course named stays ticked after bad input; the other clinic's course is refused.
    bad = {"held_on": "2026-01-05", "minutes": "50", "topics": "", "courses": [here.pk]}
    response = sue.post(f"/supervision/{world.alice.pk}/", bad)
    assert response.status_code == 400
    [ticked] = re.findall(box, response.content.decode())
    assert " checked" in ticked
    response = sue.post(
        f"/supervision/{world.alice.pk}/", bad | {"topics": "Probe", "courses": [far.pk]}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not SupervisionMeeting.objects.exists()


def test_the_demo_supervisor_and_clinician_see_supervision_at_work(client, settings):
    """The demo's story: the supervisor's comment the clinician answered, one still waiting
    for the clinician, and last week's meeting in the clinician's supervision log."""
    from gentle.accounts.models import User
    from gentle.demo import seed_demo

    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    clinician = User.objects.get(email="clinician@demo.gentle.test")
    client.force_login(User.objects.get(email="supervisor@demo.gentle.test"))
    html = client.get("/").content.decode()
    assert "1 open thread with an answer for you" in visible_text(
        section(html, "supervision-comments")
    )
    assert f'href="/supervision/{clinician.pk}/"' in html
    assert "50 minutes" in visible_text(
        client.get(f"/supervision/{clinician.pk}/").content.decode()
    )
    client.force_login(clinician)
    html = client.get("/").content.decode()
    assert "1 supervision comment waiting for your answer" in visible_text(
        section(html, "comments-waiting")
    )
    page = visible_text(client.get(f"/supervision/{clinician.pk}/").content.decode())
    assert "Your supervision log" in page and "preparing its ending" in page


def _record_copy(world) -> str:
    """The client asks for a copy of their record in the portal; the worker's task is run here
    directly (as tests/test_portal.py does) and the copy's page read as the client."""
    from gentle.portal.models import RecordExport
    from gentle.portal.tasks import prepare_export

    RecordExport.objects.all().delete()  # a copy asked for again within the day is the same
    portal = signed_in(world.portal)
    assert portal.post("/portal/record/").status_code == 302
    export = RecordExport.objects.latest("pk")
    prepare_export.call(export.pk)
    return visible_text(portal.get(f"/portal/record/{export.pk}/copy/").content.decode())


def test_a_co_signature_is_in_the_clients_copy_of_their_record_in_their_language(world):
    """Issue 25 / ADR 0055: the note shows "Co-signed by … on …" on the staff page; the
    client's copy of the record left it out."""
    from django.utils import formats, translation

    from gentle.courses.models import NoteSettings

    session, note = signed_note_of_a_supervisee(world)
    NoteSettings.objects.create(clinic=world.clinic, cosign_supervisees=True)
    copy = _record_copy(world)
    assert "What was said, as signed." in copy and "Co-signed by" not in copy
    assert signed_in(world.sue).post(f"/sessions/{session.pk}/note/cosign/").status_code == 302
    note.refresh_from_db()
    when = timezone.localtime(note.cosigned_at)
    copy = _record_copy(world)
    shown = formats.date_format(when, "DATETIME_FORMAT")
    assert f"Co-signed by {world.sue.display_name} on {shown}" in copy
    # In Spanish for a client who reads Spanish (tú is not needed: no verb addresses them).
    world.amara.language = "es"
    world.amara.save(update_fields=["language"])
    copy = _record_copy(world)
    with translation.override("es"):
        shown = formats.date_format(when, "DATETIME_FORMAT")
    assert f"Contrafirmada por {world.sue.display_name} el {shown}" in copy


def test_the_worker_keeps_the_courses_flags_and_the_home_reads_no_answer(world):
    """Issue 20: the home worked out "not on track" and "no agreed focus" over every supervised
    course on each visit (most of its 1.1 s at scale). The worker does it every 5 minutes
    (ADR 0064); the home of a supervisor reads the stored flags, and no answer at all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gentle.models import CourseWatch
    from gentle.schedule import SCHEDULE

    assert any(
        job.task is tasks.watch_current_courses and job.every_seconds == 300 for job in SCHEDULE
    )
    _, client, course = supervisee_with_work(world, "Zoe")
    browser = signed_in(world.sue)
    # Before the worker's first run the home says so, and claims nothing about the courses.
    html = browser.get("/").content.decode()
    for part in ("supervision-off-track", "supervision-no-focus"):
        text = visible_text(section(html, part))
        assert "Not checked yet: the worker checks the current courses every 5 minutes." in text
        assert "on track." not in text and "cannot be checked" not in text
    assert tasks.watch_current_courses.call() == 1
    event = AuditEvent.objects.filter(action="course_watch.refresh").get()
    assert "behind=1" in event.detail and "no_focus=1" in event.detail
    with CaptureQueriesContext(connection) as captured:
        html = browser.get("/").content.decode()
    assert not [q for q in captured.captured_queries if "measures_administration" in q["sql"]]
    assert "1 course behind its expected recovery" in visible_text(
        section(html, "supervision-off-track")
    )
    assert "Checked at" in visible_text(section(html, "supervision-no-focus"))
    # Unchanged: nothing written, nothing audited.
    assert tasks.watch_current_courses.call() == 0
    assert AuditEvent.objects.filter(action="course_watch.refresh").count() == 1
    # Within 5 minutes the home still says what the last run found; the next run follows.
    course.focus = "dispute"
    course.save()
    Formulation.objects.create(
        course=course,
        primary_area="dispute",
        text="Probe",
        updated_by=world.alice,
        agreed_on=timezone.localdate(),
    )
    assert "1 course with no agreed focus" in visible_text(
        section(browser.get("/").content.decode(), "supervision-no-focus")
    )
    tasks.watch_current_courses.call()
    assert "Every supervised course past its initial phase has an agreed focus." in visible_text(
        section(browser.get("/").content.decode(), "supervision-no-focus")
    )
    # A finished course leaves the lists at once, and its row at the next run.
    course.status = "completed"
    course.save()
    off = visible_text(section(browser.get("/").content.decode(), "supervision-off-track"))
    assert "Zoe" not in off
    tasks.watch_current_courses.call()
    assert not CourseWatch.objects.filter(course=course).exists()


def test_the_home_says_when_the_worker_has_not_checked_the_courses_for_long(world):
    from gentle.models import CourseWatchRun

    supervisee_with_work(world, "Zoe")
    watch()
    CourseWatchRun.objects.update(finished_at=timezone.now() - timedelta(hours=2))
    text = visible_text(
        section(signed_in(world.sue).get("/").content.decode(), "supervision-off-track")
    )
    assert "is the worker running?" in text
    assert "1 course behind its expected recovery" in text
