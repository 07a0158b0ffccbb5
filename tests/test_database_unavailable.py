"""When the database cannot be reached (stopped, a dropped connection, a full disk): a 503 page
that needs no query, in the visitor's language, with Retry-After and no traceback; nothing
half-written; and the same process serves again once the database is back. The drill
drills/database_unavailable.py does this with a real PostgreSQL stopped and started."""

import json
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.test import Client as Browser
from django.utils import timezone

from gentle.audit.models import AuditEvent
from gentle.courses import actions as course_actions
from gentle.courses.models import ProgressNote
from tests.factories import make_course, make_session, signed_in

pytestmark = pytest.mark.django_db

SECRET = "server closed the connection unexpectedly near Amara's note"
HEADING = "Gentle is briefly unavailable"


def database_down(*args, **kwargs):
    raise OperationalError(SECRET)


def assert_clear_503(response, language: str = "en") -> str:
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    heading, nothing_half_saved = {
        "en": (HEADING, "Nothing was half-saved"),
        "es": ("Gentle no está disponible por un momento", "No se guardó nada a medias"),
    }[language]
    assert heading in html
    assert nothing_half_saved in html
    assert f'<html lang="{language}">' in html
    for leak in (SECRET, "Traceback", "OperationalError", "Server Error (500)"):
        assert leak not in html
    return html


def test_a_page_gets_a_503_when_the_database_refuses_connections_and_recovers(world, monkeypatch):
    http = signed_in(world.alice, raise_request_exception=False)
    assert http.get("/").status_code == 200
    # Every query now fails to connect, as when PostgreSQL is stopped: the session lookup in
    # the middleware is the first to fail, before any view runs.
    monkeypatch.setattr(connection, "ensure_connection", database_down)
    assert_clear_503(http.get("/"))
    monkeypatch.undo()
    # The same process, the same browser: served again, still signed in.
    response = http.get("/")
    assert response.status_code == 200
    assert HEADING not in response.content.decode()


def test_a_session_that_cannot_be_saved_gets_the_503_not_a_400(world, monkeypatch):
    """Found by the disk-full drill: the view's work was done, then the session row could not
    be written; Django answered 400 Bad Request."""
    from django.contrib.sessions.models import Session as SessionRow

    http = signed_in(world.alice, raise_request_exception=False)
    monkeypatch.setattr(SessionRow, "save", database_down)
    assert_clear_503(http.get("/"))  # the first page after sign-in stores its start time


def test_the_503_page_is_in_the_visitors_language(monkeypatch):
    http = Browser(raise_request_exception=False)
    monkeypatch.setattr(connection, "ensure_connection", database_down)
    assert_clear_503(http.get("/", HTTP_ACCEPT_LANGUAGE="es"), language="es")


def test_a_write_that_loses_the_database_midway_leaves_nothing_half_written(world, monkeypatch):
    # The note row is saved and then rolled back with its transaction: the strict audit check
    # (on in tests) does not count it as an unaudited change.
    course = make_course(world.amara, status="active")
    session = make_session(course, world.alice, starts_at=timezone.now() + timedelta(hours=1))
    http = signed_in(world.alice, raise_request_exception=False)
    # The note row is written, then the audit row fails: the whole action must roll back.
    monkeypatch.setattr(course_actions, "record", database_down)
    response = http.post(
        f"/sessions/{session.pk}/note/",
        {"version": "", "mood": 6, "text": "Engaged throughout", "plan": "Role play", "sign": "0"},
    )
    assert_clear_503(response)
    assert not ProgressNote.objects.filter(session=session).exists()
    assert not AuditEvent.objects.filter(action="note.create").exists()


def test_the_api_answers_503_in_json(world, monkeypatch):
    http = signed_in(world.alice, raise_request_exception=False)
    monkeypatch.setattr(connection, "ensure_connection", database_down)
    response = http.get("/api/v1/administrations/1/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = json.loads(response.content)
    assert body["error"] == "unavailable"
    assert SECRET not in response.content.decode()


def test_other_errors_get_the_500_page_not_the_503(world, monkeypatch):
    from gentle import views

    def broken(*args, **kwargs):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(views, "crisis_text_for", broken)
    response = Browser(raise_request_exception=False).get("/crisis/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert HEADING not in response.content.decode()
    assert "Something went wrong" in response.content.decode()  # tests/test_error_pages.py
    assert SECRET not in response.content.decode()
