"""A course session by session (issue 22): one row a session with its phase, attendance, agenda
items done, techniques, mood, PHQ-9 and GAD-7, GAS ratings and tools used; read by the care
team (a supervisor too), refused to anyone else, audited, and a fixed number of queries
whatever the course's size."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from gentle.audit.models import AuditEvent
from gentle.courses import protocol
from gentle.courses.models import Course, ProgressNote, Session, SessionTool
from gentle.formulation.models import Goal, GoalRating
from gentle.measures.models import Administration
from tests.factories import count_queries, make_course, make_session, signed_in, visible_text
from tests.world import sue_supervises_alice

pytestmark = pytest.mark.django_db

TECHNIQUES = {item.id: item.en for item in protocol.techniques()}
INITIAL = [item.id for item in protocol.agenda_for("individual").phases["initial"]]


def grid_url(course: Course) -> str:
    return f"/courses/{course.pk}/grid/"


def grid_rows(html: str) -> list[dict[str, str]]:
    """Each session's row of the grid: its header ("session") and each cell by its label."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    rows = []
    for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", body, re.S):
        cells = {"session": visible_text(re.search(r"<th\b[^>]*>(.*?)</th>", row, re.S)[1])}
        for label, cell in re.findall(r'<td data-label="([^"]*)">(.*?)</td>', row, re.S):
            cells[label] = visible_text(cell).replace(" ,", ",")  # a span is no word break
        rows.append(cells)
    return rows


def note(session: Session, *, mood: int, techniques: list[str]) -> ProgressNote:
    return ProgressNote.objects.create(
        session=session,
        author=session.clinician,
        updated_by=session.clinician,
        mood=mood,
        techniques=techniques,
    )


def answer(course: Course, instrument: str, total: int, *, at, session=None, corrects=None):
    return Administration.objects.create(
        client=course.client,
        course=course,
        session=session,
        instrument_id=instrument,
        instrument_version=1,
        mode="in_session" if session else "portal",
        status="submitted",
        created_by=course.client.care_team.first().user,
        submitted_at=at,
        scores={"total": total},
        corrects=corrects,
    )


@pytest.fixture
def course(world):
    """Amara's course: session 1 and 2 held three and one weeks ago, one cancelled between
    them, and session 3 to come."""
    course = make_course(world.amara)
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    first = make_session(
        course,
        world.alice,
        starts_at=noon - timedelta(days=21),
        attendance="attended",
        agenda_done=INITIAL[:2],
    )
    cancelled = make_session(
        course, world.alice, starts_at=noon - timedelta(days=14), attendance="cancelled"
    )
    second = make_session(
        course,
        world.alice,
        starts_at=noon - timedelta(days=7),
        attendance="attended",
        agenda_done=INITIAL,
    )
    make_session(course, world.alice, starts_at=noon + timedelta(days=7))
    note(first, mood=3, techniques=["exploration"])
    note(second, mood=6, techniques=["clarification", "communication_analysis"])
    # PHQ-9 in session 1, then corrected: the correction stands.
    wrong = answer(course, "phq9", 15, at=first.starts_at, session=first)
    later = first.starts_at + timedelta(hours=1)
    answer(course, "phq9", 14, at=later, session=first, corrects=wrong)
    # In the portal on the cancelled session's day: the latest held session before it, session 1.
    answer(course, "gad7", 9, at=cancelled.starts_at)
    # In the portal the day after session 2: session 2.
    answer(course, "phq9", 10, at=second.starts_at + timedelta(days=1))
    answer(course, "gad7", 7, at=second.starts_at + timedelta(days=1))
    goals = [
        Goal.objects.create(
            course=course,
            area="dispute",
            text=text,
            minus2="a",
            minus1="b",
            zero="c",
            plus1="d",
            plus2="e",
            created_by=world.alice,
        )
        for text in ("Say what I need", "Fewer silent evenings")
    ]
    GoalRating.objects.create(goal=goals[0], session=second, rating=-1, rated_by=world.alice)
    GoalRating.objects.create(goal=goals[1], session=second, rating=1, rated_by=world.alice)
    for kind, object_id in (("worksheet", 1), ("worksheet", 2), ("rehearsal", 3)):
        SessionTool.objects.create(
            session=second, kind=kind, object_id=object_id, created_by=world.alice
        )
    return course


