"""Reads that only the portal composes: how far the client is with daily tasks."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from gentle.clients.models import Client
from gentle.portal.models import Task


def with_daily_progress(client: Client, tasks: Iterable[Task]) -> None:
    """Give each open daily task (the mood diary) ``done_today`` and ``days_done``: the days
    with an entry since the day it was assigned. One query, however many tasks."""
    daily = [task for task in tasks if task.is_daily and task.done_at is None]
    if not daily:
        return
    since = min(timezone.localdate(task.created_at) for task in daily)
    days = set(client.diary.filter(day__gte=since).values_list("day", flat=True))
    today = timezone.localdate()
    for task in daily:
        start = timezone.localdate(task.created_at)
        task.done_today = today in days
        task.days_done = sum(1 for day in days if day >= start)
