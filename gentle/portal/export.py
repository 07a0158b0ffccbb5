"""The tasks between sessions, as a section of the client's copy of their record
(docs/record-export.md, gentle/lib/record_sections.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from gentle.clients.models import Client
from gentle.lib.record_sections import Row, Section, fields
from gentle.portal.models import Outcome, Task, TaskKind


def _tasks(client: Client) -> list[Row]:
    """Tasks between sessions, done or not; each title as the client reads it, and the
    client's report on each practice task."""
    rows = []
    names = ("kind", "title", "due_on", "created_at", "done_at", "outcome", "report", "reported_at")
    for task in Task.objects.filter(client=client).order_by("created_at", "pk"):
        row = fields(task, names)
        row["title"] = task.shown_title
        rows.append(row)
    return rows


TASKS = Section(
    key="tasks",
    build=_tasks,
    title=gettext_lazy("Tasks"),
    template="portal/record_copy/tasks.html",
    dates=frozenset({"due_on", "created_at", "done_at", "reported_at"}),
    labels={"": {"kind": TaskKind, "outcome": Outcome}},
)

SECTIONS = (TASKS,)
