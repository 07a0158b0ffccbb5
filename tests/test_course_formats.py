"""Each course format as a protocol of its own (issue 23, part 3): interpersonal counselling
(IPC) with its 30-minute script and closing triage, brief IPT sharing the individual agenda,
maintenance IPT with monthly sessions and the early-warning review, each with its measures
schedule; a change of format keeps the agendas of past sessions."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from gentle.audit.models import AuditEvent
from gentle.courses import protocol
from gentle.courses.models import Course, RelapsePlan, Session
from tests.factories import make_course, make_session

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 11, 9, 0, tzinfo=UTC)
NOT_YOUR_FAULT = "say plainly that it is not their fault"
HOPE = "Give hope: people get better"
FOCUSED_INVENTORY = "A focused inventory"
IPC_TRIAGE_ITEM = "finished, continue (for example full IPT), or refer elsewhere"
INVENTORY = "Take the interpersonal inventory of important people"
MEDICATION = "Consider whether medication is needed"
WORK_ON_FOCUS = "Work on the agreed focus"
EARLY_WARNING = "Early warning review"
TRIAGE_NEEDED = "Record the closing triage on the course page"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def agenda_boxes(html: str) -> list[str]:
    return re.findall(r'<input[^>]*name="done"[^>]*value="([^"]*)"', html) or re.findall(
        r'<input[^>]*value="([^"]*)"[^>]*name="done"', html
    )


def checked(html: str) -> set[str]:
    return {
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in re.findall(r"<input[^>]*>", html)
        if 'name="done"' in tag and " checked" in tag
    }


def ipc_course(world, **fields) -> Course:
    values = {
        "format": "ipc",
        "contracted_sessions": 6,
        "session_minutes": 30,
        "initial_last": 1,
        "termination_first": 6,
        "status": "active",
    }
    return make_course(world.amara, **(values | fields))


def weekly(course, world, count: int, *, days: int = 7, minutes: int = 30) -> list[Session]:
    first = NOW - timedelta(days=days * count)
    return [
        make_session(
            course, world.alice, starts_at=first + timedelta(days=days * i), minutes=minutes
        )
        for i in range(count)
    ]


def contract(course: Course, **overrides) -> dict:
    data = {
        "format": course.format,
        "kind": course.kind,
        "start_date": course.start_date.isoformat(),
        "contracted_sessions": str(course.contracted_sessions),
        "session_minutes": str(course.session_minutes),
        "initial_last": str(course.initial_last),
        "termination_first": str(course.termination_first),
        "status": course.status,
        "end_reason": "",
        "focus": course.focus,
        "goals": course.goals,
    }
    return {**data, **overrides}


# IPC: its own 30-minute script ----------------------------------------------------------------


def test_ipc_sessions_follow_the_counselling_script_not_the_50_minute_agenda(client, world):
    course = ipc_course(world)
    sessions = weekly(course, world, 6)
    client.force_login(world.alice)

    first = page(client, f"/sessions/{sessions[0].pk}/")
    assert NOT_YOUR_FAULT in first and HOPE in first and FOCUSED_INVENTORY in first
    assert INVENTORY not in first and MEDICATION not in first
    # Thirty minutes hold a few items, not the six tasks of IPT's first three 50-minute sessions.
    assert 3 <= len(agenda_boxes(first)) <= 30 // 6

    middle = page(client, f"/sessions/{sessions[2].pk}/")
    assert "Work on the focus: one concrete situation" in middle
    assert NOT_YOUR_FAULT not in middle and IPC_TRIAGE_ITEM not in middle

    last = page(client, f"/sessions/{sessions[5].pk}/")
    assert IPC_TRIAGE_ITEM in last
    assert "Name warning signs of relapse and what to do" in last


def test_every_format_fits_its_session_length_and_has_an_agenda_per_phase():
    for name in protocol.FORMATS:
        minutes = protocol.defaults_for(name).minutes
        agenda = protocol.agenda_for(name)
        for phase in protocol.PHASES:
            assert 1 <= len(agenda.phases[phase]) <= minutes // 6, (name, phase)


def test_an_ipc_session_is_offered_at_30_minutes_a_week_after_the_last(client, world):
    course = ipc_course(world)
    last = weekly(course, world, 1)[0]
    client.force_login(world.alice)
    html = page(client, f"/courses/{course.pk}/sessions/new/")
    assert 'name="minutes" value="30"' in html
    assert f'value="{(last.starts_at + timedelta(days=7)).date().isoformat()}"' in html


# IPC: the closing triage ----------------------------------------------------------------------


def test_clinician_records_the_triage_and_the_course_page_shows_it(client, world):
    course = ipc_course(world)
    client.force_login(world.alice)
    assert "Not decided yet." in page(client, f"/courses/{course.pk}/")
    response = client.post(
        f"/courses/{course.pk}/triage/",
        {"triage": "continue", "note": "Wants the full 12 sessions of IPT."},
        follow=True,
    )
    html = response.content.decode()
    assert "Triage saved." in html
    assert "Continue: more treatment (for example full IPT)" in html
    assert "Wants the full 12 sessions of IPT." in html
    assert "Start the next course (this one stays in the record)" in html
    course.refresh_from_db()
    assert (course.triage, course.triage_on) == ("continue", NOW.date())
    row = AuditEvent.objects.get(action="course.triage")
    assert (row.object_id, row.detail) == (str(course.pk), "triage=continue")


@pytest.mark.parametrize("who", ["sue", "bob"])
def test_a_supervisor_or_another_clinician_cannot_record_the_triage(client, world, who):
    course = ipc_course(world)
    client.force_login(getattr(world, who))
    response = client.post(f"/courses/{course.pk}/triage/", {"triage": "refer", "note": "x"})
    assert response.status_code == 404
    course.refresh_from_db()
    assert course.triage == "" and course.triage_note == ""
    assert not AuditEvent.objects.filter(action="course.triage").exists()


def test_a_bad_triage_is_refused_and_the_typed_note_is_kept(client, world):
    course = ipc_course(world)
    client.force_login(world.alice)
    response = client.post(
        f"/courses/{course.pk}/triage/", {"triage": "maybe", "note": "Refer to the GP team"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose where the course leads." in html
    assert "Refer to the GP team</textarea>" in html
    course.refresh_from_db()
    assert course.triage == "" and course.triage_on is None
    assert not AuditEvent.objects.filter(action="course.triage").exists()


def test_an_ipc_course_is_completed_only_once_its_triage_is_recorded(client, world):
    course = ipc_course(world)
    client.force_login(world.alice)
    response = client.post(f"/courses/{course.pk}/edit/", contract(course, status="completed"))
    assert response.status_code == 400
    assert TRIAGE_NEEDED in response.content.decode()
    course.refresh_from_db()
    assert course.status == "active"

    client.post(f"/courses/{course.pk}/triage/", {"triage": "finished", "note": ""})
    response = client.post(f"/courses/{course.pk}/edit/", contract(course, status="completed"))
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.status == "completed"


def test_other_formats_complete_without_a_triage(client, world):
    course = make_course(world.amara, status="active")
    client.force_login(world.alice)
    response = client.post(f"/courses/{course.pk}/edit/", contract(course, status="completed"))
    assert response.status_code == 302
    assert "Closing triage" not in page(client, f"/courses/{course.pk}/")


# Brief IPT ------------------------------------------------------------------------------------


def test_brief_ipt_shares_the_individual_items_in_its_shorter_phases(client, world):
    course = make_course(
        world.amara, format="brief", contracted_sessions=8, initial_last=2, termination_first=7
    )
    sessions = weekly(course, world, 8, minutes=50)
    client.force_login(world.alice)
    assert INVENTORY in page(client, f"/sessions/{sessions[1].pk}/")
    third = page(client, f"/sessions/{sessions[2].pk}/")
    assert WORK_ON_FOCUS in third and INVENTORY not in third
    # Said once in agendas/common.json, used by both: no copy to drift apart.
    raw = json.loads((protocol.DATA / "agendas" / "brief.json").read_text())
    assert all(set(entry) == {"use"} for items in raw["phases"].values() for entry in items)
    assert "only shorter phases" in raw["notes"]
    assert protocol.agenda_for("brief").phases == protocol.agenda_for("individual").phases


# Maintenance IPT ------------------------------------------------------------------------------


def test_a_maintenance_course_is_monthly_with_its_own_agenda(client, world):
    client.force_login(world.alice)
    response = client.post(
        f"/clients/{world.amara.pk}/courses/new/",
        {"format": "maintenance", "kind": "acute", "start_date": "2026-11-16"},
    )
    assert response.status_code == 302
    course = Course.objects.get(client=world.amara)
    assert (course.kind, course.contracted_sessions, course.session_minutes) == (
        "maintenance",
        12,
        50,
    )
    sessions = weekly(course, world, 3, days=28, minutes=50)
    RelapsePlan.objects.create(
        course=course, updated_by=world.alice, warning_signs="Waking at 4 and not getting up."
    )
    first = page(client, f"/sessions/{sessions[0].pk}/")
    assert "Review what the acute course achieved" in first and INVENTORY not in first
    monthly = page(client, f"/sessions/{sessions[1].pk}/")
    assert EARLY_WARNING in monthly and "Keeping the gains" in monthly
    assert WORK_ON_FOCUS not in monthly
    # The early-warning item works from the course's plan for staying well.
    assert "Waking at 4 and not getting up." in monthly
    assert f'href="/courses/{course.pk}/relapse-plan/"' in monthly
    new = page(client, f"/courses/{course.pk}/sessions/new/")
    next_day = (sessions[-1].starts_at + timedelta(days=28)).date().isoformat()
    assert f'value="{next_day}"' in new


def test_an_acute_course_shows_no_early_warning_panel(client, world):
    course = make_course(world.amara, status="active")
    session = weekly(course, world, 5, minutes=50)[4]
    client.force_login(world.alice)
    assert "panel-early-warning" not in page(client, f"/sessions/{session.pk}/")


def test_maintenance_kind_needs_the_maintenance_format(client, world):
    client.force_login(world.alice)
    response = client.post(
        f"/clients/{world.amara.pk}/courses/new/",
        {"format": "individual", "kind": "maintenance", "start_date": "2026-11-16"},
    )
    assert response.status_code == 400
    assert "A maintenance course uses the Maintenance IPT format" in response.content.decode()
    assert not Course.objects.exists()


def selected_rule(html: str, instrument: str) -> str:
    select = re.search(rf'<select name="rule_{instrument}".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="([^"]*)" selected', select).group(1)


@pytest.mark.parametrize(
    ("course_format", "gad7"), [("individual", "every_n"), ("ipc", "first_last")]
)
def test_each_format_has_its_measures_schedule(client, world, course_format, gad7):
    course = make_course(world.amara, format=course_format)
    client.force_login(world.alice)
    html = page(client, f"/courses/{course.pk}/measure-schedule/")
    assert selected_rule(html, "phq9") == "every_session"
    assert selected_rule(html, "gad7") == gad7


def test_maintenance_measures_come_every_month_and_the_gad7_quarterly(client, world):
    course = make_course(world.amara, format="maintenance", kind="maintenance", initial_last=1)
    client.force_login(world.alice)
    html = page(client, f"/courses/{course.pk}/measure-schedule/")
    assert selected_rule(html, "gad7") == "every_n"
    assert re.search(r'name="n_gad7"[^>]*value="3"', html)


# A change of format keeps history --------------------------------------------------------------


def test_changing_the_format_keeps_the_agendas_of_past_sessions(client, world):
    course = ipc_course(world)
    first, second = weekly(course, world, 2)
    client.force_login(world.alice)
    client.post(f"/sessions/{first.pk}/agenda/", {"done": ["ipc_medical_model", "ipc_hope"]})
    response = client.post(
        f"/courses/{course.pk}/edit/",
        contract(course, format="individual", contracted_sessions="12", termination_first="10"),
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.agenda_format, first.agenda_version) == ("ipc", 2)
    html = page(client, f"/sessions/{first.pk}/")
    assert NOT_YOUR_FAULT in html and checked(html) == {"ipc_medical_model", "ipc_hope"}
    # A session not yet ticked follows the course's new format.
    assert WORK_ON_FOCUS in page(client, f"/sessions/{second.pk}/")


def test_items_ticked_under_an_earlier_agenda_version_still_show(client, world):
    course = ipc_course(world)
    session = weekly(course, world, 1)[0]
    Session.objects.filter(pk=session.pk).update(
        agenda_format="ipc", agenda_version=1, agenda_done=["symptoms", "inventory"]
    )
    client.force_login(world.alice)
    html = page(client, f"/sessions/{session.pk}/")
    # They are listed as done under the agenda of today's version (and kept when it is saved).
    earlier = html[html.index("Ticked on an earlier agenda") :]
    earlier = earlier[: earlier.index("</ul>")]
    assert INVENTORY in earlier and NOT_YOUR_FAULT in html
    assert checked(html) == set()


# The data files are checked at start-up -------------------------------------------------------


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    shutil.copytree(protocol.DATA, tmp_path / "data")
    monkeypatch.setattr(protocol, "DATA", tmp_path / "data")
    protocol.load.cache_clear()
    yield tmp_path / "data"
    protocol.load.cache_clear()


def edit(path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_an_agenda_too_long_for_its_session_stops_start_up(data_copy):
    edit(
        data_copy / "agendas" / "ipc.json",
        lambda d: d["phases"]["initial"].extend({"use": i} for i in ("inventory", "medication")),
    )
    with pytest.raises(protocol.ProtocolError, match="6 items do not fit 30 minutes"):
        protocol.load()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["phases"]["middle"].append({"use": "nowhere"}), "is not a shared item"),
        (
            lambda d: d["phases"]["middle"][0].update(link="somewhere"),
            "links to an unknown page",
        ),
        (lambda d: d.update(format="individual"), "its format is not 'maintenance'"),
    ],
)
def test_a_broken_maintenance_agenda_stops_start_up(data_copy, change, message):
    edit(data_copy / "agendas" / "maintenance.json", change)
    with pytest.raises(protocol.ProtocolError, match=message):
        protocol.load()


def test_a_format_without_spacing_stops_start_up(data_copy):
    edit(data_copy / "formats.json", lambda d: d["formats"]["maintenance"].update(spacing_days=0))
    with pytest.raises(protocol.ProtocolError, match="spacing_days must be 1 to 62"):
        protocol.load()


# The demo tells a consistent story ------------------------------------------------------------


def test_the_demo_ipc_course_ends_with_its_last_session_and_its_triage():
    from gentle.courses.selectors import course_sessions
    from gentle.demo import seed_demo

    seed_demo(seed=7)
    for course in Course.objects.filter(format="ipc"):
        held = [s for s in course_sessions(course) if s.attendance == "attended"]
        if course.status == "completed":
            assert len(held) == course.contracted_sessions
            assert held[-1].phase == "termination"
            assert course.triage and course.triage_on == course.ended_on
        else:
            assert course.status == "active" and held[-1].phase != "termination"
    assert Course.objects.filter(format="ipc", status="completed").exists()
    maintenance = Course.objects.get(format="maintenance")
    assert maintenance.kind == "maintenance"
    starts = [s.starts_at for s in maintenance.sessions.all()]
    assert {(b - a).days for a, b in zip(starts, starts[1:], strict=False)} == {28}
    assert RelapsePlan.objects.filter(course=maintenance).exclude(warning_signs="").exists()


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ({"perinatal_typo": []}, "unknown formats"),
        ({"ipc": [{"instrument": "phq9", "rule": "weekly"}]}, "ipc: phq9 weekly"),
        ({"ipc": [{"instrument": "gad7", "rule": "every_n"}]}, "every_n needs n 2-12"),
    ],
)
def test_a_broken_measures_schedule_stops_start_up(tmp_path, monkeypatch, schedule, message):
    from gentle.measures import selectors
    from gentle.measures.instruments import InstrumentError

    data = json.loads(selectors.SCHEDULE.read_text())
    data["formats"] = schedule
    broken = tmp_path / "schedule.json"
    broken.write_text(json.dumps(data))
    monkeypatch.setattr(selectors, "SCHEDULE", broken)
    selectors.default_schedule.cache_clear()
    try:
        with pytest.raises(InstrumentError, match=message):
            selectors.check_schedules()
    finally:
        selectors.default_schedule.cache_clear()
