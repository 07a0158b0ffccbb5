"""Background work for courses, run by `gentle worker`."""

from __future__ import annotations

from django_tasks import task


@task()
def queue_session_reminders() -> int:
    """Every 15 minutes: queue the reminders of sessions within the lead time
    (GENTLE_REMINDER_HOURS) for clients who agreed to them."""
    from gentle.courses.actions import session_reminders_queue

    return session_reminders_queue()