def test_the_grid_shows_each_session_column_by_column(world, course):
    response = signed_in(world.alice).get(grid_url(course))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption" in html and html.count('scope="col"') == 11
    first, cancelled, second, coming = grid_rows(html)

    assert first["session"].startswith("Session 1")
    assert first["Phase"] == "Initial phase"
    assert first["Attendance"] == "Attended"
    assert first["Agenda done"] == f"2 of {len(INITIAL)}"
    assert first["Techniques"] == TECHNIQUES["exploration"]
    assert first["Mood"] == "3/10"
    assert first["PHQ-9"] == "14"  # the correction, not the corrected 15
    assert first["GAD-7"] == "9"  # sent on a cancelled session's day
    assert first["Goals (GAS)"] == "—"
    assert first["Tools used"] == "—"
    assert first["Fidelity"] == "— Rate"  # held, not rated yet (ADR 0057)

    assert cancelled["session"].startswith("Not counted")
    assert cancelled["Attendance"] == "Cancelled"
    assert cancelled["Agenda done"] == cancelled["Mood"] == cancelled["PHQ-9"] == "—"

    assert second["session"].startswith("Session 2")
    assert second["Agenda done"] == f"{len(INITIAL)} of {len(INITIAL)}"
    assert second["Techniques"] == (
        f"{TECHNIQUES['clarification']}, {TECHNIQUES['communication_analysis']}"
    )
    assert second["Mood"] == "6/10"
    assert second["PHQ-9"] == "10"  # sent the day after
    assert second["GAD-7"] == "7"
    assert second["Goals (GAS)"] == "goal 1: −1, goal 2: +1"
    assert second["Tools used"] == "Worksheet ×2, Role play"

    assert coming["session"].startswith("Session 3")
    assert coming["Attendance"] == "Scheduled"
    assert coming["Agenda done"] == "—"

    text = visible_text(html)
    assert "Goals Say what I need Fewer silent evenings" in text
    assert "counts for the session held on the day it was sent" in text


def test_the_grid_is_audited_and_linked_from_the_course_and_its_summary(world, course):
    alice = signed_in(world.alice)
    alice.get(grid_url(course))
    assert AuditEvent.objects.filter(
        action="course.grid", object_type="course", object_id=str(course.pk)
    ).exists()
    for page in (f"/courses/{course.pk}/", f"/courses/{course.pk}/summary/"):
        assert f'href="{grid_url(course)}"' in alice.get(page).content.decode()


def test_a_clinician_off_the_team_and_another_clinic_are_refused(world, course):
    for user in (world.bob, world.far_clinician, world.admin, world.portal):
        response = signed_in(user).get(grid_url(course))
        assert response.status_code == 404, user
        assert "Say what I need" not in response.content.decode()


def test_the_supervisor_on_the_team_reads_the_grid(world, course):
    response = signed_in(world.sue).get(grid_url(course))
    assert response.status_code == 200
    assert grid_rows(response.content.decode())[2]["Mood"] == "6/10"


def test_a_supervisor_of_the_clinician_reads_the_grid(world, course):
    sue_supervises_alice(world)
    response = signed_in(world.sue).get(grid_url(course))
    assert response.status_code == 200
    assert len(grid_rows(response.content.decode())) == 4


def held_sessions(course: Course, clinician, count: int) -> None:
    """``count`` held sessions, each with a note, a PHQ-9 in session, a GAD-7 from the portal,
    a rating of the course's one goal and a tool."""
    goal = Goal.objects.create(
        course=course,
        area="grief",
        text="Visit the grave",
        minus2="a",
        minus1="b",
        zero="c",
        plus1="d",
        plus2="e",
        created_by=clinician,
    )
    start = timezone.now() - timedelta(weeks=count + 1)
    for n in range(count):
        session = make_session(
            course, clinician, starts_at=start + timedelta(weeks=n), attendance="attended"
        )
        note(session, mood=n % 11, techniques=["exploration", "affect"])
        answer(course, "phq9", 20 - n, at=session.starts_at, session=session)
        answer(course, "gad7", 15 - n % 15, at=session.starts_at + timedelta(days=2))
        GoalRating.objects.create(goal=goal, session=session, rating=n % 5 - 2, rated_by=clinician)
        SessionTool.objects.create(
            session=session, kind="worksheet", object_id=n, created_by=clinician
        )


def test_the_grid_costs_the_same_queries_at_2_and_16_sessions(world):
    small = make_course(world.amara, contracted_sessions=16, termination_first=14)
    large = make_course(world.amara, contracted_sessions=16, termination_first=14)
    held_sessions(small, world.alice, 2)
    held_sessions(large, world.alice, 16)
    alice = signed_in(world.alice)
    assert count_queries(alice, grid_url(small)) == count_queries(alice, grid_url(large))
    response = alice.get(grid_url(large))
    rows = grid_rows(response.content.decode())
    assert len(rows) == 16 and rows[15]["PHQ-9"] == "5"
    assert len(response.content) < 100_000
    assert "button-primary" not in response.content.decode().split("<main", 1)[1]


def test_a_course_without_sessions_says_so(world):
    course = make_course(world.amara)
    html = signed_in(world.alice).get(grid_url(course)).content.decode()
    assert "No sessions in this course yet." in html
