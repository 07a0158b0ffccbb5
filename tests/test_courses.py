"""IPT courses over HTTP: the contract and its phases, scheduling with derived session numbers,
the phase agenda, the course overview, the caseload, the week calendar and its iCalendar feed,
client details and consents, and termination (relapse-prevention plan and summary).

The clock is frozen on Wednesday 11 November 2026, 09:00 UTC (ISO week 2026-W46)."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from gentle.accounts.models import Membership, Role, User
from gentle.audit.models import AuditEvent
from gentle.clients.models import Client, Consent
from gentle.courses.models import Course, ProgressNote, RelapsePlan, Session
from tests.factories import count_queries, make_client, make_clinic, make_person
from tests.world import World as SharedWorld
from tests.world import another_client

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 11, 9, 0, tzinfo=UTC)
PHASES_MISFIT = "The phases must fit the contract"
INVENTORY = "Take the interpersonal inventory of important people"
FOCUS = "Work on the agreed focus"
WARNING_SIGNS = "Name warning signs of relapse and what to do"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


@dataclass
class World(SharedWorld):
    odile: Client  # Alice's other client
    bart: Client  # Bob's client


@pytest.fixture
def world(world) -> World:
    bart = make_client(world.clinic, clinicians=[world.bob], given_name="Bartholomew")
    return World(**vars(world), odile=another_client(world, "Odile"), bart=bart)


# Helpers -------------------------------------------------------------------------------------


def at(day: str, hhmm: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=UTC)


def make_course(
    record: Client,
    by: User,
    *,
    course_format: str = "individual",
    sessions: int = 12,
    minutes: int = 50,
    initial_last: int = 3,
    termination_first: int = 10,
    start: date = date(2026, 11, 2),
    status: str = "planned",
    **extra,
) -> Course:
    return Course.objects.create(
        client=record,
        format=course_format,
        contracted_sessions=sessions,
        session_minutes=minutes,
        initial_last=initial_last,
        termination_first=termination_first,
        start_date=start,
        status=status,
        created_by=by,
        **extra,
    )


def add_session(
    course: Course, clinician: User, starts_at: datetime, *, minutes=50, attendance="scheduled"
) -> Session:
    return Session.objects.create(
        course=course,
        clinician=clinician,
        starts_at=starts_at,
        minutes=minutes,
        mode="in_person",
        attendance=attendance,
    )


def weekly(course, clinician, first: datetime, count: int, **kwargs) -> list[Session]:
    return [
        add_session(course, clinician, first + timedelta(weeks=i), **kwargs) for i in range(count)
    ]


def add_note(session: Session, mood: int | None, text: str = "") -> ProgressNote:
    return ProgressNote.objects.create(
        session=session,
        author=session.clinician,
        updated_by=session.clinician,
        mood=mood,
        text=text,
    )


def course_data(**overrides) -> dict:
    data = {
        "format": "individual",
        "kind": "acute",
        "start_date": "2026-11-16",
        "contracted_sessions": "",
        "session_minutes": "",
        "initial_last": "",
        "termination_first": "",
    }
    return {**data, **overrides}


def contract_data(course: Course, **overrides) -> dict:
    data = {
        "format": course.format,
        "kind": course.kind,
        "start_date": course.start_date.isoformat(),
        "contracted_sessions": str(course.contracted_sessions),
        "session_minutes": str(course.session_minutes),
        "initial_last": str(course.initial_last),
        "termination_first": str(course.termination_first),
        "status": course.status,
        "end_reason": course.end_reason,
        "focus": course.focus,
        "goals": course.goals,
    }
    return {**data, **overrides}


def session_data(**overrides) -> dict:
    data = {"date": "2026-11-16", "time": "10:00", "minutes": "50", "mode": "in_person"}
    return {**data, **overrides}


def new_course_url(record: Client) -> str:
    return f"/clients/{record.pk}/courses/new/"


def schedule_url(course: Course) -> str:
    return f"/courses/{course.pk}/sessions/new/"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def field_value(html: str, name: str) -> str | None:
    """The value of the <input> called ``name`` in the page (None if it has none)."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag:
            found = re.search(r'value="([^"]*)"', tag)
            return found.group(1) if found else None
    raise AssertionError(f"no input called {name}")


def checked_values(html: str, name: str) -> set[str]:
    return {
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in re.findall(r"<input[^>]*>", html)
        if f'name="{name}"' in tag and " checked" in tag
    }


def section(html: str, element_id: str) -> str:
    """The part of the page from the element with this id to the end of its <section>."""
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def table_body(html: str) -> str:
    return html[html.index("<tbody>") : html.index("</tbody>")]


def table_row(html: str, text: str) -> str:
    rows = [row for row in table_body(html).split("<tr>") if text in row]
    assert len(rows) == 1, (text, len(rows))
    return rows[0].split("</tr>")[0]


def audit_writes(action: str, prefix: str) -> list[AuditEvent]:
    """Audit rows of a change (their detail starts with ``prefix``), not of the page access."""
    return list(AuditEvent.objects.filter(action=action, detail__startswith=prefix))


# Creating a course ----------------------------------------------------------------------------


def test_new_course_with_empty_numbers_takes_the_individual_formats_defaults(client, world):
    client.force_login(world.alice)
    response = client.post(new_course_url(world.amara), course_data())
    course = Course.objects.get(client=world.amara)
    assert response.status_code == 302
    assert response["Location"] == f"/courses/{course.pk}/"
    assert (course.format, course.kind, course.start_date) == (
        "individual",
        "acute",
        date(2026, 11, 16),
    )
    assert (course.contracted_sessions, course.session_minutes) == (12, 50)
    assert (course.initial_last, course.termination_first) == (3, 10)
    assert course.status == "planned"
    assert course.created_by == world.alice
    html = page(client, response["Location"])
    assert "Course created. Schedule the first session." in html
    assert "Started 16 Nov 2026 · 12 sessions of 50 minutes" in html
    assert "Planned" in html
    row = AuditEvent.objects.get(action="course.create")
    assert (row.client_id, row.object_id, row.detail) == (
        world.amara.pk,
        str(course.pk),
        "format=individual",
    )


