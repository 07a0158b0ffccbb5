"""A practice task between sessions, in plain words (issue 22): the care team sets it (from the
tasks page or the session page), the client sees it in the portal and reports back how it went
through the one safety path, and the report shows on the next session's "Before this session"
panel. Through HTTP."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from gentle.audit.models import AuditEvent
from gentle.portal.models import Task
from gentle.portal.record import build_record
from gentle.safety.models import Alert, CrisisText
from tests.factories import count_queries, make_course, make_session, signed_in, visible_text
from tests.world import another_client

pytestmark = pytest.mark.django_db

WORDS = "Raise the budget with Tomás using what we rehearsed"
CRISIS_EN = "Hillside out-of-hours line: 0100 200 300."
CRISIS_HEADING = "You do not have to wait for your next session"
RISK = "It went badly and I wish I could go to sleep and not wake up"


@pytest.fixture
def world(world):
    CrisisText.objects.create(clinic=world.clinic, language="en", text=CRISIS_EN)
    course = make_course(world.amara)
    now = timezone.now()
    world.first = make_session(course, world.alice, starts_at=now - timedelta(days=7))
    world.second = make_session(course, world.alice, starts_at=now + timedelta(days=1))
    return world


def tasks_url(client) -> str:
    return f"/clients/{client.pk}/tasks/"


def practice(world, title=WORDS, **fields) -> Task:
    return Task.objects.create(
        client=world.amara, kind="practice", title=title, created_by=world.alice, **fields
    )


def due(days=3) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# Setting a practice task


def test_the_clinician_sets_a_practice_task_in_words_and_the_client_sees_it(world):
    http = signed_in(world.alice)
    response = http.post(
        tasks_url(world.amara), {"kind": "practice", "title": WORDS, "due_on": due()}
    )
    assert response.status_code == 302
    task = Task.objects.get(client=world.amara)
    assert (task.kind, task.title, task.title_key, task.session) == ("practice", WORDS, "", None)
    assert AuditEvent.objects.filter(action="task.practice_assign", object_id=str(task.pk)).exists()
    assert WORDS in visible_text(http.get(tasks_url(world.amara)))

    portal = signed_in(world.portal)
    for page in ("/portal/", "/portal/tasks/"):
        text = visible_text(portal.get(page))
        assert WORDS in text, page
    assert f'href="/portal/tasks/{task.pk}/"' in portal.get("/portal/tasks/").content.decode()


def test_a_practice_task_set_from_the_session_page_is_linked_to_it(world):
    http = signed_in(world.alice)
    page = http.get(f"/sessions/{world.first.pk}/").content.decode()
    assert "Set a practice task" in page and f'value="{world.first.pk}"' in page
    response = http.post(
        tasks_url(world.amara),
        {"kind": "practice", "title": WORDS, "due_on": due(), "session": world.first.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{world.first.pk}/"
    assert Task.objects.get().session == world.first
    shown = visible_text(http.get(f"/sessions/{world.first.pk}/"))
    assert "Set in this session" in shown and WORDS in shown


@pytest.mark.parametrize("actor", ["sue", "bob", "far_clinician", "portal", "far_portal"])
def test_others_cannot_set_a_practice_task(world, actor):
    response = signed_in(getattr(world, actor)).post(
        tasks_url(world.amara), {"kind": "practice", "title": WORDS, "due_on": due()}
    )
    assert response.status_code == 404
    assert not Task.objects.exists()


def test_a_clinician_of_another_clinic_cannot_set_one_for_their_own_client_in_ours(world):
    """The session id in the form is checked against the client: another client's session
    (here Amara's, posted for Farrokh by his own clinician) is refused, nothing set."""
    http = signed_in(world.far_clinician)
    response = http.post(
        tasks_url(world.far_client),
        {"kind": "practice", "title": WORDS, "due_on": due(), "session": world.first.pk},
    )
    assert response.status_code == 400
    assert "That session is not this client's." in visible_text(response)
    assert not Task.objects.exists()
    assert WORDS in response.content.decode()  # what was typed is kept


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "   "}, "Write the practice task in a few words"),
        ({"title": WORDS, "due_on": due(-1)}, "The due date has passed."),
        ({"title": "x" * 151}, "Ensure this value has at most 150 characters"),
    ],
)
def test_bad_practice_tasks_are_refused_clearly_and_the_words_kept(world, data, message):
    http = signed_in(world.alice)
    response = http.post(tasks_url(world.amara), {"kind": "practice", "due_on": due(), **data})
    assert response.status_code == 400
    assert message in visible_text(response)
    assert not Task.objects.exists()
    if data["title"].strip():
        assert data["title"] in response.content.decode()


