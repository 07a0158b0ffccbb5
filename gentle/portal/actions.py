"""Writes that only the portal knows: tasks between sessions (assigned by the care team, done
by the client) and requests for a copy of the record. Each audited in its transaction."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from gentle.accounts.models import User
from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.clients.actions import share_with_client
from gentle.clients.models import Client
from gentle.courses.models import Session
from gentle.portal.models import CLOSING_OUTCOMES, RecordExport, Task, TaskKind
from gentle.safety.actions import Heard, text_hear
from gentle.safety.hearing import source_key

# What a task points at, for the kinds that point at one piece of work: the related manager on
# the client, and the audit verb its sharing uses.
TARGETS = {
    "exchange": ("exchanges", "exchange"),
    "worksheet": ("worksheets", "worksheet"),
    "scenario": ("scenarios", "scenario"),
    "loss": ("losses", "grief"),
    "transition": ("transitions", "transition"),
}


def task_target(client, kind: str, object_id):
    """The piece of work a task of this kind would point at, if it is the client's."""
    if kind not in TARGETS:
        return None
    return getattr(client, TARGETS[kind][0]).filter(pk=object_id).first()


def task_assign(*, by, client, kind: str, target, title: str, due_on, title_key: str = "") -> Task:
    """Assign a task; the work it points at is shared with the client at the same time.
    ``title_key`` when Gentle names the task (``tool_title``), so each reader reads the name
    in their language; ``title`` is then the work's own name."""
    with transaction.atomic():
        if target is not None:
            share_with_client(by=by, item=target, shared=True, verb=TARGETS[kind][1])
        task = Task.objects.create(
            client=client,
            kind=kind,
            object_id=getattr(target, "pk", None),
            title=title,
            title_key=title_key,
            due_on=due_on,
            created_by=by,
        )
        record(
            Action.TASK_ASSIGN,
            actor=by,
            client=client,
            object_type="task",
            object_id=task.pk,
        )
    return task


def practice_assign(
    *, by: User, client: Client, title: str, due_on: date | None, session: Session | None = None
) -> Task:
    """Set a practice task in the care team's own words, optionally in ``session`` (one of the
    client's: the caller checks)."""
    with transaction.atomic():
        task = Task.objects.create(
            client=client,
            kind=TaskKind.PRACTICE,
            title=title,
            due_on=due_on,
            session=session,
            created_by=by,
        )
        record(
            Action.TASK_PRACTICE_ASSIGN,
            actor=by,
            client=client,
            object_type="task",
            object_id=task.pk,
            detail=f"session={session.pk}" if session is not None else "",
        )
    return task


def practice_report(*, by: User, task: Task, outcome: str, report: str) -> Heard:
    """The client reports back on a practice task: how it went and a note. Done or partly
    closes the task; "not yet" keeps it open to report again. The note goes through the safety
    path in the same transaction; the caller shows the crisis response when asked."""
    now = timezone.now()
    with transaction.atomic():
        task.outcome, task.report, task.reported_at = outcome, report, now
        task.done_at = (task.done_at or now) if outcome in CLOSING_OUTCOMES else None
        task.save(update_fields=["outcome", "report", "reported_at", "done_at"])
        record(
            Action.TASK_REPORT,
            actor=by,
            client=task.client,
            object_type="task",
            object_id=task.pk,
            detail=f"outcome={outcome}",
            role="client",
        )
        heard = text_hear(
            client=task.client,
            text=report,
            source="practice_task",
            source_id=source_key(task.pk, report),
            actor=by,
        )
    return heard


def tasks_done(*, by, client, kind: str, object_id=None) -> int:
    """Mark the open tasks for this piece of work done (after the client did it)."""
    with transaction.atomic():
        open_tasks = Task.objects.filter(client=client, kind=kind, done_at=None)
        if object_id is not None:
            open_tasks = open_tasks.filter(object_id=object_id)
        ids = list(open_tasks.values_list("pk", flat=True))
        Task.objects.filter(pk__in=ids).update(done_at=timezone.now())
        for task_id in ids:
            record(
                Action.TASK_DONE,
                actor=by,
                client=client,
                object_type="task",
                object_id=task_id,
                role="client",
            )
    return len(ids)


def task_remove(*, by, task: Task) -> None:
    with transaction.atomic():
        record(
            Action.TASK_REMOVE,
            actor=by,
            client=task.client,
            object_type="task",
            object_id=task.pk,
        )
        task.delete()


def export_request(*, by, client) -> RecordExport:
    """Ask for a copy of the record; the worker prepares it (``gentle worker``)."""
    from gentle.portal.tasks import prepare_export

    with transaction.atomic():
        export = RecordExport.objects.create(client=client, requested_by=by)
        record(
            Action.RECORD_EXPORT_REQUEST,
            actor=by,
            client=client,
            object_type="recordexport",
            object_id=export.pk,
            role="client",
        )
        # The task row is written in the same transaction (the database task backend), so a
        # process killed after the commit cannot leave a request that no worker will prepare.
        prepare_export.enqueue(export.pk)
    return export
