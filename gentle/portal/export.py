"""The tasks between sessions, as a section of the client's copy of their record
(docs/record-export.md, gentle/lib/record_sections.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from gentle.clients.models import Client
from gentle.lib.record_sections import Row, Section, fields
from gentle.portal.models import Task, TaskKind


def _tasks(client: Client) -> list[Row]:
    """Tasks between sessions, done or not; each title as the client reads it."""
    rows = []
    for task in Task.objects.filter(client=client).order_by("created_at", "pk"):
        row = fields(task, ("kind", "title", "due_on", "created_at", "done_at"))
        row["title"] = task.shown_title
        rows.append(row)
    return rows


TASKS = Section(
    key="tasks",
    build=_tasks,
    title=gettext_lazy("Tasks"),
    template="portal/record_copy/tasks.html",
    dates=frozenset({"due_on", "created_at", "done_at"}),
    labels={"": {"kind": TaskKind}},
)

SECTIONS = (TASKS,)