# Reporting back


def test_the_client_reports_back_and_the_clinician_reads_it(world):
    task = practice(world, due_on=timezone.localdate())
    portal = signed_in(world.portal)
    page = visible_text(portal.get(f"/portal/tasks/{task.pk}/"))
    assert WORDS in page and "How did it go?" in page
    assert "Your clinician reads this before your next session" in page
    note = "We talked on Sunday. I said what I needed; we stopped before the savings."
    response = portal.post(f"/portal/tasks/{task.pk}/", {"outcome": "partly", "report": note})
    assert response.status_code == 302 and response["Location"] == "/portal/tasks/"
    task.refresh_from_db()
    assert (task.outcome, task.report) == ("partly", note)
    assert task.reported_at is not None and task.done_at is not None
    assert AuditEvent.objects.filter(action="task.report", object_id=str(task.pk)).exists()
    assert "I did some of it" in visible_text(portal.get("/portal/tasks/"))
    assert not Alert.objects.exists()

    clinician = visible_text(signed_in(world.alice).get(tasks_url(world.amara)))
    assert "I did some of it" in clinician and note in clinician


def test_not_yet_keeps_the_task_open_and_a_second_report_replaces_it(world):
    task = practice(world)
    portal = signed_in(world.portal)
    portal.post(f"/portal/tasks/{task.pk}/", {"outcome": "not_yet", "report": ""})
    task.refresh_from_db()
    assert task.outcome == "not_yet" and task.done_at is None
    page = visible_text(portal.get("/portal/tasks/"))
    assert "To do" in page and "Not yet" in page
    portal.post(f"/portal/tasks/{task.pk}/", {"outcome": "done", "report": "Did it Friday."})
    task.refresh_from_db()
    assert (task.outcome, task.report) == ("done", "Did it Friday.") and task.done_at


def test_mark_as_done_does_not_close_a_practice_task_without_a_report(world):
    """A practice task is done by reporting back; the tasks page's "Mark as done" (which closes
    every open task of a kind and work) leads to the report instead of closing them all."""
    task, other = practice(world), practice(world, title="Ask Ana for help with the children")
    response = signed_in(world.portal).post(f"/portal/tasks/{task.pk}/done/")
    assert response["Location"] == f"/portal/tasks/{task.pk}/"
    assert Task.objects.filter(pk__in=[task.pk, other.pk], done_at=None).count() == 2


def test_a_report_with_risk_words_raises_an_alert_and_answers_with_the_crisis_response(world):
    task = practice(world)
    response = signed_in(world.portal).post(
        f"/portal/tasks/{task.pk}/", {"outcome": "not_yet", "report": RISK}
    )
    assert response.status_code == 200
    text = visible_text(response)
    assert CRISIS_HEADING in text and CRISIS_EN in text
    assert 'id="crisis-response"' in response.content.decode()
    assert "Your clinician reads it when they next open Gentle and before your next session" in (
        text
    )
    alert = Alert.objects.get()
    assert alert.client == world.amara and alert.source == "practice_task"
    assert "not wake up" in alert.excerpt
    task.refresh_from_db()
    assert task.report == RISK  # saved, and shown again in the form
    assert RISK in response.content.decode()
    # The same words saved again raise nothing new.
    signed_in(world.portal).post(
        f"/portal/tasks/{task.pk}/", {"outcome": "not_yet", "report": RISK}
    )
    assert Alert.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"report": "It went fine"}, "This field is required."),
        ({"outcome": "maybe", "report": "It went fine"}, "Select a valid choice."),
        ({"outcome": "done", "report": "y" * 2001}, "at most 2000 characters"),
    ],
)
def test_bad_reports_are_refused_clearly_and_the_words_kept(world, data, message):
    task = practice(world)
    response = signed_in(world.portal).post(f"/portal/tasks/{task.pk}/", data)
    assert response.status_code == 400
    assert message in visible_text(response)
    assert data["report"] in response.content.decode()
    task.refresh_from_db()
    assert task.reported_at is None and task.report == ""


