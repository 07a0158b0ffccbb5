"""The in-code schedule of periodic jobs that `gentle worker` enqueues.

Each job runs once per period. A run is claimed by inserting a ScheduledRun row for the job and
the period's start; the unique constraint makes that claim safe with several workers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from gentle import tasks
from gentle.audit import tasks as audit_tasks
from gentle.courses import tasks as courses_tasks
from gentle.fidelity import tasks as fidelity_tasks
from gentle.intake import tasks as intake_tasks
from gentle.interop import tasks as interop_tasks
from gentle.measures import tasks as measures_tasks
from gentle.models import ScheduledRun
from gentle.notify import tasks as notify_tasks
from gentle.portal import tasks as portal_tasks
from gentle.reports import tasks as reports_tasks
from gentle.safety import tasks as safety_tasks

logger = logging.getLogger("gentle.schedule")

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    task: object


SCHEDULE: tuple[Job, ...] = (
    Job("clear-expired-sessions", HOUR, tasks.clear_expired_sessions),
    Job("prune-finished-tasks", DAY, tasks.prune_finished_tasks),
    Job("resume-stalled-tasks", MINUTE, tasks.resume_stalled_tasks),
    # Daily: SQLite's planner statistics, which the search and the long lists rely on.
    Job("optimize-database", DAY, tasks.optimize_database),
    # Every 5 minutes: a high alert's 1 hour is kept to within 5 minutes.
    Job("escalate-open-alerts", 5 * MINUTE, safety_tasks.escalate_open_alerts),
    Job("purge-old-intake-requests", DAY, intake_tasks.purge_old_requests),
    Job("forget-intake-address-counts", HOUR, intake_tasks.forget_old_address_counts),
    Job("delete-old-record-copies", HOUR, portal_tasks.delete_old_exports),
    Job("delete-old-report-pdfs", HOUR, reports_tasks.delete_old_report_pdfs),
    Job("delete-old-fhir-exports", HOUR, interop_tasks.delete_old_bulk_exports),
    Job("send-due-mail", MINUTE, notify_tasks.send_due_mail),
    Job("prune-old-mail", DAY, notify_tasks.prune_old_mail),
    # Every 15 minutes: clients' reminders, GENTLE_REMINDER_HOURS before their sessions.
    Job("queue-session-reminders", 15 * MINUTE, courses_tasks.queue_session_reminders),
    Job("anchor-audit-chain", HOUR, audit_tasks.anchor_chain),
    # Hourly: the measures pages read these stored clinic-wide statistics (docs/performance.md).
    Job("compute-clinic-statistics", HOUR, measures_tasks.compute_clinic_statistics),
    # Every 5 minutes: what the supervisors' homes say of the current courses (ADR 0064).
    Job("watch-current-courses", 5 * MINUTE, tasks.watch_current_courses),
    # Hourly: the supervisors' homes read each clinic's stored fidelity sample (ADR 0057).
    Job("refresh-fidelity-samples", HOUR, fidelity_tasks.refresh_samples),
)


def enqueue_due_jobs(now: datetime | None = None, schedule=SCHEDULE) -> list[str]:
    """Enqueue each job whose current period has no run yet; return the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in schedule:
        slot = int(now.timestamp()) // job.every_seconds * job.every_seconds
        if ScheduledRun.objects.filter(job=job.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot=slot)
                result = job.task.enqueue()
                run.task_result_id = str(result.id)
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue  # another worker claimed this period first
        logger.info("periodic job enqueued", extra={"job": job.name, "task_id": str(result.id)})
        enqueued.append(job.name)
    return enqueued
