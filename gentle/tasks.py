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
