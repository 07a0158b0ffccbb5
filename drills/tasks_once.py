"""Drill: several `gentle worker` processes share one queue; each task runs exactly once.

    GENTLE_DATA_DIR=$(mktemp -d) bin/with-postgres .venv/bin/python drills/tasks_once.py \
        [--workers 4] [--tasks 300]

Enqueues the tasks (a cheap, harmless one: clearing expired sessions), starts the worker
processes as `gentle serve`'s deployment runs them, waits until the queue is empty, stops the
workers, and checks every task: finished successfully, claimed by exactly one worker, and the work
spread over more than one worker. Prints one line for docs/drills.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gentle.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--timeout", type=float, default=300)
    options = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from gentle import tasks

    call_command("migrate", verbosity=0)
    DBTaskResult.objects.all().delete()
    ids = {str(tasks.clear_expired_sessions.enqueue().id) for _ in range(options.tasks)}
    connection.close()
    gentle = str(Path(sys.executable).with_name("gentle"))
    started = time.monotonic()
    workers = [
        subprocess.Popen([gentle, "worker", "--interval", "0.1"], stderr=subprocess.DEVNULL)
        for _ in range(options.workers)
    ]
    try:
        while time.monotonic() - started < options.timeout:
            if not DBTaskResult.objects.filter(pk__in=ids, finished_at__isnull=True).exists():
                break
            time.sleep(0.5)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)
    elapsed = time.monotonic() - started
    results = list(DBTaskResult.objects.filter(pk__in=ids).values("status", "worker_ids"))
    statuses = Counter(r["status"] for r in results)
    claims = Counter(len(r["worker_ids"]) for r in results)
    by_worker = Counter(r["worker_ids"][0] for r in results if r["worker_ids"])
    print(
        f"{connection.vendor}: {options.workers} workers ran {len(results)} tasks in "
        f"{elapsed:.0f} s; statuses {dict(statuses)}; claims per task {dict(claims)}; "
        f"tasks per worker {sorted(by_worker.values(), reverse=True)}"
    )
    once = claims == Counter({1: options.tasks}) and statuses == Counter(
        {"SUCCESSFUL": options.tasks}
    )
    return 0 if once and len(by_worker) > 1 else 1


if __name__ == "__main__":
    sys.exit(main())
