"""The home page of each role (issue 22): the clinician's day and work to do, the
administrator's clinic at a glance, the supervisor's links; a client lands in the portal."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gentle.accounts.models import Invitation, Membership, Role
from gentle.audit import tasks as audit_tasks
from gentle.audit.models import AuditEvent
from gentle.clients.models import BreakGlassGrant, CareTeamMember
from gentle.courses.models import ProgressNote
from gentle.intake.models import IntakeRequest
from gentle.measures.models import Administration
from gentle.portal.models import Task
from gentle.safety.models import Alert
from gentle.timeline.models import DiaryEntry
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
from tests.world import another_client

pytestmark = pytest.mark.django_db

PASSPHRASE = "correct horse battery staple on a quiet river morning"


def today_at(hour: int) -> datetime:
    start = datetime.combine(timezone.localdate(), datetime.min.time())
    return timezone.make_aware(start + timedelta(hours=hour))


def section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def draft(session, *, signed: bool = False) -> ProgressNote:
    return ProgressNote.objects.create(
        session=session,
        author=session.clinician,
        updated_by=session.clinician,
        status="signed" if signed else "draft",
        signed_at=timezone.now() if signed else None,
        signed_by=session.clinician if signed else None,
    )


def alert(client, severity: str = "high", **fields) -> Alert:
    return Alert.objects.create(
        client=client,
        source="administration",
        source_id=str(Alert.objects.count() + 1),
        rule_id="phq9_item9_some",
        severity=severity,
        reason=f"probe {severity}",
        **fields,
    )


def busy_day(world, client, *, hour: int = 20):
    """A client of Alice with a held session a week ago (its note a draft), one today, an open
    alert, a portal task done since, a diary entry and a request assigned to Alice."""
    course = make_course(client, focus="grief", start_date=timezone.localdate() - timedelta(7))
    held = make_session(course, world.alice, starts_at=timezone.now() - timedelta(days=7))
    held.attendance = "attended"
    held.save()
    draft(held)
    make_session(course, world.alice, starts_at=today_at(hour))
    alert(client)
    Task.objects.create(
        client=client,
        kind="diary",
        title="Write the diary",
        created_by=world.alice,
        done_at=timezone.now() - timedelta(days=1),
    )
    DiaryEntry.objects.create(client=client, mood=5, day=timezone.localdate())
    IntakeRequest.objects.create(
        clinic=world.clinic,
        name=f"Request for {client.given_name}",
        contact="email",
        email="r@example.test",
        message="…",
        status="assigned",
        assigned_to=world.alice,
    )
    return course


def test_the_clinicians_home_shows_the_day_and_the_work_to_do(world):
    world.amara.user = make_person(world.clinic, Role.CLIENT)  # a portal login
    world.amara.save()
    course = busy_day(world, world.amara, hour=23)
    Task.objects.create(  # done before the last session: not new
        client=world.amara,
        kind="diary",
        title="Older",
        created_by=world.alice,
        done_at=timezone.now() - timedelta(days=8),
    )
    html = signed_in(world.alice).get("/").content.decode()
    today = visible_text(section(html, "today"))
    assert "23:00 Amara Example" in today
    assert "session 2 of 12" in today and "Initial phase" in today and "Grief" in today
    # The schedule's first-session measures are due at session 1 only; session 1 was held
    # without them, so they are overdue.
    assert "2 measures overdue" in today
    notes = section(html, "notes-to-sign")
    assert "1 draft note" in visible_text(notes) and "over 48 hours" in notes
    session = course.sessions.order_by("starts_at").first()
    assert f'href="/sessions/{session.pk}/"' in notes
    alerts = visible_text(section(html, "open-alerts"))
    assert "1 high" in alerts and "Amara Example: probe high" in alerts
    assert f'href="/alerts/{Alert.objects.get().pk}/"' in html
    overdue = visible_text(section(html, "measures-overdue"))
    assert "Amara Example · 2 measures overdue" in overdue
    work = visible_text(section(html, "portal-work"))
    assert "Amara Example · 1 task done, 1 diary entry" in work
    assert f'href="/clients/{world.amara.pk}/tasks/"' in section(html, "portal-work")
    requests = section(html, "assigned-requests")
    assert "Request for Amara" in requests
    assert f'href="/clinic/intake/{IntakeRequest.objects.get().pk}/"' in requests


def test_the_home_lists_the_worst_alerts_first_however_many_older_ones_there_are(world):
    """The home took the 30 oldest open alerts and put the worst of them first: a high alert
    raised after 30 low ones was left off the list of 10."""
    for _ in range(30):
        alert(world.amara, "low")
    Alert.objects.update(raised_at=timezone.now() - timedelta(days=1))
    newest = alert(world.amara, "high")
    html = signed_in(world.alice).get("/").content.decode()
    alerts = section(html, "open-alerts")
    assert "1 high, 30 low" in visible_text(alerts)
    assert visible_text(alerts).count("probe low") == 9
    first = alerts[alerts.index("<li>") : alerts.index("</li>")]
    assert f'href="/alerts/{newest.pk}/"' in first and "probe high" in first


def test_the_home_reads_the_open_alerts_waiting_once(world):
    """Issue 20: a count by severity and a read of the worst ten each looked through the
    clinic's open alerts (1.9 ms each at a programme's size on SQLite). One read gives both;
    the shown are read by id. The counts and the order are as before: another clinician's
    client's alert is in neither, an acknowledged one neither."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for severity in ("low", "high", "moderate", "low"):
        alert(world.amara, severity)
    done = {"acknowledged_at": timezone.now(), "acknowledged_by": world.alice, "action": "reviewed"}
    alert(world.amara, "high", **done)
    alert(make_client(world.clinic, clinicians=[world.bob], given_name="Boris"), "high")
    with CaptureQueriesContext(connection) as captured:
        html = signed_in(world.alice).get("/").content.decode()
    alerts = visible_text(section(html, "open-alerts"))
    assert "1 high, 1 moderate, 2 low" in alerts, alerts
    assert alerts.index("probe high") < alerts.index("probe moderate") < alerts.index("probe low")
    assert "Boris" not in alerts
    looked_through = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "safety_alert"' in q["sql"] and '"acknowledged_at" IS NULL' in q["sql"]
    ]
    assert len(looked_through) == 1, looked_through
    # The clinician's clients are a list made once, not looked up for each open alert (1.9
    # against 1.1 ms at a programme's size on SQLite).
    [sql] = looked_through
    assert '"safety_alert"."client_id" IN (SELECT' in sql, sql
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        assert "CORRELATED" not in plan, plan


