"""The clinician's calendar as a time grid (issue 22): sessions at their time and length, free
hours to book from, moving and cancelling a session, sessions past their end with no attendance
flagged, and the client's emailed reminder (opt-in, once, with an .ics, nothing clinical)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError

from gentle.audit.models import AuditEvent
from gentle.clients.models import BreakGlassGrant, Client, Consent, ConsentKind
from gentle.courses.actions import session_reminders_queue
from gentle.courses.models import Attendance, Course, Session, SessionReminder
from gentle.notify.models import OutboundMail, Purpose
from tests.factories import (
    count_queries,
    deliver_mail,
    make_client,
    make_course,
    make_session,
    signed_in,
    visible_text,
)

pytestmark = pytest.mark.django_db

# A Wednesday afternoon; the week runs from Monday 9 to Sunday 15 November 2026.
NOW = datetime(2026, 11, 11, 15, 0, tzinfo=UTC)
FLAG = "Attendance not recorded"
OVERLAP_ON_MOVE = "At that time you already have another session"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def at(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=UTC)


@pytest.fixture
def course(world) -> Course:
    return make_course(world.amara, status="active", start_date=date(2026, 11, 2))


def book(course: Course, world, starts_at: datetime, **fields) -> Session:
    return make_session(
        course, world.alice, **({"starts_at": starts_at, "mode": "in_person"} | fields)
    )


def html_of(browser, url: str) -> str:
    response = browser.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# The grid ---------------------------------------------------------------------------------------


def test_sessions_sit_at_their_time_and_length(world, course):
    session = book(course, world, at("2026-11-12", "10:00"))
    html = html_of(signed_in(world.alice), "/calendar/")
    # 07:00 is row 1; a row is a quarter of an hour: 10:00 is row 13, 50 minutes span 4 rows.
    assert re.search(
        rf'<li class="event r-13 s-4 phase-initial"><a href="/sessions/{session.pk}/">'
        r'<time datetime="[^"]+">10:00</time> Amara Example</a>',
        html,
    )
    day = html[html.index('aria-labelledby="day-2026-11-12"') :]
    day = day[: day.index("</section>")]
    # Free hours around it can be booked; the hour it fills cannot.
    assert "/calendar/book/?date=2026-11-12&amp;time=09:00" in day
    assert "/calendar/book/?date=2026-11-12&amp;time=11:00" in day
    assert "time=10:00" not in day
    # The list reads in time order: 09:00, then the session, then 11:00.
    assert day.index("time=09:00") < day.index("Amara Example") < day.index("time=11:00")
    assert "Week of 9 Nov – 15 Nov 2026" in html


def test_the_grid_widens_for_a_session_outside_its_hours(world, course):
    book(course, world, at("2026-11-13", "06:30"))
    book(course, world, at("2026-11-13", "21:15"))
    html = html_of(signed_in(world.alice), "/calendar/")
    axis = html[html.index('<ol class="cal-axis"') : html.index("</ol>")]
    # It ends at 22:05: the grid runs to 23:00.
    assert ">06:00</li>" in axis and ">22:00</li>" in axis and ">23:00</li>" not in axis
    # 06:00 is now row 1: 06:30 is row 3.
    assert 'class="event r-3 s-4' in html


def test_other_clinicians_sessions_are_not_shown(world, course):
    bart = make_client(world.clinic, clinicians=[world.bob], given_name="Bartholomew")
    make_session(make_course(bart, status="active"), world.bob, starts_at=at("2026-11-12", "12:00"))
    book(course, world, at("2026-11-12", "10:00"))
    html = html_of(signed_in(world.alice), "/calendar/")
    assert "Amara Example" in html
    assert "Bartholomew" not in html
    assert "Amara" not in html_of(signed_in(world.bob), "/calendar/")


def test_the_day_view_shows_one_day_with_its_own_links(world, course):
    book(course, world, at("2026-11-12", "10:00"))
    book(course, world, at("2026-11-13", "10:00"))
    html = html_of(signed_in(world.alice), "/calendar/?day=2026-11-12")
    assert "<h1>Thursday, 12 November 2026</h1>" in html
    assert html.count('class="event ') == 1
    assert "?day=2026-11-11" in html and "?day=2026-11-13" in html  # previous and next day
    assert "?week=2026-W46" in html  # back to the whole week
    assert 'class="cal cal-one-day"' in html


@pytest.mark.parametrize("value", ["nonsense", "2026-13-01", "1999-01-01", ""])
def test_a_bad_day_shows_the_week(world, value):
    html = html_of(signed_in(world.alice), f"/calendar/?day={value}")
    assert "Week of 9 Nov – 15 Nov 2026" in html


def test_the_calendar_reads_the_same_number_of_queries_however_many_sessions(world, course):
    book(course, world, at("2026-11-09", "09:00"))
    browser = signed_in(world.alice)
    few = count_queries(browser, "/calendar/")
    for client_name in ("Odile", "Pia", "Quentin"):
        other = make_client(world.clinic, clinicians=[world.alice], given_name=client_name)
        other_course = make_course(other, status="active")
        for day in range(9, 16):
            make_session(other_course, world.alice, starts_at=at(f"2026-11-{day:02d}", "14:00"))
    assert count_queries(browser, "/calendar/") == few


def test_a_full_week_stays_under_100_kb(world):
    for n in range(12):
        record = make_client(world.clinic, clinicians=[world.alice], given_name=f"Client{n}")
        full = make_course(record, status="active")
        for day in range(9, 16):
            make_session(full, world.alice, starts_at=at(f"2026-11-{day:02d}", f"{7 + n:02d}:00"))
    response = signed_in(world.alice).get("/calendar/")
    assert response.status_code == 200
    assert len(response.content) < 100_000


# The flag -----------------------------------------------------------------------------------------


def test_a_session_past_its_end_without_attendance_is_flagged(world, course):
    past = book(course, world, at("2026-11-11", "09:00"))
    later = book(course, world, at("2026-11-11", "17:00"))
    html = html_of(signed_in(world.alice), "/calendar/")
    assert html.count(FLAG) == 1
    link = f'<a href="/sessions/{past.pk}/#attendance-title">'
    assert link in html and f'<span class="flag">{FLAG}</span></a>' in html
    assert "1 session has ended without its attendance recorded." in html
    item = html[html.index(f'href="/sessions/{later.pk}/"') :]
    assert FLAG not in item[: item.index("</li>")]


def test_the_flag_goes_once_attendance_is_recorded(world, course):
    past = book(course, world, at("2026-11-11", "09:00"))
    browser = signed_in(world.alice)
    browser.post(f"/sessions/{past.pk}/attendance/", {"attendance": "attended"})
    html = html_of(browser, "/calendar/")
    assert FLAG not in html
    assert "In person · Attended" in html


# Booking from a free hour ---------------------------------------------------------------------


def test_a_free_hour_opens_the_session_form_filled_in(world, course):
    bart = make_client(world.clinic, clinicians=[world.bob], given_name="Bartholomew")
    make_course(bart, status="active")
    make_course(
        make_client(world.clinic, clinicians=[world.alice], given_name="Ended"), status="completed"
    )
    html = html_of(signed_in(world.alice), "/calendar/book/?date=2026-11-12&time=09:00")
    assert 'value="2026-11-12"' in html and 'value="09:00"' in html
    assert f'<option value="{course.pk}">Amara Example · Individual IPT</option>' in html
    assert "Bartholomew" not in html  # not Alice's client
    assert "Ended" not in html  # no open course
    assert AuditEvent.objects.filter(action="calendar.book_form", detail="count=1").exists()


def test_the_booking_form_finds_the_clinicians_clients_from_their_care_team_rows(world, course):
    """Issue 20: the form's courses were those of every client of the clinic tested for each
    way of access (11 ms with 10,000 clients); they are found from the clinician's care-team
    rows. A client reached by emergency access alone is not offered."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    glass = make_client(world.clinic, clinicians=[world.bob], given_name="Glassworth")
    make_course(glass, status="active")
    BreakGlassGrant.objects.create(
        client=glass, user=world.alice, reason="Probe", expires_at=NOW + timedelta(hours=1)
    )
    with CaptureQueriesContext(connection) as captured:
        html = html_of(signed_in(world.alice), "/calendar/book/")
    assert f'<option value="{course.pk}">Amara Example · Individual IPT</option>' in html
    assert "Glassworth" not in html
    [sql] = [q["sql"] for q in captured.captured_queries if 'FROM "courses_course"' in q["sql"]]
    assert '"clients_careteammember"' in sql
    assert "EXISTS" not in sql and "clients_breakglassgrant" not in sql, sql


