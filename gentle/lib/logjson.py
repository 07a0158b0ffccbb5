"""Structured (JSON lines) logging that carries ids, never clinical text.

Exceptions are reduced to their type and the code locations of the traceback: an exception's
message can quote the data that caused it, and that data may be a client's words.
"""

from __future__ import annotations

import contextvars
import json
import logging
import traceback
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# Attributes a caller may attach with ``extra=``; anything else is dropped, so a stray
# ``extra={"note": ...}`` cannot put text in the log.
ALLOWED_EXTRA = frozenset(
    {
        "method",
        "route",
        "path",
        "status",
        "duration_ms",
        "user_id",
        "clinic_id",
        "task",
        "task_id",
        "job",
        "event",
        "port",
    }
)


# Loggers whose message arguments are ids, task paths and counts, never client text. Other
# libraries' messages are logged as their unfilled template.
ARGS_ALLOWED_PREFIXES = ("gentle", "django_tasks", "gunicorn")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": (
                record.getMessage()
                if record.name.startswith(ARGS_ALLOWED_PREFIXES)
                else str(record.msg)
            ),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        for key in ALLOWED_EXTRA:
            if key in record.__dict__:
                entry[key] = record.__dict__[key]
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _exc, tb = record.exc_info
            entry["exception"] = exc_type.__name__
            entry["frames"] = [
                f"{frame.filename}:{frame.lineno}:{frame.name}"
                for frame in traceback.extract_tb(tb)
            ]
        return json.dumps(entry, default=str)