def test_the_clinicians_home_reads_the_drafts_to_sign_once(world):
    """Issue 20: their count and their first rows each worked out the drafts of the
    clinician's caseload; the ids and times of all of them are read once, the shown by id."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    course = busy_day(world, world.amara)
    for days in (3, 4):
        draft(make_session(course, world.alice, starts_at=timezone.now() - timedelta(days=days)))
    with CaptureQueriesContext(connection) as captured:
        html = signed_in(world.alice).get("/").content.decode()
    notes = visible_text(section(html, "notes-to-sign"))
    assert "3 draft notes" in notes, notes
    own = re.compile(rf"\"courses_session\".\"clinician_id\" = {world.alice.pk}\b")
    reads = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "courses_progressnote"' in q["sql"]
        and "'draft'" in q["sql"]
        and own.search(q["sql"])
    ]
    assert len(reads) == 1, reads


def test_only_drafts_are_to_sign_and_only_old_ones_are_marked(world):
    course = make_course(world.amara)
    old = make_session(course, world.alice, starts_at=timezone.now() - timedelta(hours=49))
    recent = make_session(course, world.alice, starts_at=timezone.now() - timedelta(hours=47))
    signed = make_session(course, world.alice, starts_at=timezone.now() - timedelta(days=9))
    draft(old), draft(recent), draft(signed, signed=True)
    notes = section(signed_in(world.alice).get("/").content.decode(), "notes-to-sign")
    assert "2 draft notes" in notes and "1 more than 48 hours after its session" in notes
    assert notes.count("over 48 hours") == 1
    assert f"/sessions/{old.pk}/" in notes and f"/sessions/{recent.pk}/" in notes
    assert f"/sessions/{signed.pk}/" not in notes


def test_each_section_says_plainly_when_it_is_empty(world):
    html = signed_in(world.bob).get("/").content.decode()
    text = visible_text(html)
    for empty in (
        "No sessions today.",
        "No notes to sign.",
        "No measures overdue in your caseload.",
        "No portal work since your clients' last sessions.",
        "No consultation requests assigned to you.",
        "No open alerts.",
    ):
        assert empty in text
    assert "will be" not in text and "Your space" not in text


def test_a_clinician_off_the_care_team_never_sees_that_client_on_their_home(world):
    """Alice ran sessions for Bea, wrote a draft and has an assigned-to-her view of nothing
    else: once she is off Bea's care team, Bea is on no part of her home."""
    bea = another_client(world, "Bea", portal=True)
    busy_day(world, bea)
    IntakeRequest.objects.all().delete()
    CareTeamMember.objects.filter(client=bea, user=world.alice).delete()
    CareTeamMember.objects.create(client=bea, user=world.bob, role="clinician")
    html = signed_in(world.alice).get("/").content.decode()
    assert "Bea" not in visible_text(html)
    # Bob, now on the team, sees the alert and the portal work, but not Alice's sessions
    # and draft: they are hers to sign.
    bob = visible_text(signed_in(world.bob).get("/").content.decode())
    assert "Bea Example: probe high" in bob and "Bea Example · 1 task done" in bob
    assert "No sessions today." in bob and "No notes to sign." in bob
    # Another clinic's clinician sees nothing of it either.
    far = signed_in(world.far_clinician).get("/").content.decode()
    assert "Bea" not in far