@pytest.mark.parametrize("query", ["date=nonsense&time=25:99", "date=&time=", ""])
def test_a_free_hour_link_with_bad_values_opens_an_empty_form(world, course, query):
    html = html_of(signed_in(world.alice), f"/calendar/book/?{query}")
    assert 'name="date"' in html and "Book a session" in html


def test_booking_from_the_calendar_schedules_the_session(world, course):
    browser = signed_in(world.alice)
    response = browser.post(
        "/calendar/book/",
        {
            "course": course.pk,
            "date": "2026-11-12",
            "time": "09:00",
            "minutes": 50,
            "mode": "video",
        },
    )
    session = Session.objects.get(course=course)
    assert response.status_code == 302 and response["Location"] == f"/sessions/{session.pk}/"
    assert session.starts_at == at("2026-11-12", "09:00") and session.clinician == world.alice
    assert AuditEvent.objects.filter(action="session.create", object_id=str(session.pk)).exists()


def test_booking_for_a_course_that_is_not_ones_own_is_refused(world, course):
    bart = make_client(world.clinic, clinicians=[world.bob], given_name="Bartholomew")
    barts = make_course(bart, status="active")
    response = signed_in(world.alice).post(
        "/calendar/book/",
        {"course": barts.pk, "date": "2026-11-12", "time": "09:00", "minutes": 50, "mode": "video"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Session.objects.exists()


def test_booking_with_bad_input_keeps_what_was_typed(world, course):
    response = signed_in(world.alice).post(
        "/calendar/book/",
        {"course": course.pk, "date": "2026-11-12", "time": "", "minutes": 50, "mode": "video"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in html
    assert 'value="2026-11-12"' in html
    assert f'<option value="{course.pk}" selected>' in html
    assert not Session.objects.exists()


def test_booking_beyond_the_contract_is_refused(world):
    short = make_course(
        world.amara, status="active", contracted_sessions=2, initial_last=1, termination_first=2
    )
    make_session(short, world.alice, starts_at=at("2026-11-02", "10:00"))
    make_session(short, world.alice, starts_at=at("2026-11-09", "10:00"))
    response = signed_in(world.alice).post(
        "/calendar/book/",
        {"course": short.pk, "date": "2026-11-16", "time": "10:00", "minutes": 50, "mode": "video"},
    )
    assert response.status_code == 400
    assert "The contract of this course is for 2 sessions" in response.content.decode()
    assert short.sessions.count() == 2


def test_booking_over_another_session_asks_first(world, course):
    book(course, world, at("2026-11-12", "09:30"))
    browser = signed_in(world.alice)
    data = {
        "course": course.pk,
        "date": "2026-11-12",
        "time": "09:00",
        "minutes": 50,
        "mode": "video",
    }
    response = browser.post("/calendar/book/", data)
    assert response.status_code == 400
    assert "This overlaps another of your sessions" in response.content.decode()
    assert course.sessions.count() == 1
    response = browser.post("/calendar/book/", data | {"confirm_overlap": "on"})
    assert response.status_code == 302 and course.sessions.count() == 2


def test_a_supervisor_can_book_nothing(world, course):
    response = signed_in(world.sue).post(
        "/calendar/book/",
        {
            "course": course.pk,
            "date": "2026-11-12",
            "time": "09:00",
            "minutes": 50,
            "mode": "video",
        },
    )
    assert response.status_code == 400
    assert not Session.objects.exists()


# Moving -----------------------------------------------------------------------------------------


def move(browser, session: Session, **data):
    values = {"date": "2026-11-13", "time": "11:00", "minutes": 50} | data
    return browser.post(f"/sessions/{session.pk}/move/", values)


def test_a_session_can_be_moved(world, course):
    session = book(course, world, at("2026-11-12", "10:00"))
    browser = signed_in(world.alice)
    html = html_of(browser, f"/sessions/{session.pk}/move/")
    assert 'value="2026-11-12"' in html and 'value="10:00"' in html
    response = move(browser, session)
    assert response.status_code == 302 and response["Location"] == "/calendar/?week=2026-W46"
    session.refresh_from_db()
    assert session.starts_at == at("2026-11-13", "11:00")
    assert AuditEvent.objects.filter(action="session.move", object_id=str(session.pk)).exists()
    assert "Session moved." in html_of(browser, "/calendar/")


def test_someone_off_the_care_team_cannot_move_or_cancel(world, course):
    session = book(course, world, at("2026-11-12", "10:00"))
    for person in (world.bob, world.sue, world.far_clinician):
        browser = signed_in(person)
        assert browser.get(f"/sessions/{session.pk}/move/").status_code == 404
        assert move(browser, session).status_code == 404
        response = browser.post(
            f"/sessions/{session.pk}/cancel/", {"reason": "client", "confirm": "on"}
        )
        assert response.status_code == 404
    session.refresh_from_db()
    assert session.starts_at == at("2026-11-12", "10:00")
    assert session.attendance == Attendance.SCHEDULED


def test_moving_onto_another_session_says_so_and_moves_nothing(world, course):
    session = book(course, world, at("2026-11-12", "10:00"))
    odile = make_client(world.clinic, clinicians=[world.alice], given_name="Odile")
    make_session(
        make_course(odile, status="active"), world.alice, starts_at=at("2026-11-13", "11:30")
    )
    browser = signed_in(world.alice)
    response = move(browser, session)
    html = response.content.decode()
    assert response.status_code == 400
    assert OVERLAP_ON_MOVE in html and "Odile Example" in html
    assert 'value="2026-11-13"' in html and 'value="11:00"' in html  # what was typed stays
    session.refresh_from_db()
    assert session.starts_at == at("2026-11-12", "10:00")
    assert move(browser, session, confirm_overlap="on").status_code == 302
    session.refresh_from_db()
    assert session.starts_at == at("2026-11-13", "11:00")


def test_moving_a_session_onto_its_own_time_is_no_overlap(world, course):
    session = book(course, world, at("2026-11-12", "10:00"))
    response = move(signed_in(world.alice), session, date="2026-11-12", time="10:15")
    assert response.status_code == 302


def test_moving_before_the_course_starts_is_refused(world, course):
    session = book(course, world, at("2026-11-12", "10:00"))
    response = move(signed_in(world.alice), session, date="2026-10-30")
    assert response.status_code == 400
    assert "The course starts on 2 November 2026" in response.content.decode()
    session.refresh_from_db()
    assert session.starts_at == at("2026-11-12", "10:00")


def test_moving_a_session_of_an_ended_course_is_refused(world, course):
    session = book(course, world, at("2026-11-12", "10:00"))
    Course.objects.filter(pk=course.pk).update(status="completed")
    response = move(signed_in(world.alice), session)
    assert response.status_code == 400
    assert "This course has ended" in response.content.decode()
    session.refresh_from_db()
    assert session.starts_at == at("2026-11-12", "10:00")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"time": "25:00"}, "Enter a valid time."),
        ({"date": "13/13/2026"}, "Enter a valid date."),
        ({"minutes": "999"}, "Ensure this value is less than or equal to 240."),
        ({"date": "1900-01-01"}, "Choose a date between 2000 and 2100."),
    ],
)
def test_moving_with_bad_input_changes_nothing(world, course, data, message):
    session = book(course, world, at("2026-11-12", "10:00"))
    response = move(signed_in(world.alice), session, **data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    for value in data.values():
        assert f'value="{value}"' in html
    session.refresh_from_db()
    assert session.starts_at == at("2026-11-12", "10:00") and session.minutes == 50


def test_a_session_with_attendance_recorded_cannot_be_moved(world, course):
    session = book(course, world, at("2026-11-09", "10:00"), attendance="attended")
    response = move(signed_in(world.alice), session)
    assert response.status_code == 400
    assert "only a session that is still scheduled can be moved" in response.content.decode()
    session.refresh_from_db()
    assert session.starts_at == at("2026-11-09", "10:00")


# Cancelling -------------------------------------------------------------------------------------


def test_a_session_can_be_cancelled_with_a_reason(world, course):
    session = book(course, world, at("2026-11-12", "10:00"))
    browser = signed_in(world.alice)
    response = browser.post(
        f"/sessions/{session.pk}/cancel/", {"reason": "client", "confirm": "on"}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.attendance == Attendance.CANCELLED and session.cancel_reason == "client"
    assert AuditEvent.objects.filter(action="session.cancel", detail="reason=client").exists()
    assert "Amara Example" not in visible_text(html_of(browser, "/calendar/"))


def test_cancelling_asks_to_confirm(world, course):
    session = book(course, world, at("2026-11-12", "10:00"))
    response = signed_in(world.alice).post(
        f"/sessions/{session.pk}/cancel/", {"reason": "clinician"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Tick the box to confirm the cancellation." in html
    assert '<option value="clinician" selected>' in html
    session.refresh_from_db()
    assert session.attendance == Attendance.SCHEDULED


def test_a_session_that_has_ended_cannot_be_cancelled(world, course):
    session = book(course, world, at("2026-11-11", "09:00"))
    browser = signed_in(world.alice)
    assert "can no longer be cancelled" in html_of(browser, f"/sessions/{session.pk}/move/")
    response = browser.post(
        f"/sessions/{session.pk}/cancel/", {"reason": "client", "confirm": "on"}
    )
    assert response.status_code == 400
    assert "can no longer be cancelled" in response.content.decode()
    session.refresh_from_db()
    assert session.attendance == Attendance.SCHEDULED


def test_a_session_under_way_can_still_be_cancelled(world, course):
    session = book(course, world, at("2026-11-11", "14:30"))
    response = signed_in(world.alice).post(
        f"/sessions/{session.pk}/cancel/", {"reason": "other", "confirm": "on"}
    )
    assert response.status_code == 302


def test_recording_attendance_again_clears_the_cancel_reason(world, course):
    session = book(course, world, at("2026-11-12", "10:00"))
    browser = signed_in(world.alice)
    browser.post(f"/sessions/{session.pk}/cancel/", {"reason": "client", "confirm": "on"})
    browser.post(f"/sessions/{session.pk}/attendance/", {"attendance": "scheduled"})
    session.refresh_from_db()
    assert session.attendance == Attendance.SCHEDULED and session.cancel_reason == ""


# Reminders --------------------------------------------------------------------------------------

CLINICAL_WORDS = re.compile(r"therap|depress|IPT|psych|session|clinician|mood", re.IGNORECASE)


@pytest.fixture
def opted_in(world) -> Client:
    Client.objects.filter(pk=world.amara.pk).update(email="amara@example.test")
    Consent.objects.create(
        client=world.amara, kind=ConsentKind.MESSAGES, given_on=date(2026, 11, 1)
    )
    return world.amara


def test_a_reminder_is_queued_once_with_an_ics_and_nothing_clinical(world, course, opted_in):
    session = book(course, world, at("2026-11-12", "10:00"), mode="video")
    assert session_reminders_queue() == 1
    assert session_reminders_queue() == 0  # a second run (or worker) queues nothing more
    queued = OutboundMail.objects.get(purpose=Purpose.SESSION_REMINDER)
    assert queued.to == "amara@example.test"
    assert queued.subject == "[Hillside Practice] Appointment reminder: 12 November 2026, 10:00"
    assert "on 12 November 2026 at 10:00 (Video)" in queued.body
    assert not CLINICAL_WORDS.search(queued.subject + queued.body + queued.attachment)
    assert queued.attachment_name == "appointment.ics"
    assert "DTSTART:20261112T100000Z" in queued.attachment
    assert SessionReminder.objects.get(session=session).mail_id == queued.pk
    assert AuditEvent.objects.filter(action="session.remind", object_id=str(session.pk)).exists()
    deliver_mail()
    (sent,) = mail.outbox
    assert sent.attachments[0][0] == "appointment.ics"
    assert "BEGIN:VEVENT" in sent.attachments[0][1]
    assert sent.attachments[0][2].startswith("text/calendar")


def test_the_marker_allows_one_reminder_per_session_and_time(world, course):
    session = book(course, world, at("2026-11-12", "10:00"))
    SessionReminder.objects.create(session=session, starts_at=session.starts_at)
    with pytest.raises(IntegrityError):
        SessionReminder.objects.create(session=session, starts_at=session.starts_at)


def test_a_moved_session_is_reminded_of_its_new_time(world, course, opted_in):
    session = book(course, world, at("2026-11-12", "10:00"))
    assert session_reminders_queue() == 1
    assert move(signed_in(world.alice), session, date="2026-11-12", time="12:00").status_code == 302
    assert session_reminders_queue() == 1
    assert OutboundMail.objects.filter(subject__endswith="12:00").count() == 1


def test_a_reminder_waits_for_the_lead_time(world, course, opted_in, settings):
    book(course, world, at("2026-11-13", "10:00"))  # 43 hours ahead
    assert session_reminders_queue() == 0
    settings.GENTLE_REMINDER_HOURS = 48
    assert session_reminders_queue() == 1


def test_no_reminder_for_a_cancelled_session(world, course, opted_in):
    session = book(course, world, at("2026-11-12", "10:00"))
    signed_in(world.alice).post(
        f"/sessions/{session.pk}/cancel/", {"reason": "client", "confirm": "on"}
    )
    assert session_reminders_queue() == 0
    assert not OutboundMail.objects.exists()


def test_no_reminder_without_the_clients_agreement(world, course):
    Client.objects.filter(pk=world.amara.pk).update(email="amara@example.test")
    book(course, world, at("2026-11-12", "10:00"))
    assert session_reminders_queue() == 0


def test_no_reminder_once_the_agreement_is_withdrawn(world, course, opted_in):
    Consent.objects.filter(client=opted_in).update(withdrawn_on=date(2026, 11, 10))
    book(course, world, at("2026-11-12", "10:00"))
    assert session_reminders_queue() == 0


def test_no_reminder_without_an_email_address(world, course, opted_in):
    Client.objects.filter(pk=opted_in.pk).update(email="")
    book(course, world, at("2026-11-12", "10:00"))
    assert session_reminders_queue() == 0


def test_the_clinician_records_the_clients_agreement_and_reminders_follow(world, course):
    Client.objects.filter(pk=world.amara.pk).update(email="amara@example.test")
    book(course, world, at("2026-11-12", "10:00"))
    browser = signed_in(world.alice)
    response = browser.post(
        f"/clients/{world.amara.pk}/consents/", {"kind": "messages", "given_on": "2026-11-11"}
    )
    assert response.status_code == 302
    assert session_reminders_queue() == 1


def test_the_reminder_is_in_the_clients_language(world, course, opted_in):
    Client.objects.filter(pk=opted_in.pk).update(language="es")
    book(course, world, at("2026-11-12", "10:00"))
    session_reminders_queue()
    queued = OutboundMail.objects.get()
    assert "12 de noviembre de 2026" in queued.subject


def test_the_worker_schedule_has_the_reminder_job():
    from gentle.schedule import SCHEDULE

    job = next(j for j in SCHEDULE if j.name == "queue-session-reminders")
    assert job.every_seconds == 15 * 60


def test_a_long_lead_time_does_not_remind_of_past_sessions(world, course, opted_in):
    book(course, world, NOW - timedelta(hours=1))
    assert session_reminders_queue() == 0


def test_a_sent_reminder_loses_its_text_and_attachment_in_production(
    world, course, opted_in, settings
):
    settings.DEMO = False
    book(course, world, at("2026-11-12", "10:00"))
    session_reminders_queue()
    deliver_mail()
    sent = OutboundMail.objects.get()
    assert sent.is_sent and sent.body == "" and sent.attachment == ""
    assert sent.attachment_name == "appointment.ics"  # what was sent stays listed


# The demo ---------------------------------------------------------------------------------------


def test_the_demo_calendar_shows_a_flag_and_a_client_who_agreed_to_reminders(client, settings):
    from gentle.accounts.models import User
    from gentle.demo import seed_demo

    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    with time_machine.travel(datetime(2026, 11, 11, 13, 30, tzinfo=UTC), tick=False):
        seed_demo()
        client.force_login(User.objects.get(email="clinician@demo.gentle.test"))
        html = client.get("/calendar/").content.decode()
    assert FLAG in html
    assert Consent.objects.filter(kind=ConsentKind.MESSAGES).exclude(client__email="").exists()


@pytest.mark.django_db(transaction=True)  # the worker closes its connections, as test_worker
def test_the_worker_queues_the_reminders(world, course, opted_in):
    from django.core.management import call_command

    book(course, world, at("2026-11-12", "10:00"))
    call_command("worker", once=True)
    assert OutboundMail.objects.filter(purpose=Purpose.SESSION_REMINDER).count() == 1
    call_command("worker", once=True)  # the next run, and the next period's, queue no other
    assert OutboundMail.objects.filter(purpose=Purpose.SESSION_REMINDER).count() == 1


def test_moving_a_colleagues_session_does_not_name_the_colleagues_other_clients(world, course):
    """Alice may move a session Bob holds with Amara (both on her care team); the overlap with
    Bob's session with his own client is shown without that client's name."""
    from tests.factories import add_to_team

    add_to_team(world.amara, world.bob)
    session = make_session(course, world.bob, starts_at=at("2026-11-12", "10:00"))
    bart = make_client(world.clinic, clinicians=[world.bob], given_name="Bartholomew")
    make_session(make_course(bart, status="active"), world.bob, starts_at=at("2026-11-13", "11:00"))
    response = move(signed_in(world.alice), session)
    html = response.content.decode()
    assert response.status_code == 400
    assert OVERLAP_ON_MOVE in html and "another client" in html
    assert "Bartholomew" not in html


def test_no_reminder_for_a_session_left_in_a_course_that_ended(world, course, opted_in):
    book(course, world, at("2026-11-12", "10:00"))
    Course.objects.filter(pk=course.pk).update(status="ended_early", end_reason="Moved away")
    assert session_reminders_queue() == 0


def test_the_session_page_offers_move_or_cancel_to_the_clinician_until_attendance(world, course):
    session = book(course, world, at("2026-11-12", "10:00"))
    link = f'href="/sessions/{session.pk}/move/"'
    assert link in html_of(signed_in(world.alice), f"/sessions/{session.pk}/")
    # A supervisor reads the session but may not move it.
    assert link not in html_of(signed_in(world.sue), f"/sessions/{session.pk}/")
    session.attendance = Attendance.ATTENDED
    session.save()
    assert link not in html_of(signed_in(world.alice), f"/sessions/{session.pk}/")
