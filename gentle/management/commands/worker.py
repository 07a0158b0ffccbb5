"""`gentle worker`: run queued background tasks and enqueue the periodic jobs when due."""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker

from gentle.schedule import enqueue_due_jobs

logger = logging.getLogger("gentle.worker")

SCHEDULE_CHECK_SECONDS = 30


def _schedule_loop(stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            enqueue_due_jobs()
        except Exception:
            logger.exception("periodic schedule check failed")
        finally:
            close_old_connections()
        stop.wait(SCHEDULE_CHECK_SECONDS)


class Command(BaseCommand):
    help = "Run background tasks (record copies, outgoing mail) and the periodic jobs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Enqueue due periodic jobs, run every ready task, then exit.",
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between polls (default 1)."
        )

    def handle(self, *, once: bool, interval: float, **options):
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=once,
            backend_name="default",
            startup_delay=not once,
            max_tasks=None,
            worker_id=f"{socket.gethostname()[:20]}-{os.getpid()}",
            excluded_queue_names=[],
        )
        if once:
            enqueue_due_jobs()
            worker.run()
            return
        stop = threading.Event()
        scheduler = threading.Thread(target=_schedule_loop, args=(stop,), daemon=True)
        scheduler.start()
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