@pytest.mark.parametrize(
    ("course_format", "expected"),
    [
        ("brief", (8, 50, 2, 7)),
        ("ipc", (6, 30, 1, 6)),
        ("group", (8, 90, 1, 8)),
    ],
)
def test_each_format_has_its_own_defaults(client, world, course_format, expected):
    client.force_login(world.alice)
    response = client.post(new_course_url(world.amara), course_data(format=course_format))
    assert response.status_code == 302
    course = Course.objects.get(client=world.amara)
    assert (
        course.contracted_sessions,
        course.session_minutes,
        course.initial_last,
        course.termination_first,
    ) == expected


def test_typed_numbers_replace_the_defaults(client, world):
    client.force_login(world.alice)
    client.post(
        new_course_url(world.amara),
        course_data(
            kind="continuation",
            contracted_sessions="16",
            session_minutes="60",
            initial_last="4",
            termination_first="14",
        ),
    )
    course = Course.objects.get(client=world.amara)
    assert (course.kind, course.contracted_sessions, course.session_minutes) == (
        "continuation",
        16,
        60,
    )
    assert (course.initial_last, course.termination_first) == (4, 14)


def test_a_longer_contract_moves_the_default_termination_phase_to_its_end(client, world):
    client.force_login(world.alice)
    client.post(new_course_url(world.amara), course_data(contracted_sessions="16"))
    course = Course.objects.get(client=world.amara)
    assert (course.initial_last, course.termination_first) == (3, 14)


@pytest.mark.parametrize(
    "typed",
    [
        {"initial_last": "5", "termination_first": "5"},
        {"initial_last": "6", "termination_first": "4"},
        {"contracted_sessions": "12", "termination_first": "13"},
        {"contracted_sessions": "8", "initial_last": "8"},
    ],
    ids=["initial-ends-where-termination-starts", "overlapping", "beyond-contract", "no-room"],
)
def test_phases_that_do_not_fit_are_refused_and_what_was_typed_stays(client, world, typed):
    client.force_login(world.alice)
    response = client.post(new_course_url(world.amara), course_data(session_minutes="45", **typed))
    html = response.content.decode()
    assert response.status_code == 400
    assert PHASES_MISFIT in html
    for name, value in {**typed, "session_minutes": "45", "start_date": "2026-11-16"}.items():
        assert field_value(html, name) == value, name
    assert not Course.objects.exists()
    assert not AuditEvent.objects.filter(action="course.create").exists()