def test_the_home_records_that_the_clinician_read_their_clients(world):
    busy_day(world, world.amara)
    signed_in(world.alice).get("/")
    event = AuditEvent.objects.filter(action="home.view").get()
    assert (event.actor_id, event.detail) == (world.alice.pk, "count=1")


def test_the_clinicians_home_costs_the_same_queries_for_one_client_or_many(world):
    busy_day(world, world.amara)
    browser = signed_in(world.alice)
    few = count_queries(browser, "/")
    for n in range(6):
        client = another_client(world, f"Many{n}", portal=True)
        course = busy_day(world, client, hour=10 + n)
        draft(make_session(course, world.alice, starts_at=timezone.now() - timedelta(days=3)))
        alert(client, "moderate", escalated_at=timezone.now())
        Administration.objects.create(
            client=client,
            course=course,
            instrument_id="phq9",
            instrument_version=1,
            mode="portal",
            created_by=world.alice,
        )
    assert count_queries(browser, "/") == few
    html = browser.get("/").content.decode()
    assert "7 high, 6 moderate" in visible_text(section(html, "open-alerts"))
    assert len(html.encode()) < 100_000


def test_the_clinicians_lists_are_built_once_and_bound_to_each_clinician(world, monkeypatch):
    """Issue 20: building and compiling the clinician's lists in the ORM was most of the home's
    time (24 ms on the demo, 2 of them running the queries). Each list is built once per shape
    (checked with two sets of markers) and bound to each request's clinic, person and moments:
    another clinician sees none of Alice's clients and builds nothing again."""
    from collections import Counter

    from gentle import home
    from tests.factories import count_prepared_builds

    lists = ("TODAY", "DRAFTS", "CASELOAD_MEASURES", "ASSIGNED_REQUESTS", "COMMENTS")
    lists += ("PORTAL_WORK", "BY_IDS", "OPEN_ALERTS")
    built = count_prepared_builds(monkeypatch, dict.fromkeys(lists, home))
    world.amara.user = make_person(world.clinic, Role.CLIENT)
    world.amara.save()
    busy_day(world, world.amara, hour=23)
    alice = signed_in(world.alice)
    html = alice.get("/").content.decode()
    for part in ("today", "notes-to-sign", "open-alerts", "measures-overdue", "portal-work"):
        assert "Amara" in visible_text(section(html, part)), part
    assert "Request for Amara" in section(html, "assigned-requests")
    shapes = set(built)
    assert {name for name, _shape in shapes} == set(lists)
    assert Counter(built) == dict.fromkeys(shapes, 2)  # each shape with two sets of markers

    bob = visible_text(signed_in(world.bob).get("/").content.decode())
    assert "Amara" not in bob and "No sessions today." in bob and "No notes to sign." in bob
    assert Counter(built) == dict.fromkeys(shapes, 2)  # nothing built again


