"""Housekeeping tasks run by `gentle worker`. They touch no clinical data."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from gentle.models import ScheduledRun

KEEP_FINISHED_TASKS = timedelta(days=30)


@task()
def clear_expired_sessions() -> int:
    """Delete expired sessions so the session table stays small; returns how many went."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@task()
def prune_finished_tasks() -> int:
    """Delete finished task results and schedule records older than 30 days."""
    cutoff = timezone.now() - KEEP_FINISHED_TASKS
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    ScheduledRun.objects.filter(enqueued_at__lt=cutoff).delete()
    return deleted


@task()
def resume_stalled_tasks() -> int:
    """Run again the tasks whose worker died under them (kill -9, a lost host): a task still
    RUNNING GENTLE_TASK_STALLED_MINUTES after it started is marked FAILED and enqueued afresh
    with its arguments. Every task here is a sweep of stored state (a record copy starts over;
    mail goes out from the outbox by each message's state), so running one again is safe.
    Returns how many were resumed."""
    from django.conf import settings
    from django_tasks.base import TaskResultStatus

    cutoff = timezone.now() - timedelta(minutes=settings.GENTLE_TASK_STALLED_MINUTES)
    resumed = 0
    for result in DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ):
        # Claim the row: of two workers sweeping at once, one resumes it.
        claimed = DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED, finished_at=timezone.now()
        )
        if claimed:
            args = result.args_kwargs
            result.task.enqueue(*args["args"], **args["kwargs"])
            resumed += 1
    return resumed


@task()
def optimize_database() -> str:
    """Refresh the planner's statistics where nothing else does. SQLite keeps none until asked;
    without them it may walk a clinic's name index instead of the search index (ADR 0031).
    PostgreSQL's autovacuum analyses by itself. Returns what was run."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return "autovacuum"
    with connection.cursor() as cursor:
        # analysis_limit bounds the rows read per index (an estimate, as SQLite documents), so
        # a table of millions of rows costs well under a second instead of a full read.
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")
    return "ANALYZE"


@task()
def watch_current_courses() -> int:
    """Every 5 minutes: work out and store what the supervisors' homes say of each clinic's
    current courses (``gentle.watch``, ADR 0064); returns the rows written or removed."""
    from gentle.accounts.models import Clinic
    from gentle.watch import refresh

    return sum(refresh(clinic=clinic) for clinic in Clinic.objects.order_by("pk"))