def test_an_impossible_start_date_is_refused_with_a_clear_message(client, world):
    client.force_login(world.alice)
    response = client.post(new_course_url(world.amara), course_data(start_date="2026-02-30"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter a valid date." in html
    assert field_value(html, "start_date") == "2026-02-30"
    assert not Course.objects.exists()


def test_a_supervisor_on_the_team_cannot_create_a_course_but_reads_it(client, world):
    course = make_course(world.amara, world.alice)
    client.force_login(world.sue)
    assert client.get(new_course_url(world.amara)).status_code == 404
    assert client.post(new_course_url(world.amara), course_data()).status_code == 404
    assert Course.objects.count() == 1
    html = page(client, f"/courses/{course.pk}/")
    assert "Individual IPT" in html and "Amara Example" in html
    assert f'href="{schedule_url(course)}"' not in html
    assert client.get(schedule_url(course)).status_code == 404
    assert client.post(schedule_url(course), session_data()).status_code == 404
    edit = contract_data(course, contracted_sessions="16", termination_first="14")
    assert client.post(f"/courses/{course.pk}/edit/", edit).status_code == 404
    assert not Session.objects.exists()
    course.refresh_from_db()
    assert course.contracted_sessions == 12


def test_clinicians_outside_the_care_team_get_404_and_change_nothing(client, world):
    course = make_course(world.amara, world.alice)
    session = add_session(course, world.alice, at("2026-11-16"))
    for outsider in (world.far_clinician, world.bob):
        client.force_login(outsider)
        for url in (
            new_course_url(world.amara),
            f"/courses/{course.pk}/",
            f"/courses/{course.pk}/edit/",
            schedule_url(course),
            f"/sessions/{session.pk}/",
            f"/courses/{course.pk}/summary/",
        ):
            assert client.get(url).status_code == 404, (outsider, url)
        assert client.post(new_course_url(world.amara), course_data()).status_code == 404
        assert client.post(schedule_url(course), session_data(date="2026-11-23")).status_code == 404
    assert Course.objects.count() == 1
    assert Session.objects.count() == 1


# Editing the contract -------------------------------------------------------------------------


def test_ending_a_course_early_without_a_reason_is_refused(client, world):
    course = make_course(world.amara, world.alice, status="active")
    client.force_login(world.alice)
    response = client.post(
        f"/courses/{course.pk}/edit/", contract_data(course, status="ended_early", end_reason="")
    )
    assert response.status_code == 400
    assert "Say why the course ended early." in response.content.decode()
    course.refresh_from_db()
    assert (course.status, course.ended_on) == ("active", None)
    assert not audit_writes("course.update", "status=")


def test_ending_a_course_early_with_a_reason_records_the_day_and_shows_it(client, world):
    course = make_course(world.amara, world.alice, status="active")
    client.force_login(world.alice)
    response = client.post(
        f"/courses/{course.pk}/edit/",
        contract_data(course, status="ended_early", end_reason="Moved to another city"),
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.status, course.end_reason) == ("ended_early", "Moved to another city")
    assert course.ended_on == date(2026, 11, 11)
    assert "Ended early: Moved to another city" in page(client, f"/courses/{course.pk}/")
    assert "Why it ended early" in page(client, f"/courses/{course.pk}/summary/")


def test_the_contract_cannot_drop_below_the_sessions_scheduled_or_held(client, world):
    course = make_course(world.amara, world.alice, status="active")
    weekly(course, world.alice, at("2026-10-19"), 2, attendance="attended")
    add_session(course, world.alice, at("2026-11-02"), attendance="cancelled")
    weekly(course, world.alice, at("2026-11-16"), 2)
    client.force_login(world.alice)
    shorter = {"initial_last": "1", "termination_first": "3"}
    response = client.post(
        f"/courses/{course.pk}/edit/", contract_data(course, contracted_sessions="3", **shorter)
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "4 sessions are already scheduled or held." in html
    assert field_value(html, "contracted_sessions") == "3"
    course.refresh_from_db()
    assert course.contracted_sessions == 12
    assert not audit_writes("course.update", "status=")
    # Exactly the numbered sessions is allowed: the cancelled one does not count.
    response = client.post(
        f"/courses/{course.pk}/edit/", contract_data(course, contracted_sessions="4", **shorter)
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.contracted_sessions, course.initial_last, course.termination_first) == (4, 1, 3)


def test_a_valid_contract_change_is_saved_shown_and_audited(client, world):
    course = make_course(world.amara, world.alice, status="active")
    client.force_login(world.alice)
    response = client.post(
        f"/courses/{course.pk}/edit/",
        contract_data(
            course,
            contracted_sessions="16",
            termination_first="14",
            focus="dispute",
            goals="Speak up at work",
        ),
        follow=True,
    )
    html = response.content.decode()
    assert "Course saved." in html
    assert "16 sessions of 50 minutes" in html
    assert "Focus: Role dispute" in html
    course.refresh_from_db()
    assert (course.contracted_sessions, course.termination_first) == (16, 14)
    assert (course.focus, course.goals, course.status) == ("dispute", "Speak up at work", "active")
    [row] = audit_writes("course.update", "status=")
    assert (row.actor_id, row.client_id, row.object_id, row.detail) == (
        world.alice.pk,
        world.amara.pk,
        str(course.pk),
        "status=active",
    )
    assert "Speak up" not in row.detail


# Scheduling sessions -------------------------------------------------------------------------


def test_scheduling_the_first_session_numbers_it_and_makes_the_course_active(client, world):
    course = make_course(world.amara, world.alice)
    client.force_login(world.alice)
    form = page(client, schedule_url(course))
    assert "Schedule session 1" in form and "Initial phase" in form
    assert field_value(form, "minutes") == "50"
    response = client.post(schedule_url(course), session_data(minutes="50", mode="video"))
    session = Session.objects.get(course=course)
    assert response["Location"] == f"/sessions/{session.pk}/"
    assert (session.starts_at, session.minutes, session.mode) == (at("2026-11-16"), 50, "video")
    assert session.clinician == world.alice
    html = page(client, response["Location"])
    assert "Session 1 scheduled." in html
    assert "<h1>Session 1 of 12</h1>" in html
    assert 'class="phase phase-initial">Initial phase<' in html
    assert "Monday, 16 November 2026, 10:00" in html
    course.refresh_from_db()
    assert course.status == "active"
    assert "Active" in page(client, f"/courses/{course.pk}/")
    assert AuditEvent.objects.filter(action="session.create", object_id=str(session.pk)).exists()


def test_sessions_take_their_number_and_phase_from_the_courses_boundaries(client, world):
    course = make_course(world.amara, world.alice, sessions=5, initial_last=2, termination_first=4)
    client.force_login(world.alice)
    expected = ["initial", "initial", "middle", "termination", "termination"]
    labels = {
        "initial": "Initial phase",
        "middle": "Middle phase",
        "termination": "Termination phase",
    }
    for n, phase in enumerate(expected, start=1):
        day = (date(2026, 11, 16) + timedelta(weeks=n - 1)).isoformat()
        response = client.post(schedule_url(course), session_data(date=day))
        assert response.status_code == 302, n
        html = page(client, response["Location"])
        assert f"<h1>Session {n} of 5</h1>" in html
        assert f'class="phase phase-{phase}">{labels[phase]}<' in html
    assert Session.objects.filter(course=course).count() == 5


def test_a_session_scheduled_before_the_others_is_announced_with_its_real_number(client, world):
    course = make_course(world.amara, world.alice, status="active")
    weekly(course, world.alice, at("2026-11-16"), 2)
    client.force_login(world.alice)
    response = client.post(schedule_url(course), session_data(date="2026-11-12"), follow=True)
    html = response.content.decode()
    assert "<h1>Session 1 of 12</h1>" in html
    assert "Session 1 scheduled." in html  # not "Session 3": it comes first in time


def test_an_overlap_with_another_of_the_clinicians_sessions_asks_before_scheduling(client, world):
    course = make_course(world.amara, world.alice)
    odiles = make_course(world.odile, world.alice, status="active")
    add_session(odiles, world.alice, at("2026-11-16", "10:00"))
    client.force_login(world.alice)
    response = client.post(schedule_url(course), session_data(time="10:30"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "This overlaps another of your sessions:" in html
    assert "Mon 16 Nov, 10:00–10:50 · Odile Example" in html
    assert "Schedule anyway" in html
    assert field_value(html, "confirm_overlap") == "on"
    assert field_value(html, "time") == "10:30"
    assert not Session.objects.filter(course=course).exists()
    course.refresh_from_db()
    assert course.status == "planned"

    response = client.post(schedule_url(course), session_data(time="10:30", confirm_overlap="on"))
    assert response.status_code == 302
    assert Session.objects.get(course=course).starts_at == at("2026-11-16", "10:30")


def test_no_overlap_warning_for_back_to_back_cancelled_or_other_clinicians_sessions(client, world):
    course = make_course(world.amara, world.alice)
    odiles = make_course(world.odile, world.alice, status="active")
    barts = make_course(world.bart, world.bob, status="active")
    add_session(odiles, world.alice, at("2026-11-16", "09:10"))  # ends 10:00
    add_session(odiles, world.alice, at("2026-11-16", "10:20"), attendance="cancelled")
    add_session(barts, world.bob, at("2026-11-16", "10:00"))
    client.force_login(world.alice)
    response = client.post(schedule_url(course), session_data(time="10:00"))
    assert response.status_code == 302
    assert Session.objects.filter(course=course).count() == 1


def test_when_every_contracted_session_is_taken_the_page_asks_for_a_contract_change(client, world):
    course = make_course(
        world.amara,
        world.alice,
        course_format="ipc",
        sessions=3,
        initial_last=1,
        termination_first=3,
        status="active",
    )
    add_session(course, world.alice, at("2026-11-02"), attendance="attended")
    add_session(course, world.alice, at("2026-11-09"), attendance="cancelled")
    weekly(course, world.alice, at("2026-11-16"), 2)
    client.force_login(world.alice)
    html = page(client, schedule_url(course))
    assert "The contract is for 3 sessions, and all are scheduled or held." in html
    assert f'href="/courses/{course.pk}/edit/"' in html
    assert 'name="date"' not in html
    response = client.post(schedule_url(course), session_data(date="2026-12-07"))
    assert response.status_code == 400
    assert "change the contract first" in response.content.decode()
    assert Session.objects.filter(course=course).count() == 4


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"date": "2026-13-01"}, "Enter a valid date."),
        ({"minutes": "0"}, "Ensure this value is greater than or equal to 5."),
        ({"minutes": "500"}, "Ensure this value is less than or equal to 240."),
        ({"date": "1800-11-16"}, "Choose a date between 2000 and 2100."),
        ({"time": "25:00"}, "Enter a valid time."),
    ],
    ids=["month-13", "zero-minutes", "500-minutes", "year-1800", "hour-25"],
)
def test_bad_session_input_is_refused_and_keeps_what_was_typed(client, world, typed, message):
    course = make_course(world.amara, world.alice)
    client.force_login(world.alice)
    data = {**session_data(time="14:15"), **typed}
    response = client.post(schedule_url(course), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    for name in ("date", "time", "minutes"):
        assert field_value(html, name) == data[name], name
    assert not Session.objects.exists()
    course.refresh_from_db()
    assert course.status == "planned"


def test_cancelled_and_missed_sessions_take_no_number(client, world):
    course = make_course(world.amara, world.alice, status="active")
    first, second, third = weekly(course, world.alice, at("2026-11-16"), 3)
    client.force_login(world.alice)
    assert "<h1>Session 3 of 12</h1>" in page(client, f"/sessions/{third.pk}/")

    response = client.post(f"/sessions/{second.pk}/attendance/", {"attendance": "cancelled"})
    assert response["Location"] == f"/sessions/{second.pk}/"
    second.refresh_from_db()
    assert second.attendance == "cancelled"
    html = page(client, f"/sessions/{second.pk}/")
    assert "Attendance saved." in html
    assert "Session (not counted)" in html
    assert "<h1>Session 2 of 12</h1>" in page(client, f"/sessions/{third.pk}/")
    assert "Schedule session 3" in page(client, schedule_url(course))
    assert AuditEvent.objects.filter(
        action="session.attendance", object_id=str(second.pk), detail="attendance=cancelled"
    ).exists()

    client.post(f"/sessions/{first.pk}/attendance/", {"attendance": "no_show"})
    assert "<h1>Session 1 of 12</h1>" in page(client, f"/sessions/{third.pk}/")
    assert "Schedule session 2" in page(client, schedule_url(course))


def test_an_unknown_attendance_is_refused(client, world):
    course = make_course(world.amara, world.alice, status="active")
    session = add_session(course, world.alice, at("2026-11-16"))
    client.force_login(world.alice)
    response = client.post(f"/sessions/{session.pk}/attendance/", {"attendance": "vanished"})
    assert "Choose how the session went." in page(client, response["Location"])
    session.refresh_from_db()
    assert session.attendance == "scheduled"


# The phase-aware agenda ------------------------------------------------------------------------


def test_each_session_shows_the_agenda_of_its_phase(client, world):
    course = make_course(world.amara, world.alice, status="active")
    sessions = weekly(course, world.alice, at("2026-09-07"), 12)
    client.force_login(world.alice)

    first = page(client, f"/sessions/{sessions[0].pk}/")
    assert "Agenda for the Initial phase" in first
    assert INVENTORY in first
    assert FOCUS not in first and WARNING_SIGNS not in first

    fifth = page(client, f"/sessions/{sessions[4].pk}/")
    assert "<h1>Session 5 of 12</h1>" in fifth
    assert "Agenda for the Middle phase" in fifth
    assert FOCUS in fifth and "Review progress towards the goals" in fifth
    assert INVENTORY not in fifth and WARNING_SIGNS not in fifth

    last = page(client, f"/sessions/{sessions[11].pk}/")
    assert "<h1>Session 12 of 12</h1>" in last
    assert "Agenda for the Termination phase" in last
    assert WARNING_SIGNS in last and "Talk about the ending itself as a role transition" in last
    assert INVENTORY not in last and FOCUS not in last


def test_ticked_agenda_items_stay_with_the_session(client, world):
    course = make_course(world.amara, world.alice, status="active")
    session = add_session(course, world.alice, at("2026-11-16"))
    client.force_login(world.alice)
    response = client.post(
        f"/sessions/{session.pk}/agenda/", {"done": ["inventory", "symptoms"]}, follow=True
    )
    html = response.content.decode()
    assert "Agenda saved." in html
    assert checked_values(html, "done") == {"inventory", "symptoms"}
    session.refresh_from_db()
    assert set(session.agenda_done) == {"inventory", "symptoms"}
    assert session.agenda_version == 1
    assert AuditEvent.objects.filter(action="session.agenda", detail="ticked=2").exists()

    client.post(f"/sessions/{session.pk}/agenda/", {"done": ["formulation"]})
    session.refresh_from_db()
    assert session.agenda_done == ["formulation"]
    assert checked_values(page(client, f"/sessions/{session.pk}/"), "done") == {"formulation"}


@pytest.mark.parametrize("foreign", ["warning_signs", "focus", "not_an_item"])
def test_an_item_not_on_the_phases_agenda_is_refused_and_nothing_changes(client, world, foreign):
    course = make_course(world.amara, world.alice, status="active")
    session = add_session(course, world.alice, at("2026-11-16"))
    client.force_login(world.alice)
    client.post(f"/sessions/{session.pk}/agenda/", {"done": ["inventory"]})
    response = client.post(
        f"/sessions/{session.pk}/agenda/", {"done": ["symptoms", foreign]}, follow=True
    )
    html = response.content.decode()
    assert "Tick items from this session&#x27;s agenda." in html
    assert checked_values(html, "done") == {"inventory"}
    session.refresh_from_db()
    assert session.agenda_done == ["inventory"]
    assert (
        AuditEvent.objects.filter(action="session.agenda", detail__startswith="ticked").count() == 1
    )


def test_a_supervisor_reads_the_agenda_but_cannot_tick_it(client, world):
    course = make_course(world.amara, world.alice, status="active")
    session = add_session(course, world.alice, at("2026-11-16"))
    client.force_login(world.sue)
    html = page(client, f"/sessions/{session.pk}/")
    assert INVENTORY in html and 'name="done"' not in html
    assert (
        client.post(f"/sessions/{session.pk}/agenda/", {"done": ["inventory"]}).status_code == 404
    )
    session.refresh_from_db()
    assert session.agenda_done == []


# The course overview ---------------------------------------------------------------------------


def test_the_course_page_lists_sessions_by_phase_with_attendance_and_a_mood_chart(client, world):
    course = make_course(
        world.amara, world.alice, sessions=4, initial_last=1, termination_first=4, status="active"
    )
    one = add_session(course, world.alice, at("2026-10-19"), attendance="attended")
    add_session(course, world.alice, at("2026-10-26"), attendance="cancelled")
    two = add_session(course, world.alice, at("2026-11-02"), attendance="attended")
    add_session(course, world.alice, at("2026-11-16"))
    add_session(course, world.alice, at("2026-11-23"))
    add_note(one, 4)
    add_note(two, 6)
    client.force_login(world.alice)
    html = page(client, f"/courses/{course.pk}/")

    initial = section(html, "phase-initial")
    assert "Session 1</a> · <time" in initial and "19 Oct, 10:00" in initial
    assert "Attended · mood 4/10" in initial
    assert "Not counted" in initial and "Cancelled" in initial
    middle = section(html, "phase-middle")
    assert "Session 2</a>" in middle and "Attended · mood 6/10" in middle
    assert "Session 3</a>" in middle and "Scheduled" in middle
    termination = section(html, "phase-termination")
    assert "Session 4</a>" in termination and "Session 1</a>" not in termination

    mood = section(html, "mood-title")
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-label="Mood \(0–10\) by session"', mood)
    assert "Mood as a table" in mood
    assert "<tr><td>1</td><td>4</td></tr>" in mood
    assert "<tr><td>2</td><td>6</td></tr>" in mood


def test_a_course_without_moods_shows_no_chart(client, world):
    course = make_course(world.amara, world.alice, status="active")
    add_note(add_session(course, world.alice, at("2026-11-02"), attendance="attended"), None)
    client.force_login(world.alice)
    html = page(client, f"/courses/{course.pk}/")
    assert "Mood ratings from the session notes will show here." in html
    assert "<svg" not in section(html, "mood-title")
    assert "No sessions yet." in section(html, "phase-termination")


# The caseload ----------------------------------------------------------------------------------


@pytest.fixture
def caseload(world):
    """Alice's caseload on Wednesday 11 November 2026."""
    make_course(
        world.amara,
        world.alice,
        course_format="brief",
        sessions=8,
        initial_last=2,
        termination_first=7,
        start=date(2025, 1, 6),
        status="completed",
    )
    amaras = make_course(world.amara, world.alice, start=date(2026, 10, 26), status="active")
    weekly(amaras, world.alice, at("2026-10-28"), 2, attendance="attended")
    weekly(amaras, world.alice, at("2026-11-18"), 2)
    odiles = make_course(
        world.odile,
        world.alice,
        course_format="ipc",
        sessions=6,
        minutes=30,
        initial_last=1,
        termination_first=6,
        start=date(2026, 10, 19),
        status="active",
    )
    weekly(odiles, world.alice, at("2026-10-21"), 3, attendance="attended")
    add_session(odiles, world.alice, at("2026-11-12", "14:00"))
    pia = make_client(world.clinic, clinicians=[world.alice], given_name="Pia", family_name="Lund")
    pias = make_course(
        pia,
        world.alice,
        course_format="brief",
        sessions=8,
        initial_last=2,
        termination_first=7,
        start=date(2026, 8, 31),
        status="completed",
    )
    weekly(pias, world.alice, at("2026-09-01"), 8, attendance="attended")
    make_client(world.clinic, clinicians=[world.alice], given_name="Quentin", family_name="Roy")
    barts = make_course(world.bart, world.bob, status="active")
    add_session(barts, world.bob, at("2026-11-13"))
    return world


def caseload_names(html: str) -> set[str]:
    names = {"Amara Example", "Odile Example", "Pia Lund", "Quentin Roy", "Bartholomew"}
    return {name for name in names if name in table_body(html)}


def test_caseload_shows_each_clients_current_course_session_phase_and_next_session(
    client, caseload
):
    client.force_login(caseload.alice)
    html = page(client, "/caseload/")
    amara = table_row(html, "Amara Example")
    assert "Individual IPT" in amara and "(Active)" in amara and "Brief IPT" not in amara
    assert "3 of 12" in amara
    assert "Initial phase" in amara
    assert "Wed 18 Nov, 10:00" in amara
    odile = table_row(html, "Odile Example")
    assert "Interpersonal Counseling (IPC)" in odile
    assert "4 of 6" in odile and "Middle phase" in odile and "Thu 12 Nov, 14:00" in odile
    pia = table_row(html, "Pia Lund")
    assert "(Completed)" in pia and "8 of 8" in pia and "Termination phase" in pia
    assert "No course yet" in table_row(html, "Quentin Roy")
    coming = section(html, "upcoming-title")
    assert "Odile Example · session 4 of 6" in coming
    assert "Amara Example · session 3 of 12" in coming
    assert coming.index("Odile") < coming.index("Amara")
    assert AuditEvent.objects.filter(action="caseload.view", detail="count=4").exists()


def test_caseload_lists_only_the_clinicians_own_clients(client, caseload):
    client.force_login(caseload.alice)
    html = page(client, "/caseload/")
    assert caseload_names(html) == {"Amara Example", "Odile Example", "Pia Lund", "Quentin Roy"}
    assert "Bartholomew" not in html and "Farrokh" not in html
    client.force_login(caseload.bob)
    assert caseload_names(page(client, "/caseload/")) == {"Bartholomew"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=odi", {"Odile Example"}),
        ("q=LUND", {"Pia Lund"}),
        ("q=Bartholomew", set()),
        ("phase=initial", {"Amara Example"}),
        ("phase=middle", {"Odile Example"}),
        ("phase=termination", {"Pia Lund"}),
        ("format=ipc", {"Odile Example"}),
        ("format=individual", {"Amara Example"}),
        ("status=completed", {"Pia Lund"}),
        ("status=active", {"Amara Example", "Odile Example"}),
        ("q=example&status=active&format=ipc", {"Odile Example"}),
    ],
)
def test_caseload_search_and_filters(client, caseload, query, expected):
    client.force_login(caseload.alice)
    html = page(client, f"/caseload/?{query}")
    assert caseload_names(html) == expected
    if not expected:
        assert "No clients match." in html


@pytest.mark.parametrize("role", [Role.ADMIN, Role.CLIENT])
def test_caseload_and_calendar_answer_404_to_administrators_and_clients(client, world, role):
    person = make_person(world.clinic, role)
    if role == Role.CLIENT:
        make_client(world.clinic, clinicians=[world.alice], user=person)
    client.force_login(person)
    for url in ("/caseload/", "/calendar/", "/calendar/feed/"):
        assert client.get(url).status_code == 404, url


def _client_with_course(clinic, clinician, supervisor) -> None:
    record = make_client(clinic, clinicians=[clinician], supervisor=supervisor)
    course = make_course(record, clinician, status="active")
    add_session(course, clinician, at("2026-11-04"), attendance="attended")
    add_note(add_session(course, clinician, at("2026-11-12")), 5)


def test_caseload_query_count_does_not_grow_with_clients(client):
    clinic = make_clinic()
    clinician = make_person(clinic, Role.CLINICIAN)
    supervisor = make_person(clinic, Role.SUPERVISOR)
    for _ in range(2):
        _client_with_course(clinic, clinician, supervisor)
    client.force_login(clinician)
    few = count_queries(client, "/caseload/")
    for _ in range(10):
        _client_with_course(clinic, clinician, supervisor)
    make_client(clinic, clinicians=[clinician])
    assert count_queries(client, "/caseload/") == few
    assert table_body(page(client, "/caseload/")).count("2 of 12") == 12


def test_course_page_query_count_does_not_grow_with_sessions(client, world):
    course = make_course(world.amara, world.alice, status="active")
    sessions = weekly(course, world.alice, at("2026-09-07"), 3, attendance="attended")
    add_note(sessions[0], 4)
    client.force_login(world.alice)
    few = count_queries(client, f"/courses/{course.pk}/")
    more = weekly(course, world.alice, at("2026-09-28"), 9, attendance="attended")
    for session in more[:5]:
        add_note(session, 6)
    assert count_queries(client, f"/courses/{course.pk}/") == few
    assert "Session 12</a>" in page(client, f"/courses/{course.pk}/")


# The week calendar -------------------------------------------------------------------------------


@pytest.fixture
def week(world):
    amaras = make_course(world.amara, world.alice, status="active")
    add_session(amaras, world.alice, at("2026-11-12", "10:00"))
    add_session(amaras, world.alice, at("2026-11-24", "11:30"))
    odiles = make_course(world.odile, world.alice, status="active")
    add_session(odiles, world.alice, at("2026-11-13", "15:00"), attendance="cancelled")
    barts = make_course(world.bart, world.bob, status="active")
    add_session(barts, world.bob, at("2026-11-12", "10:00"))
    add_session(barts, world.bob, at("2026-11-25", "09:00"))
    return world


def test_the_calendar_shows_this_weeks_sessions_of_the_clinician_only(client, week):
    client.force_login(week.alice)
    html = page(client, "/calendar/")
    assert "Week of 9 Nov – 15 Nov 2026" in html
    assert re.search(r">10:00</time> Amara Example</a>\s*<span class=\"muted\">session 1 ·", html)
    assert "session 1 · In person</span>" in html  # attendance not yet recorded: not shown
    assert "Odile" not in html  # her only session this week is cancelled
    assert "Bartholomew" not in html
    assert ">11:30</time>" not in html  # next week
    assert "?week=2026-W45" in html and "?week=2026-W47" in html
    assert AuditEvent.objects.filter(action="calendar.view", detail="count=1").exists()


def test_the_calendar_shows_attendance_once_it_is_recorded(client, week):
    Session.objects.filter(course__client=week.amara, starts_at__date=date(2026, 11, 12)).update(
        attendance="no_show"
    )
    client.force_login(week.alice)
    assert "In person · Did not attend</span>" in page(client, "/calendar/")


def test_the_calendar_shows_the_week_asked_for(client, week):
    client.force_login(week.alice)
    html = page(client, "/calendar/?week=2026-W48")
    assert "Week of 23 Nov – 29 Nov 2026" in html
    assert ">11:30</time> Amara Example" in html
    assert "session 2" in html
    assert ">10:00</time>" not in html
    assert "Bartholomew" not in html


@pytest.mark.parametrize("value", ["nonsense", "2026-W99", "2026-W0", "2026-W", "W48", "2026-48"])
def test_a_bad_week_falls_back_to_this_week(client, week, value):
    client.force_login(week.alice)
    html = page(client, f"/calendar/?week={value}")
    assert "Week of 9 Nov – 15 Nov 2026" in html
    assert ">10:00</time> Amara Example" in html


@pytest.mark.parametrize("value", ["0001-W01", "9999-W52"])
def test_a_week_at_the_ends_of_the_calendar_does_not_break_the_page(client, week, value):
    client.force_login(week.alice)
    response = client.get(f"/calendar/?week={value}")
    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/calendar/", "/caseload/"])
def test_a_clinician_in_two_clinics_sees_only_the_signed_in_clinics_sessions(client, week, url):
    """The other clinic's clients stay out of this clinic's pages (as on the client list)."""
    other = week.far_client.clinic
    Membership.objects.create(user=week.alice, clinic=other, role=Role.CLINICIAN)
    elsewhere = make_client(other, clinicians=[week.alice], given_name="Theodora")
    course = make_course(elsewhere, week.alice, status="active")
    add_session(course, week.alice, at("2026-11-12", "16:00"))
    client.force_login(week.alice)
    html = page(client, url)
    assert "Amara Example" in html
    assert "Theodora" not in html


# The iCalendar feed ---------------------------------------------------------------------------


def make_feed_link(client) -> str:
    response = client.post("/calendar/feed/", {"action": "renew"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your link (shown only now)" in html
    link = re.search(r'value="(http[^"]+\.ics)"', html).group(1)
    assert link.startswith("http://testserver/calendar/feed/")
    return link.removeprefix("http://testserver")


def test_the_feed_link_is_shown_once_and_gives_times_without_names_or_clinical_text(client, week):
    amaras = Course.objects.get(client=week.amara)
    add_note(amaras.sessions.first(), 3, text="Talked about her sister Zelda")
    add_session(amaras, week.alice, at("2026-09-01"), attendance="attended")  # over 30 days ago
    client.force_login(week.alice)
    link = make_feed_link(client)
    settings_page = page(client, "/calendar/feed/")
    assert link not in settings_page and "shown only now" not in settings_page
    assert "Stop the link" in settings_page
    assert AuditEvent.objects.filter(action="calendar_feed.renew", actor_id=week.alice.pk).exists()

    client.logout()
    response = client.get(link)
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Cache-Control"] == "no-store, private"
    assert body.count("BEGIN:VEVENT") == 2
    assert body.count("SUMMARY:IPT session") == 2
    assert "DTSTART:20261112T100000Z" in body and "DTEND:20261112T105000Z" in body
    assert "DTSTART:20261124T113000Z" in body
    for private in ("Amara", "Odile", "Bartholomew", "Example", "Zelda", "sister", "Individual"):
        assert private not in body, private


def test_renewing_the_feed_link_ends_the_old_one(client, week):
    client.force_login(week.alice)
    old = make_feed_link(client)
    new = make_feed_link(client)
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_revoking_the_feed_link_ends_it(client, week):
    client.force_login(week.alice)
    link = make_feed_link(client)
    response = client.post("/calendar/feed/", {"action": "revoke"}, follow=True)
    html = response.content.decode()
    assert "The calendar link no longer works." in html
    assert "Make a link" in html and "Stop the link" not in html
    assert client.get(link).status_code == 404
    assert AuditEvent.objects.filter(action="calendar_feed.revoke").exists()


def test_unknown_feed_tokens_answer_404(client, week):
    client.force_login(week.alice)
    make_feed_link(client)
    client.logout()
    for token in ("not-a-token", "A" * 43, "x" * 200):
        assert client.get(f"/calendar/feed/{token}.ics").status_code == 404, token


def test_a_disabled_persons_feed_answers_404(client, week):
    client.force_login(week.alice)
    link = make_feed_link(client)
    client.logout()
    User.objects.filter(pk=week.alice.pk).update(is_active=False)
    assert client.get(link).status_code == 404


# Client details and consents -------------------------------------------------------------------


def details_data(**overrides) -> dict:
    data = {
        "given_name": "Amara",
        "family_name": "Okafor",
        "preferred_name": "Ama",
        "pronouns": "she/her",
        "date_of_birth": "1990-04-02",
        "email": "amara@example.test",
        "phone": "+44 20 7946 0000",
        "emergency_contact_name": "Chidi Okafor",
        "emergency_contact_phone": "+44 20 7946 0001",
        "emergency_contact_relation": "brother",
        "language": "es",
    }
    return {**data, **overrides}


def test_client_details_are_saved_shown_and_audited(client, world):
    client.force_login(world.alice)
    response = client.post(f"/clients/{world.amara.pk}/edit/", details_data(), follow=True)
    html = response.content.decode()
    assert "Details saved." in html
    assert "Amara Okafor" in html and "Likes to be called Ama." in html
    assert "2 Apr 1990" in html and "Spanish" in html
    assert "Chidi Okafor (brother) · +44 20 7946 0001" in html
    world.amara.refresh_from_db()
    assert (world.amara.family_name, world.amara.language) == ("Okafor", "es")
    assert world.amara.date_of_birth == date(1990, 4, 2)
    [row] = audit_writes("client.update", "fields=")
    assert row.client_id == world.amara.pk and row.actor_id == world.alice.pk
    assert "language" in row.detail and "family_name" in row.detail
    assert "Okafor" not in row.detail


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"date_of_birth": "2027-01-01"}, "Enter a date of birth between 1900 and today."),
        ({"date_of_birth": "1800-06-01"}, "Enter a date of birth between 1900 and today."),
        ({"given_name": "A" * 101}, "Ensure this value has at most 100 characters (it has 101)."),
    ],
    ids=["born-in-the-future", "born-in-1800", "name-of-101"],
)
def test_impossible_client_details_are_refused_and_nothing_changes(client, world, typed, message):
    client.force_login(world.alice)
    data = details_data(**typed)
    response = client.post(f"/clients/{world.amara.pk}/edit/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert field_value(html, "family_name") == "Okafor"
    world.amara.refresh_from_db()
    assert (world.amara.given_name, world.amara.family_name) == ("Amara", "Example")
    assert world.amara.date_of_birth is None
    assert not audit_writes("client.update", "fields=")


def test_a_supervisor_cannot_change_client_details(client, world):
    client.force_login(world.sue)
    assert client.post(f"/clients/{world.amara.pk}/edit/", details_data()).status_code == 404
    world.amara.refresh_from_db()
    assert world.amara.family_name == "Example"


def test_consents_are_recorded_and_withdrawn_with_their_dates(client, world):
    client.force_login(world.alice)
    url = f"/clients/{world.amara.pk}/consents/"
    response = client.post(url, {"kind": "treatment", "given_on": "2026-10-01"})
    assert response["Location"] == f"/clients/{world.amara.pk}/edit/"
    client.post(url, {"kind": "recording", "given_on": "2026-10-05"})
    consent = Consent.objects.get(client=world.amara, kind="treatment")
    assert (consent.given_on, consent.withdrawn_on, consent.recorded_by) == (
        date(2026, 10, 1),
        None,
        world.alice,
    )
    record_page = page(client, f"/clients/{world.amara.pk}/")
    assert "Consent to treatment · 1 Oct 2026" in record_page
    assert "Audio or video recording of sessions · 5 Oct 2026" in record_page
    assert "withdrawn" not in record_page

    response = client.post(
        f"/clients/{world.amara.pk}/consents/{consent.pk}/withdraw/", follow=True
    )
    assert "Consent marked as withdrawn today." in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_on == date(2026, 11, 11)
    record_page = page(client, f"/clients/{world.amara.pk}/")
    assert (
        "Consent to treatment · 1 Oct 2026 · <strong>withdrawn 11 Nov 2026</strong>" in record_page
    )
    assert record_page.count("withdrawn") == 1
    assert [row.detail for row in audit_writes("consent.add", "kind=")] == [
        "kind=treatment",
        "kind=recording",
    ]
    assert AuditEvent.objects.filter(
        action="consent.withdraw", object_id=str(consent.pk), detail="kind=treatment"
    ).exists()


def test_a_consent_given_in_the_future_is_refused(client, world):
    client.force_login(world.alice)
    response = client.post(
        f"/clients/{world.amara.pk}/consents/", {"kind": "portal", "given_on": "2026-12-01"}
    )
    assert response.status_code == 400
    assert "Enter a date between 2000 and today." in response.content.decode()
    assert not Consent.objects.exists()


def test_another_clients_consent_cannot_be_withdrawn_through_this_record(client, world):
    theirs = Consent.objects.create(client=world.bart, kind="treatment", given_on=date(2026, 1, 5))
    client.force_login(world.alice)
    url = f"/clients/{world.amara.pk}/consents/{theirs.pk}/withdraw/"
    assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.withdrawn_on is None


# Termination: relapse-prevention plan and summary ------------------------------------------------

PLAN = {
    "warning_signs": "Staying in bed past ten",
    "what_helped": "Telling my sister how I feel",
    "people": "My sister Ngozi; my friend Tomas",
    "what_to_do": "Call Ngozi and book a check-in",
}


def test_the_relapse_plan_is_shown_to_the_client_in_the_portal(client, world):
    person = make_person(world.clinic, Role.CLIENT)
    record = make_client(world.clinic, clinicians=[world.alice], user=person, given_name="Ines")
    course = make_course(record, world.alice, status="active")
    client.force_login(world.alice)
    response = client.post(f"/courses/{course.pk}/relapse-plan/", PLAN, follow=True)
    assert "Plan saved. The client can read it in their portal." in response.content.decode()
    plan = RelapsePlan.objects.get(course=course)
    assert {name: getattr(plan, name) for name in PLAN} == PLAN
    assert AuditEvent.objects.filter(action="relapse_plan.create", client_id=record.pk).exists()

    client.force_login(person)
    html = page(client, "/portal/plan/")
    for text in PLAN.values():
        assert text in html
    assert "It will appear here." not in html


def test_a_client_without_a_plan_sees_the_placeholder(client, world):
    person = make_person(world.clinic, Role.CLIENT)
    record = make_client(world.clinic, clinicians=[world.alice], user=person, given_name="Ines")
    make_course(record, world.alice, status="active")
    theirs = make_course(world.amara, world.alice, status="active")
    RelapsePlan.objects.create(course=theirs, updated_by=world.alice, **PLAN)
    client.force_login(person)
    html = page(client, "/portal/plan/")
    assert "you and your clinician will write a plan for staying well. It will appear here." in html
    assert PLAN["warning_signs"] not in html


def test_the_summary_shows_attendance_focus_goals_and_first_and_last_mood(client, world):
    course = make_course(
        world.amara, world.alice, status="completed", focus="dispute", goals="Speak up at work"
    )
    one = add_session(course, world.alice, at("2026-09-07"), attendance="attended")
    add_session(course, world.alice, at("2026-09-14"), attendance="no_show")
    two = add_session(course, world.alice, at("2026-09-21"), attendance="attended")
    add_session(course, world.alice, at("2026-09-28"), attendance="cancelled")
    three = add_session(course, world.alice, at("2026-10-05"), attendance="attended")
    add_note(one, 3)
    add_note(two, None)
    add_note(three, 7)
    client.force_login(world.alice)
    html = page(client, f"/courses/{course.pk}/summary/")
    assert "3 of 12 attended · 1 missed · 1 cancelled" in html
    assert "Role dispute" in html
    assert "Speak up at work" in html
    assert "3/10 at session 1 → 7/10 at session 3" in html
    assert "Not written yet" in html
    assert AuditEvent.objects.filter(action="course.summary", object_id=str(course.pk)).exists()
    client.force_login(world.sue)
    assert "3 of 12 attended" in page(client, f"/courses/{course.pk}/summary/")
