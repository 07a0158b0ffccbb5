"""Drill: kill -9 the web server and the worker mid-write; nothing acknowledged is lost.

    GENTLE_DATA_DIR=$(mktemp -d) .venv/bin/python drills/kill_mid_write.py [--rounds 8]
    GENTLE_DATA_DIR=$(mktemp -d) GENTLE_PG_DURABLE=1 bin/with-postgres \
        .venv/bin/python drills/kill_mid_write.py

Seeds the demo, starts `gentle serve` and `gentle worker`, and has writer threads signed in as
the demo clinician save progress notes over HTTP without pause (each save raises the note's
version), remembering every save the server acknowledged (its 302). Between kills the drill asks
for copies of clients' records (the portal's action; the worker prepares them). At random moments
it kills the web server's process group, the worker's or both with SIGKILL, then restarts them.
At the end it checks: every acknowledged save is in the database (the note at or past that
version, and its audit row); no half-written record (each note's audit rows hold versions
1..N without a gap or a duplicate, N its version); every record copy finished after the
restarts (a copy whose worker was killed is run again after GENTLE_TASK_STALLED_MINUTES, set to
1 here); `gentle audit verify` passes. Prints one line for docs/drills.md.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _web import CLINICIAN, Browser, Process, free_port, seed, setup_django, wait_until_up


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=20)
    options = parser.parse_args()
    rng = random.Random(options.seed)

    # A record copy whose worker was killed is run again after this long (the default is 15).
    os.environ.setdefault("GENTLE_TASK_STALLED_MINUTES", "1")
    setup_django()
    from django.conf import settings
    from django.core.management import CommandError, call_command
    from django.db import close_old_connections, connection

    from gentle.accounts.models import User
    from gentle.audit.models import AuditEvent
    from gentle.clients.models import Client
    from gentle.courses.models import ProgressNote, Session
    from gentle.portal import actions as portal_actions
    from gentle.portal.models import ExportStatus, RecordExport

    seed()
    clinician = User.objects.get(email=CLINICIAN)
    sessions = list(
        Session.objects.filter(clinician=clinician)
        .exclude(note__status="signed")
        .order_by("pk")
        .values_list("pk", flat=True)[: options.writers]
    )
    # Versions before the drill (the demo's drafts were seeded without audit rows).
    before = {
        pk: ProgressNote.objects.filter(session_id=pk).values_list("version", flat=True).first()
        or 0
        for pk in sessions
    }
    clients = list(Client.objects.filter(user__isnull=False).select_related("user"))
    connection.close()

    logs = Path(settings.DATA_DIR)
    port = free_port()
    web = Process("serve", "--port", str(port), "--workers", "2", log=logs / "serve.log")
    worker = Process("worker", "--interval", "0.2", log=logs / "worker.log")
    web.start()
    worker.start()
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(Browser(base))

        acked: list[tuple[int, int]] = []  # (session id, version the save produced)
        failures = Counter()
        stop = threading.Event()

        def write(session_id: int) -> None:
            browser = Browser(base)
            while not stop.is_set():
                try:
                    browser.sign_in(CLINICIAN)
                    break
                except (OSError, AssertionError):
                    time.sleep(0.5)
            n = 0
            while not stop.is_set():
                close_old_connections()
                note = ProgressNote.objects.filter(session_id=session_id).first()
                version = note.version if note else 0
                n += 1
                data = {
                    "version": version or "",
                    "mood": 5,
                    "plan": f"drill save {n}",
                    "text": "Drill note",
                    "sign": "0",
                }
                try:
                    status, _, headers = browser.post(f"/sessions/{session_id}/note/", data)
                except OSError:
                    failures["no answer"] += 1
                    time.sleep(0.2)
                    continue
                if status == 302 and "/accounts/login" not in headers.get("Location", ""):
                    acked.append((session_id, version + 1))
                else:
                    failures[status] += 1
                    if "/accounts/login" in headers.get("Location", ""):
                        browser.sign_in(CLINICIAN)
            connection.close()

        threads = [threading.Thread(target=write, args=(pk,)) for pk in sessions]
        for thread in threads:
            thread.start()
        kills = Counter()
        restart_times = []
        try:
            for _ in range(options.rounds):
                time.sleep(rng.uniform(1.5, 5))
                close_old_connections()
                client = rng.choice(clients)
                portal_actions.export_request(by=client.user, client=client)
                time.sleep(rng.uniform(0, 1))
                victims = rng.choice([("web",), ("worker",), ("web", "worker")])
                for name in victims:
                    (web if name == "web" else worker).kill9()
                    kills[name] += 1
                time.sleep(0.3)
                for name in victims:
                    (web if name == "web" else worker).start()
                restart_times.append(wait_until_up(Browser(base)))
            time.sleep(3)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)

        # Record copies asked for before and between the kills finish after the restarts.
        close_old_connections()
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if not RecordExport.objects.exclude(status=ExportStatus.DONE).exists():
                break
            time.sleep(1)
        exports = Counter(RecordExport.objects.values_list("status", flat=True))
        web.stop()
        worker.stop()

        lost = []
        for session_id, version in acked:
            note = ProgressNote.objects.filter(session_id=session_id).first()
            audited = AuditEvent.objects.filter(
                action__in=("note.create", "note.update"),
                object_id=str(note.pk) if note else "-",
                detail=f"version={version}",
            ).exists()
            if note is None or note.version < version or not audited:
                lost.append((session_id, version))
        half_written = []
        for note in ProgressNote.objects.filter(session_id__in=sessions):
            versions = sorted(
                int(detail.removeprefix("version="))
                for detail in AuditEvent.objects.filter(
                    action__in=("note.create", "note.update"), object_id=str(note.pk)
                ).values_list("detail", flat=True)
            )
            if versions != list(range(before[note.session_id] + 1, note.version + 1)):
                half_written.append(note.pk)
        try:
            call_command("audit", "verify")
            verified = True
        except CommandError:
            verified = False
        print(
            f"{connection.vendor}: {sum(kills.values())} kills ({dict(kills)}), restart to healthy "
            f"max {max(restart_times):.1f} s; {len(acked)} acknowledged saves on {len(sessions)} "
            f"notes, {len(lost)} lost; {len(half_written)} notes with a version gap; "
            f"unanswered/refused requests {dict(failures)}; record copies {dict(exports)}; "
            f"audit verify {'passed' if verified else 'FAILED'}"
        )
        ok = not lost and not half_written and verified and set(exports) == {ExportStatus.DONE}
        return 0 if ok else 1

    finally:
        web.stop()
        worker.stop()


if __name__ == "__main__":
    sys.exit(main())
