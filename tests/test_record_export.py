"""The client's copy of their record: every section, nothing private, nobody else's data,
queries independent of the data size, progress, and escaped HTML."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gentle.accounts.models import Role
from gentle.audit import context as audit_context
from gentle.audit.log import record as audit_record
from gentle.clients.models import Client, Consent
from gentle.communication.models import Exchange, StyleReflection, Worksheet
from gentle.courses.actions import process_note_save
from gentle.courses.models import (
    Course,
    NoteAddendum,
    ProgressNote,
    RelapsePlan,
    RemoteCheck,
    RolePlay,
    Session,
)
from gentle.formulation.models import Formulation, Goal, GoalRating
from gentle.grief.models import Activity, CheckIn, Loss, Transition, TransitionStep
from gentle.inventory.models import Person, Snapshot
from gentle.measures.models import Administration
from gentle.portal.models import Task
from gentle.portal.record import FORMAT_VERSION, build_record, opened_summary, render_html
from gentle.roleplay.models import Annotation, Rehearsal, Scenario, Turn
from gentle.safety.models import Alert, ContactAttempt, SafetyPlanVersion
from gentle.timeline.models import DiaryEntry, Episode, LifeEvent
from tests.factories import make_client, make_clinic, make_person

pytestmark = pytest.mark.django_db

SECTIONS = (
    "format",
    "generated_at",
    "client",
    "clinic",
    "consents",
    "care_team",
    "courses",
    "sessions",
    "remote_checks",
    "role_plays",
    "progress_notes",
    "relapse_plans",
    "safety_plans",
    "measures",
    "alerts",
    "inventory",
    "snapshots",
    "timeline",
    "diary",
    "formulations",
    "goals",
    "losses",
    "transitions",
    "style_reflections",
    "exchanges",
    "worksheets",
    "scenarios",
    "tasks",
    "access_summary",
)
# Sections found by a value "<tag>-<section>" written into one of their fields.
TAGGED = (
    "client",
    "care_team",
    "courses",
    "remote_checks",
    "role_plays",
    "progress_notes",
    "relapse_plans",
    "safety_plans",
    "measures",
    "alerts",
    "inventory",
    "snapshots",
    "timeline",
    "diary",
    "formulations",
    "goals",
    "losses",
    "transitions",
    "style_reflections",
    "exchanges",
    "worksheets",
    "scenarios",
    "tasks",
    "access_summary",
)
SCRIPT = "<script>x</script>"
AUDITOR_IP = "203.0.113.77"
START = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


@dataclass
class Made:
    """What ``populate`` wrote, for the assertions."""

    sessions: list[int] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)


def _course(client: Client, clinician, tag: str, i: int, made: Made) -> tuple[Course, Session]:
    """A course with an attended session (signed note, addendum, process note) and a second
    session whose note is still a draft."""
    course = Course.objects.create(
        client=client,
        format="individual",
        contracted_sessions=12,
        session_minutes=50,
        initial_last=3,
        termination_first=10,
        start_date=date(2025, 3, 1) + timedelta(days=i),
        goals=f"{tag}-courses",
        focus="dispute",
    )
    session, draft_session = (
        Session.objects.create(
            course=course,
            clinician=clinician,
            minutes=50,
            mode="video",
            attendance=attendance,
            starts_at=START + timedelta(days=7 * i, hours=hours),
        )
        for hours, attendance in ((0, "attended"), (1, "scheduled"))
    )
    made.sessions += [session.pk, draft_session.pk]
    note = ProgressNote.objects.create(
        session=session,
        author=clinician,
        updated_by=clinician,
        mood=6,
        text=f"{tag}-progress_notes",
        status="signed",
        signed_at=session.starts_at,
        signed_by=clinician,
    )
    NoteAddendum.objects.create(note=note, author=clinician, text=f"{tag}-addendum")
    RemoteCheck.objects.create(
        session=session,
        location=f"{tag}-remote_checks",
        privacy="private",
        emergency_contact="112",
        recorded_by=clinician,
    )
    RolePlay.objects.create(
        session=session,
        kind="role_reversal",
        other_person="Tomás",
        practised=f"{tag}-role_plays",
        recorded_by=clinician,
    )
    draft = f"{tag}-DRAFT-NOTE-{i}"
    ProgressNote.objects.create(
        session=draft_session, author=clinician, updated_by=clinician, text=draft
    )
    secret = f"{tag}-PROCESS-SECRET-{i}"
    process_note_save(by=clinician, session=session, text=secret)
    made.secrets += [draft, secret]
    RelapsePlan.objects.create(
        course=course, warning_signs=f"{tag}-relapse_plans", updated_by=clinician
    )
    SafetyPlanVersion.objects.create(
        client=client,
        number=i + 1,
        sections={"coping": f"{tag}-safety_plans"},
        saved_by=clinician,
        saved_as="clinician",
    )
    return course, session


def _formulation_and_goal(course: Course, session: Session, clinician, tag: str) -> None:
    Formulation.objects.create(
        course=course, primary_area="dispute", text=f"{tag}-formulations", updated_by=clinician
    )
    goal = Goal.objects.create(
        course=course,
        area="dispute",
        text=f"{tag}-goals",
        minus2="a",
        minus1="b",
        zero="c",
        plus1="d",
        plus2="e",
        created_by=clinician,
    )
    GoalRating.objects.create(goal=goal, session=session, rating=1, rated_by=clinician)


def _measure_and_alert(client: Client, course: Course, clinician, tag: str) -> None:
    administration = Administration.objects.create(
        client=client,
        course=course,
        instrument_id="phq9",
        instrument_version=1,
        mode="portal",
        status="submitted",
        submitted_at=START,
        answers={"q1": 2},
        scores={"total": 2},
        about=f"{tag}-measures",
        created_by=clinician,
    )
    Administration.objects.create(
        client=client,
        instrument_id="gad7",
        instrument_version=1,
        mode="portal",
        about=f"{tag}-UNSUBMITTED",
        created_by=clinician,
    )
    alert = Alert.objects.create(
        client=client,
        source="administration",
        source_id=str(administration.pk),
        rule_id="phq9_item9_some",
        severity="moderate",
        reason=f"{tag}-alerts",
    )
    ContactAttempt.objects.create(
        alert=alert,
        made_at=alert.raised_at,
        made_by=clinician,
        outcome="left_message",
        note=f"{tag}-attempt",
    )


def _people_and_timeline(client: Client, clinician, tag: str, i: int) -> Person:
    person = Person.objects.create(
        client=client,
        name=f"{tag}-inventory-{i}",
        name_key=f"{tag}-inventory-{i}".casefold(),
        relationship="friend",
        updated_by=clinician,
    )
    Snapshot.objects.create(
        client=client,
        label=f"{tag}-snapshots",
        taken_by=clinician,
        people=[{"name": person.name, "relationship": "friend", "ring": 2}],
    )
    event = LifeEvent.objects.create(
        client=client,
        precision="year",
        year=2020 + i,
        category="move",
        description=f"{tag}-timeline",
        created_by=clinician,
    )
    event.people.add(person)
    Episode.objects.create(
        client=client,
        precision="year",
        year=2021,
        description=f"{tag}-episode",
        created_by=clinician,
    )
    entry = DiaryEntry.objects.create(
        client=client,
        day=date(2025, 1, 1) + timedelta(days=i),
        mood=4,
        what_happened=f"{tag}-diary",
    )
    entry.people.add(person)
    return person


def _grief(client: Client, clinician, tag: str) -> None:
    loss = Loss.objects.create(
        client=client, who=f"{tag}-losses", died_on=date(2023, 1, 1), created_by=clinician
    )
    Activity.objects.create(
        loss=loss, day=date(2025, 1, 2), orientation="loss", what=f"{tag}-activity"
    )
    CheckIn.objects.create(loss=loss, day=date(2025, 1, 3), words=["numb"], note=f"{tag}-checkin")
    transition = Transition.objects.create(
        client=client, title=f"{tag}-transitions", updated_by=clinician
    )
    TransitionStep.objects.create(transition=transition, note=f"{tag}-step", phase="ending")


def _communication(client: Client, person: Person, clinician, tag: str) -> None:
    StyleReflection.objects.create(
        client=client,
        person=person,
        items=["a"],
        counts={"passive": 1},
        style="passive",
        note=f"{tag}-style_reflections",
        created_by=clinician,
    )
    Exchange.objects.create(client=client, i_said=f"{tag}-exchanges", updated_by=clinician)
    Worksheet.objects.create(
        client=client,
        kind="desc",
        title=f"{tag}-worksheets",
        answers={"describe": SCRIPT},
        updated_by=clinician,
    )


def _roleplay(client: Client, clinician, tag: str) -> None:
    scenario = Scenario.objects.create(
        client=client,
        title=f"{tag}-scenarios",
        goal="g",
        opening="o",
        manner="receptive",
        updated_by=clinician,
    )
    rehearsal = Rehearsal.objects.create(
        client=client, scenario=scenario, confidence_before=5, started_by=clinician
    )
    Turn.objects.create(rehearsal=rehearsal, number=1, speaker="client", text=f"{tag}-turn")
    Annotation.objects.create(
        rehearsal=rehearsal, turn_number=1, text=f"{tag}-annotation", author=clinician
    )


def _portal_and_audit(client: Client, clinician, tag: str, i: int) -> None:
    Consent.objects.create(client=client, kind="treatment", given_on=date(2025, 2, 1))
    Task.objects.create(client=client, kind="diary", title=f"{tag}-tasks", created_by=clinician)
    auditor = make_person(client.clinic, Role.CLINICIAN)
    auditor.display_name = f"{tag}-access_summary-{i}"  # shown by name, never by email
    auditor.save(update_fields=["display_name"])
    visit = SimpleNamespace(META={"REMOTE_ADDR": AUDITOR_IP}, id="r1")
    with audit_context.bound(audit_context.AuditContext(request=visit)):
        audit_record(
            "client.view",
            actor=auditor,
            actor_label=auditor.email,
            role="clinician",
            client=client,
            object_type="client",
            object_id=client.pk,
        )


def populate(client: Client, clinician, tag: str, n: int = 1) -> Made:
    """``n`` of every kind of record for ``client``, each carrying ``tag``."""
    made = Made()
    for i in range(n):
        course, session = _course(client, clinician, tag, i, made)
        _formulation_and_goal(course, session, clinician, tag)
        _measure_and_alert(client, course, clinician, tag)
        person = _people_and_timeline(client, clinician, tag, i)
        _grief(client, clinician, tag)
        _communication(client, person, clinician, tag)
        _roleplay(client, clinician, tag)
        _portal_and_audit(client, clinician, tag, i)
    return made


@pytest.fixture
def tagged():
    """A client with every kind of record, each tagged MINE, and a colleague's client beside
    them with records tagged THEIRS (a data set of its own, not the shared world)."""
    clinic = make_clinic("MINE-clinic")
    clinician = make_person(clinic, Role.CLINICIAN)
    clinician.display_name = "MINE-care_team"
    clinician.save()
    colleague = make_person(clinic, Role.CLINICIAN)
    colleague.display_name = "THEIRS-clinician"
    colleague.save()
    mine = make_client(clinic, clinicians=[clinician], given_name="MINE-client")
    theirs = make_client(clinic, clinicians=[colleague], given_name="THEIRS-client")
    made = populate(mine, clinician, "MINE")
    populate(theirs, colleague, "THEIRS")
    return SimpleNamespace(client=mine, made=made, other=theirs)


def test_every_section_holds_the_clients_records(tagged):
    record = build_record(tagged.client)
    assert list(record) == list(SECTIONS)
    assert record["format"] == {"name": "gentle-record", "version": FORMAT_VERSION}
    for section in TAGGED:
        assert f"MINE-{section}" in json.dumps(record[section]), section
    assert record["clinic"] == {"name": "MINE-clinic"}
    assert record["consents"] == [
        {"kind": "treatment", "given_on": "2025-02-01", "withdrawn_on": None}
    ]
    assert sorted(s["id"] for s in record["sessions"]) == sorted(tagged.made.sessions)
    assert record["sessions"][0]["number"] == 1
    assert record["sessions"][0]["phase"] == "initial"


def test_nested_records_are_included(tagged):
    record = build_record(tagged.client)
    (note,) = record["progress_notes"]
    assert [a["text"] for a in note["addenda"]] == ["MINE-addendum"]
    assert note["signed_by"] == "MINE-care_team"
    assert record["goals"][0]["ratings"][0]["rating"] == 1
    assert record["losses"][0]["activities"][0]["what"] == "MINE-activity"
    assert record["losses"][0]["check_ins"][0]["note"] == "MINE-checkin"
    assert record["transitions"][0]["steps"][0]["note"] == "MINE-step"
    (rehearsal,) = record["scenarios"][0]["rehearsals"]
    assert rehearsal["turns"][0]["text"] == "MINE-turn"
    assert rehearsal["annotations"][0]["text"] == "MINE-annotation"
    assert record["timeline"]["life_events"][0]["people"] == ["MINE-inventory-0"]
    assert record["timeline"]["episodes"][0]["description"] == "MINE-episode"
    assert record["diary"][0]["people"] == ["MINE-inventory-0"]
    assert record["measures"][0]["scores"] == {"total": 2}
    (attempt,) = record["alerts"][0]["contact_attempts"]
    assert (attempt["outcome"], attempt["note"]) == ("left_message", "MINE-attempt")
    assert attempt["made_by"] == "MINE-care_team"
    assert "MINE-UNSUBMITTED" not in json.dumps(record)


def test_care_team_has_names_not_emails(tagged):
    record = build_record(tagged.client)
    assert record["care_team"] == [
        {
            "name": "MINE-care_team",
            "role": "clinician",
            "added_at": record["care_team"][0]["added_at"],
        }
    ]
    emails = {m.user.email for m in tagged.client.care_team.select_related("user")}
    dumped = json.dumps(record["care_team"])
    assert not any(email in dumped for email in emails)


def test_no_process_note_no_draft_no_other_client(tagged):
    record = build_record(tagged.client)
    dumped, html = json.dumps(record), render_html(record)
    for secret in tagged.made.secrets:
        assert secret not in dumped
        assert secret not in html
    assert "THEIRS" not in dumped
    assert "THEIRS" not in html
    assert "process_note" not in dumped


def test_access_summary_groups_by_who_without_ip(tagged):
    summary = opened_summary(tagged.client)
    assert [(r["who"], r["role"], r["times"]) for r in summary] == [
        ("MINE-access_summary-0", "clinician", 1)
    ]
    assert summary[0]["first"] == summary[0]["last"]
    assert AUDITOR_IP not in json.dumps(build_record(tagged.client))
    assert "@" not in json.dumps(summary)  # names, never sign-in email addresses


def test_query_count_does_not_grow_with_the_data():
    clinic = make_clinic()
    clinician = make_person(clinic, Role.CLINICIAN)
    one = make_client(clinic, clinicians=[clinician])
    five = make_client(clinic, clinicians=[clinician])
    populate(one, clinician, "ONE", n=1)
    populate(five, clinician, "FIVE", n=5)
    counts = []
    for client in (one, five):
        with CaptureQueriesContext(connection) as captured:
            record = build_record(client)
        counts.append(len(captured.captured_queries))
        assert len(record["losses"]) in (1, 5)
    assert counts[0] == counts[1]
    assert len(build_record(five)["scenarios"]) == 5


def test_progress_rises_to_100(tagged):
    seen: list[int] = []
    build_record(tagged.client, progress=seen.append)
    assert seen == sorted(set(seen))
    assert seen[-1] == 100
    assert len(seen) > 10


def test_html_is_standalone_and_escapes_markup(tagged):
    html = render_html(build_record(tagged.client))
    assert html.startswith("<!doctype html>")
    assert '<html lang="en">' in html
    assert "<style" not in html
    # No script but Gentle's own file that opens a folded part from the contents (ADR 0063);
    # the client's markup is text.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/gentle/record-copy.js" defer>'
    ]
    assert SCRIPT not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "MINE-worksheets" in html and "MINE-addendum" in html
    assert "Left a message · MINE-care_team: MINE-attempt" in html
    assert "Individual IPT" in html  # codes show as their labels
    assert "Things I can do on my own" in html and "MINE-safety_plans" in html


def test_html_says_when_sections_are_empty():
    clinic = make_clinic()
    client = make_client(clinic)
    html = render_html(build_record(client))
    assert "No signed session notes." in html
    assert "No diary entries." in html
    assert "No safety plan has been written yet." in html


@pytest.mark.django_db
def test_who_opened_my_record_names_every_role_never_a_blank(world):
    """Walking the pages (issue 21): rows recorded without a role (by Gentle itself, or
    outside a request) showed a blank role on the portal page and in the record copy; roles
    were codes ("clinician") on the portal page."""
    from django.db import transaction

    from gentle.audit.names import Action
    from tests.factories import signed_in, visible_text

    record_ = world.amara
    world.alice.display_name = "Dr Alice"
    world.alice.save()
    with transaction.atomic():
        audit_record(Action.CLIENT_VIEW, actor=world.alice, role="clinician", client=record_)
        audit_record(Action.ALERT_ESCALATE, client=record_)  # the worker: nobody, no role
        audit_record(Action.ALERT_RAISE, actor=world.sue, role="", client=record_)
    world.sue.display_name = "Sue Supervisor"
    world.sue.save()

    page = visible_text(signed_in(world.portal).get("/portal/record/"))
    opened = page.split("Who opened my record", 1)[1]
    assert "Dr Alice Clinician" in opened
    assert "Gentle (automatic) Automatic" in opened
    assert "Sue Supervisor Not recorded" in opened
    copy = visible_text(render_html(build_record(record_)))
    assert "Dr Alice Clinician" in copy
    assert "Gentle (automatic) Automatic" in copy
    assert "Sue Supervisor Not recorded" in copy
    # The data copy keeps the codes, as docs/record-export.md says.
    rows = {r["who"]: r["role"] for r in build_record(record_)["access_summary"]}
    assert rows["Dr Alice"] == "clinician" and rows["Gentle (automatic)"] == ""