def test_a_session_today_of_an_earlier_course_shows_that_courses_overdue_measures(world):
    """Today's sessions take their overdue counts from the caseload's list, which counts the
    current courses (the latest open one) and the courses of today's sessions: a session of an
    earlier course still open counts its own course's measures (issue 20)."""
    earlier = make_course(world.amara, start_date=timezone.localdate() - timedelta(60))
    held = make_session(earlier, world.alice, starts_at=timezone.now() - timedelta(days=7))
    held.attendance = "attended"
    held.save()  # session 1 held without its PHQ-9 and GAD-7
    make_session(earlier, world.alice, starts_at=today_at(23))
    later = make_course(world.amara, start_date=timezone.localdate() - timedelta(10))
    make_session(later, world.alice, starts_at=timezone.now() + timedelta(days=3))
    html = signed_in(world.alice).get("/").content.decode()
    assert "2 measures overdue" in visible_text(section(html, "today"))
    # The current course (the later one) has nothing overdue.
    assert "No measures overdue in your caseload." in visible_text(
        section(html, "measures-overdue")
    )


def test_the_current_courses_are_worked_out_once_and_a_client_without_one_is_left_out(world):
    """Issue 20: the read of the caseload's current courses asked for each client's current
    course twice (the course, and that there is one): about 1 ms of the home for 200 clients
    at a programme's size. A client on the care team with no course yet adds nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    held = make_session(
        make_course(world.amara), world.alice, starts_at=timezone.now() - timedelta(days=7)
    )
    held.attendance = "attended"
    held.save()  # session 1 held without its PHQ-9 and GAD-7
    another_client(world, "Nocourse")
    with CaptureQueriesContext(connection) as captured:
        html = signed_in(world.alice).get("/").content.decode()
    overdue = visible_text(section(html, "measures-overdue"))
    assert "Amara Example · 2 measures overdue" in overdue and "Nocourse" not in overdue
    [sql] = [
        q["sql"]
        for q in captured.captured_queries
        if '"client__family_name" FROM "courses_course"' in q["sql"]
    ]
    assert sql.count("COALESCE(") == 1, sql


def test_the_current_courses_are_read_from_the_care_teams_own_courses(world):
    """Issue 20: asked as the courses whose id was among the care team's clients' current
    ones, PostgreSQL read and hashed every course of the clinic (5.1 ms of the home at a
    programme's size). The care team's clients' own courses are read, each kept if it is its
    client's current one (1.9 ms). Only those count: not an earlier course of the same client,
    nor another clinician's client."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def held_without_measures(course, clinician):
        held = make_session(course, clinician, starts_at=timezone.now() - timedelta(days=7))
        held.attendance = "attended"
        held.save()  # session 1 held without its PHQ-9 and GAD-7

    # Amara's earlier course has measures overdue; her current one has held no session yet.
    earlier = make_course(
        world.amara, start_date=timezone.localdate() - timedelta(90), status="completed"
    )
    held_without_measures(earlier, world.alice)
    make_course(world.amara)
    held_without_measures(make_course(another_client(world, "Cara")), world.alice)
    boris = make_client(world.clinic, clinicians=[world.bob], given_name="Boris")
    held_without_measures(make_course(boris), world.bob)
    with CaptureQueriesContext(connection) as captured:
        html = signed_in(world.alice).get("/").content.decode()
    overdue = visible_text(section(html, "measures-overdue"))
    assert "Cara Example · 2 measures overdue" in overdue, overdue
    assert "Amara" not in overdue and "Boris" not in overdue, overdue
    [sql] = [
        q["sql"]
        for q in captured.captured_queries
        if '"client__family_name" FROM "courses_course"' in q["sql"]
    ]
    assert 'INNER JOIN "clients_careteammember"' in sql, sql
    assert '"courses_course"."id" IN (SELECT' not in sql, sql


def test_the_clinicians_home_asks_as_many_queries_on_a_day_without_sessions(world):
    """The scale benchmark counted 25 queries on the demo and 27 at full size: measured just
    after midnight, the demo's clinician had no session yet that day, and the answers to them
    were only asked for when there were some (issue 20)."""
    course = busy_day(world, world.amara, hour=20)
    browser = signed_in(world.alice)
    with_sessions = count_queries(browser, "/")
    course.sessions.filter(starts_at=today_at(20)).delete()
    html = browser.get("/").content.decode()
    assert "No sessions today." in visible_text(section(html, "today"))
    assert count_queries(browser, "/") == with_sessions


def test_a_client_signing_in_lands_in_the_portal(client, world):
    person = make_person(world.clinic, Role.CLIENT, password=PASSPHRASE)
    make_client(world.clinic, clinicians=[world.alice], user=person)
    response = client.post(
        "/accounts/login/", {"login": person.email, "password": PASSPHRASE}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/portal/"
    assert response.status_code == 200
    assert client.get("/")["Location"] == "/portal/"


def test_a_client_asked_for_another_page_at_sign_in_goes_there(client, world):
    person = make_person(world.clinic, Role.CLIENT, password=PASSPHRASE)
    make_client(world.clinic, clinicians=[world.alice], user=person)
    response = client.post(
        "/accounts/login/?next=/portal/diary/", {"login": person.email, "password": PASSPHRASE}
    )
    assert response["Location"] == "/portal/diary/"


def test_staff_who_are_also_clients_keep_the_staff_home_with_a_link_to_their_portal(world):
    Membership.objects.create(user=world.bob, clinic=world.clinic, role=Role.CLIENT)
    make_client(world.clinic, clinicians=[world.alice], user=world.bob)
    response = signed_in(world.bob).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/portal/">Your own space as a client</a>' in html
    assert 'id="today"' in html


def test_the_administrators_home_shows_the_clinic_at_a_glance(world):
    Invitation.objects.create(
        clinic=world.clinic,
        email="new@example.test",
        role=Role.CLINICIAN,
        purpose="staff",
        token_hash="a" * 64,
        expires_at=timezone.now() + timedelta(days=3),
    )
    BreakGlassGrant.objects.create(
        client=world.amara,
        user=world.bob,
        reason="Called in distress",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    IntakeRequest.objects.create(
        clinic=world.clinic, name="X", contact="email", email="x@example.test", message="…"
    )
    html = signed_in(world.admin).get("/").content.decode()
    clinic = visible_text(section(html, "clinic"))
    assert "People: Clinic administrator 1 · Clinician 2 · Supervisor 1 · Client 1" in clinic
    assert "Invitations: 1 waiting to be accepted" in clinic
    assert "Emergency access: 1 to review" in clinic
    assert "Requests: 1 new, not assigned yet" in clinic
    for url in ("/clinic/people/", "/clinic/invitations/", "/clinic/intake/", "/clinic/audit/"):
        assert f'href="{url}"' in html
    # Nothing clinical: no client's name, no caseload sections.
    assert "Amara" not in html and 'id="today"' not in html


def audit_run(status: str, minutes_ago: int) -> DBTaskResult:
    at = timezone.now() - timedelta(minutes=minutes_ago)
    return DBTaskResult.objects.create(
        task_path=audit_tasks.anchor_chain.module_path,
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        run_after=at,
        started_at=at,
        finished_at=at,
        exception_class_path="",
        traceback="",
    )


def test_the_administrator_sees_whether_the_audit_chain_was_verified(world):
    browser = signed_in(world.admin)
    check = lambda: visible_text(section(browser.get("/").content.decode(), "audit-check"))  # noqa: E731
    assert "No check has finished yet." in check()
    audit_run("SUCCESSFUL", 30)
    assert "Verified at" in check() and "worker" not in check()
    audit_run("FAILED", 5)
    text = check()
    assert "The check failed at" in text and "gentle audit verify" in text
    DBTaskResult.objects.all().delete()
    audit_run("SUCCESSFUL", 5 * 60)
    assert "No check has passed since" in check() and "is the worker running?" in check()


def test_the_supervisors_home_links_what_exists_and_claims_only_the_outcome_report(world):
    supervise(world.clinic, world.sue, world.bob)
    alert(world.amara, "high", escalated_at=timezone.now())
    alert(world.amara, "moderate")  # not escalated: the clinician's, not the supervisor's
    html = signed_in(world.sue).get("/").content.decode()
    text = visible_text(section(html, "supervision"))
    assert "You see 1 client as a supervisor." in text
    assert "Clinicians you supervise, each with their supervision log:" in text
    assert str(world.bob) in text and f'href="/supervision/{world.bob.pk}/"' in html
    assert 'href="/caseload/?whose=supervised"' in html
    alerts = visible_text(section(html, "open-alerts"))
    assert "1 high" in alerts and "moderate" not in alerts
    # Outcomes are named only where they are: the clinic's outcome report, which answers.
    page = (
        visible_text(html)
        .lower()
        .replace("outcome report: the clinic's finished courses and their outcomes", "")
    )
    for claim in ("outcome", "improv", "recover"):
        assert claim not in page
    assert 'href="/reports/outcomes/"' in html
    assert signed_in(world.sue).get("/reports/outcomes/").status_code == 200
    assert 'id="today"' not in html


def test_the_demo_clinicians_home_has_something_in_each_section(client, settings):
    """The demo's story on the clinician's home: a session today (on a weekday: the demo
    clinic's sessions are Monday to Friday), a draft note older than 48 hours, an alert, a
    questionnaire not given, the portal work of the demo client and the request assigned to the
    demo clinician."""
    from gentle.accounts.models import User
    from gentle.demo import seed_demo

    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    client.force_login(User.objects.get(email="clinician@demo.gentle.test"))
    html = client.get("/").content.decode()
    if timezone.localdate().weekday() < 5:
        assert "No sessions today." not in html
    assert "over 48 hours" in section(html, "notes-to-sign")
    assert "No open alerts." not in html
    assert "No portal work" not in html
    assert "1 measure overdue" in section(html, "measures-overdue")
    assert "No consultation requests assigned to you." not in html
    assert len(html.encode()) < 100_000


def test_a_person_of_no_clinic_is_told_so_and_shown_nothing_else(client):
    from gentle.accounts.models import User

    person = User.objects.create(email="loose@example.test", display_name="Loose End")
    client.force_login(person)
    html = client.get("/").content.decode()
    assert "Your account is not linked to a clinic yet." in html
    assert 'id="today"' not in html and 'id="clinic"' not in html


def test_a_session_of_today_that_ended_without_attendance_is_flagged(world):
    noon = timezone.make_aware(datetime(2026, 11, 12, 12, 0))
    with time_machine.travel(noon, tick=False):
        course = make_course(world.amara, start_date=timezone.localdate() - timedelta(7))
        ended = make_session(course, world.alice, starts_at=today_at(9))
        later = make_session(course, world.alice, starts_at=today_at(15))
        today = section(signed_in(world.alice).get("/").content.decode(), "today")
        flag = f'href="/sessions/{ended.pk}/#attendance-title">Attendance not recorded</a>'
        assert flag in today
        assert today.count("Attendance not recorded") == 1, "the later session is not flagged"
        assert f"/sessions/{later.pk}/" in today
        ended.attendance = "attended"
        ended.save()
        today = section(signed_in(world.alice).get("/").content.decode(), "today")
        assert "Attendance not recorded" not in today
