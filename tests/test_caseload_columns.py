"""What the caseload says of each client (issue 22): the course's focus, the progress notes still
to sign (drafts 48 hours after their session marked), open alerts' severity in words, and for a
supervisor the clinician on each client's care team. Each is read over the page's clients only,
so the page's query count stays the same whatever the caseload."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gentle.clients.models import Client
from gentle.courses.models import ProgressNote, Session
from gentle.safety.models import Alert
from tests.factories import (
    count_queries,
    make_client,
    make_course,
    make_session,
    signed_in,
    visible_text,
)

pytestmark = pytest.mark.django_db

CASELOAD = "/caseload/"


def row_of(html: str, client: Client) -> dict[str, str]:
    """The client's row of the caseload, each cell's text by its label."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", body, re.S):
        if f'href="/clients/{client.pk}/"' in row:
            return {
                label: visible_text(cell)
                for label, cell in re.findall(r'<td data-label="([^"]*)">(.*?)</td>', row, re.S)
            }
    raise AssertionError(f"client {client.pk} is not on the caseload")


def headers(html: str) -> list[str]:
    head = html[html.index("<thead>") : html.index("</thead>")]
    return [visible_text(h) for h in re.findall(r"<th scope=\"col\">(.*?)</th>", head, re.S)]


def draft(session: Session, *, signed: bool = False) -> ProgressNote:
    return ProgressNote.objects.create(
        session=session,
        author=session.clinician,
        updated_by=session.clinician,
        status="signed" if signed else "draft",
        signed_at=timezone.now() if signed else None,
        signed_by=session.clinician if signed else None,
    )


def alert(client: Client, severity: str, *, acknowledged_by=None) -> Alert:
    return Alert.objects.create(
        client=client,
        source="diary",
        source_id=str(Alert.objects.count() + 1),
        rule_id="free_text_self",
        severity=severity,
        reason="Risk words",
        acknowledged_at=timezone.now() if acknowledged_by else None,
        acknowledged_by=acknowledged_by,
        action="reviewed" if acknowledged_by else "",
    )


def test_the_caseload_shows_the_focus_or_that_none_is_agreed(world):
    make_course(world.amara, status="active", focus="dispute")
    other = make_client(world.clinic, clinicians=[world.alice], given_name="Oona")
    make_course(other, status="active")
    html = signed_in(world.alice).get(CASELOAD).content.decode()
    assert row_of(html, world.amara)["Focus"] == "Role dispute"
    assert row_of(html, other)["Focus"] == "Not agreed yet"


def test_the_caseload_counts_unsigned_notes_and_marks_those_older_than_48_hours(world):
    course = make_course(world.amara, status="active")
    now = timezone.now()
    old = make_session(course, world.alice, starts_at=now - timedelta(days=3))
    recent = make_session(course, world.alice, starts_at=now - timedelta(hours=20))
    signed = make_session(course, world.alice, starts_at=now - timedelta(days=10))
    draft(old), draft(recent), draft(signed, signed=True)
    other = make_client(world.clinic, clinicians=[world.alice], given_name="Oona")
    draft(make_session(make_course(other), world.alice, starts_at=now - timedelta(hours=2)))
    html = signed_in(world.alice).get(CASELOAD).content.decode()
    assert row_of(html, world.amara)["Notes to sign"] == "2 drafts 1 older than 48 h"
    assert row_of(html, other)["Notes to sign"] == "1 draft"
    ProgressNote.objects.filter(status="draft").delete()
    html = signed_in(world.alice).get(CASELOAD).content.decode()
    assert row_of(html, world.amara)["Notes to sign"] == "None"


def test_open_alerts_are_named_by_severity_in_words(world):
    one = make_client(world.clinic, clinicians=[world.alice], given_name="Oona")
    alert(one, "high")
    alert(one, "low", acknowledged_by=world.alice)  # acknowledged: no longer open
    for severity in ("moderate", "high", "high"):
        alert(world.amara, severity)
    html = signed_in(world.alice).get(CASELOAD).content.decode()
    assert row_of(html, one)["Alerts and measures"] == "High alert"
    assert row_of(html, world.amara)["Alerts and measures"] == "3 open: 2 high, moderate"


def test_only_a_supervisor_sees_the_clinician_column(world):
    world.alice.display_name = "Alice Adler"
    world.alice.save(update_fields=["display_name"])
    make_course(world.amara, status="active")
    clinician = signed_in(world.alice).get(CASELOAD).content.decode()
    assert "Clinician" not in headers(clinician)
    assert "Clinician" not in row_of(clinician, world.amara)
    supervisor = signed_in(world.sue).get(CASELOAD).content.decode()
    assert headers(supervisor)[:3] == ["Client", "Clinician", "Course"]
    assert row_of(supervisor, world.amara)["Clinician"] == "Alice Adler"


def busy_clients(world, count: int) -> None:
    """``count`` more clients of Alice's (Sue on their team too), each with a course, an old
    draft note, two open alerts."""
    for n in range(count):
        client = make_client(
            world.clinic, clinicians=[world.alice], supervisor=world.sue, given_name=f"B{n}"
        )
        course = make_course(client, status="active", focus="grief")
        session = make_session(course, world.alice, starts_at=timezone.now() - timedelta(days=4))
        draft(session)
        alert(client, "high"), alert(client, "moderate")


@pytest.mark.parametrize("who", ["alice", "sue"])
def test_the_caseloads_query_count_does_not_grow_with_its_clients(world, who):
    http = signed_in(getattr(world, who))
    busy_clients(world, 1)
    few = count_queries(http, CASELOAD)
    busy_clients(world, 12)
    assert count_queries(http, CASELOAD) == few
    assert http.get(CASELOAD).content.decode().count("1 older than 48 h") == 13


def test_the_drafts_are_read_from_the_page_clients_courses_by_index(world):
    """The drafts' query starts from the page's clients, not from every note of the clinic."""
    from tests.test_keyset_pages import plan

    busy_clients(world, 3)
    with CaptureQueriesContext(connection) as captured:
        signed_in(world.alice).get(CASELOAD)
    (sql,) = [
        q["sql"] for q in captured.captured_queries if 'FROM "courses_progressnote"' in q["sql"]
    ]
    query_plan = plan(sql)
    if connection.vendor == "sqlite":
        assert "SCAN courses_progressnote" not in query_plan, query_plan
        assert "SCAN courses_session" not in query_plan, query_plan
        assert "course_client_start" in query_plan or "client_id" in query_plan, query_plan
    else:
        assert "Seq Scan on courses_progressnote" not in query_plan, query_plan
