"""Logs carry ids and codes, never clinical text."""

import json
import logging
import sys

import pytest

from gentle.lib.logjson import JsonFormatter

pytestmark = pytest.mark.django_db

CANARY = "Canary-Client-Words-7Q"


def record(name: str, msg: str, *args, exc=None, **extra) -> logging.LogRecord:
    rec = logging.LogRecord(name, logging.ERROR, __file__, 1, msg, args, exc)
    rec.__dict__.update(extra)
    return rec


def test_exception_messages_are_reduced_to_type_and_frames():
    try:
        raise ValueError(f"could not save note {CANARY}")
    except ValueError:
        line = JsonFormatter().format(record("gentle.x", "save failed", exc=sys.exc_info()))
    entry = json.loads(line)
    assert CANARY not in line
    assert entry["exception"] == "ValueError"
    assert entry["frames"] and entry["frames"][0].endswith(
        "test_exception_messages_are_reduced_to_type_and_frames"
    )


def test_unknown_extras_and_third_party_arguments_are_dropped():
    line = JsonFormatter().format(
        record("django.db.backends", "query %s", CANARY, note=CANARY, route="home")
    )
    assert CANARY not in line
    assert json.loads(line)["route"] == "home"


def test_access_log_has_route_and_status_but_no_query_string(client, caplog):
    with caplog.at_level(logging.INFO, logger="gentle.access"):
        client.get(f"/?q={CANARY}")
    lines = [JsonFormatter().format(r) for r in caplog.records if r.name == "gentle.access"]
    assert lines, "no access log line"
    entry = json.loads(lines[-1])
    assert (entry["route"], entry["status"], entry["method"]) == ("home", 200, "GET")
    assert CANARY not in "".join(lines)