def test_no_one_else_can_open_or_report_on_the_task(world):
    task = practice(world)
    omar = another_client(world, "Omar", portal=True)
    for user in (omar.user, world.far_portal, world.alice):
        http = signed_in(user)
        assert http.get(f"/portal/tasks/{task.pk}/").status_code == 404
        data = {"outcome": "done", "report": "not mine"}
        assert http.post(f"/portal/tasks/{task.pk}/", data).status_code == 404
    task.refresh_from_db()
    assert task.reported_at is None


def test_a_task_of_another_kind_has_no_report_page(world):
    task = Task.objects.create(
        client=world.amara, kind="diary", title="Diary", created_by=world.alice
    )
    assert signed_in(world.portal).get(f"/portal/tasks/{task.pk}/").status_code == 404


# The next session's panel


def test_the_next_session_shows_the_task_and_the_report(world):
    note = "He listened this time."
    practice(
        world,
        session=world.first,
        outcome="done",
        report=note,
        reported_at=timezone.now(),
        done_at=timezone.now(),
    )
    practice(world, title="Call Ana on Thursday")  # set since the last session, not reported
    practice(world, title="An old task", created_at=timezone.now() - timedelta(days=30))
    http = signed_in(world.alice)
    page = visible_text(http.get(f"/sessions/{world.second.pk}/"))
    assert "Before this session" in page and "Tasks since the last session" in page
    assert WORDS in page and "I did it" in page and note in page
    assert "Call Ana on Thursday" in page and "not done yet" in page
    assert "An old task" not in page
    # The supervisor reads it, without the form to set one.
    sue = visible_text(signed_in(world.sue).get(f"/sessions/{world.second.pk}/"))
    assert note in sue and "Set a practice task" not in sue


def test_the_panel_shows_no_other_clients_tasks(world):
    omar = another_client(world, "Omar", portal=True)
    Task.objects.create(
        client=omar,
        kind="practice",
        title="Omar's practice",
        created_by=world.alice,
        outcome="done",
        report="Omar's report",
        reported_at=timezone.now(),
        done_at=timezone.now(),
    )
    page = visible_text(signed_in(world.alice).get(f"/sessions/{world.second.pk}/"))
    assert "Omar's practice" not in page and "Omar's report" not in page


def test_pages_make_a_fixed_number_of_queries_as_tasks_grow(world):
    portal, alice = signed_in(world.portal), signed_in(world.alice)
    session_page = f"/sessions/{world.second.pk}/"

    def counts():
        return (
            count_queries(portal, "/portal/tasks/"),
            count_queries(portal, "/portal/"),
            count_queries(alice, session_page),
            count_queries(alice, tasks_url(world.amara)),
        )

    def add(n):
        now = timezone.now()
        for i in range(n):
            practice(world, title=f"Practice {i}", session=world.first)
            practice(
                world,
                title=f"Reported {i}",
                outcome="partly",
                report="Some of it",
                reported_at=now,
                done_at=now,
            )

    add(1)
    first = counts()
    add(6)
    assert counts() == first


# The record


def test_the_record_copy_carries_the_report(world):
    now = timezone.now()
    practice(world, outcome="partly", report="Some of it", reported_at=now, done_at=now)
    (row,) = build_record(world.amara)["tasks"]
    assert (row["kind"], row["title"], row["outcome"], row["report"]) == (
        "practice",
        WORDS,
        "partly",
        "Some of it",
    )
    assert row["reported_at"]


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "diary", "title": "Diary", "outcome": "done", "reported_at": "now"},
        {"kind": "practice", "title": "", "title_key": "diary-evening"},
        {"kind": "practice", "title": WORDS, "done_at": "now"},
        {"kind": "practice", "title": WORDS, "outcome": "done"},
        {"kind": "practice", "title": WORDS, "report": "words", "reported_at": "now"},
        {"kind": "practice", "title": WORDS, "outcome": "maybe", "reported_at": "now"},
        {
            "kind": "practice",
            "title": WORDS,
            "outcome": "not_yet",
            "reported_at": "now",
            "done_at": "now",
        },
    ],
)
def test_the_database_refuses_a_task_that_breaks_the_rules(world, fields):
    values = {k: timezone.now() if v == "now" else v for k, v in fields.items()}
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(client=world.amara, created_by=world.alice, **values)
