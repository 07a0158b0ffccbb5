"""Drill: the database goes away under a running server, then comes back.

    GENTLE_DATA_DIR=$(mktemp -d) bin/with-postgres .venv/bin/python drills/database_unavailable.py
    GENTLE_DATA_DIR=$(mktemp -d) .venv/bin/python drills/database_unavailable.py --fault disk-full

`--fault postgres-stop` (the default):
Seeds the demo, starts `gentle serve`, signs in as the demo clinician and keeps saving a progress
note over HTTP (remembering every acknowledged save) while a second browser reads pages. Then it
stops PostgreSQL (pg_ctl stop -m fast, through bin/with-postgres's $GENTLE_PG_CTL) for a while
and checks every answer in that time: a 503 page with its human message and Retry-After, never
a traceback or the plain 500 (a request that reached the database before it stopped may still
succeed). It starts PostgreSQL again and checks that the same gunicorn processes (the same pids)
serve again without a restart, the browsers still signed in; that every acknowledged save is
there with its audit row and no version gap; and that `gentle audit verify` passes. Prints one
line for docs/drills.md.

`--fault disk-full` (SQLite; needs root): the data directory is a small tmpfs of its own; the
drill fills it to the last byte with a file and later deletes the file, and also checks SQLite's
integrity_check.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _web import CLINICIAN, Browser, Process, free_port, seed, setup_django, wait_until_up

HEADING = "Gentle is briefly unavailable"


def pids_of(group: int) -> set[int]:
    out = subprocess.run(["pgrep", "-g", str(group)], capture_output=True, text=True).stdout
    return {int(pid) for pid in out.split()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--down", type=float, default=15, help="seconds without the database")
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--fault", choices=("postgres-stop", "disk-full"), default="postgres-stop")
    options = parser.parse_args()
    data_dir = Path(os.environ["GENTLE_DATA_DIR"])
    if options.fault == "postgres-stop":
        control = os.environ.get("GENTLE_PG_CTL")
        if not control:
            sys.exit("run under bin/with-postgres (it sets GENTLE_PG_CTL)")

        def take_away() -> None:
            subprocess.run([control, "stop"], check=True, capture_output=True)  # noqa: S603

        def bring_back() -> None:
            subprocess.run([control, "start"], check=True, capture_output=True)  # noqa: S603
    else:
        if os.environ.get("DATABASE_URL"):
            sys.exit("the disk-full drill runs on SQLite: unset DATABASE_URL")
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=48m,mode=0700", "tmpfs", str(data_dir)], check=True
        )  # noqa: S603, S607
        os.environ["GENTLE_STATIC_ROOT"] = str(data_dir.parent / f"{data_dir.name}-static")
        filler = data_dir / "filler"

        def take_away() -> None:
            with open(filler, "wb", buffering=0) as out:
                for size in (1 << 16, 512, 1):  # to the last byte
                    try:
                        while True:
                            out.write(b"\0" * size)
                    except OSError:
                        pass

        def bring_back() -> None:
            filler.unlink()

    setup_django()
    from django.core.management import CommandError, call_command
    from django.db import DatabaseError, close_old_connections, connection

    from gentle.accounts.models import User
    from gentle.audit.models import AuditEvent
    from gentle.courses.models import ProgressNote, Session

    seed()
    clinician = User.objects.get(email=CLINICIAN)
    session_id = (
        Session.objects.filter(clinician=clinician, note__isnull=True).order_by("pk").first().pk
    )
    connection.close()

    port = free_port()
    logs = data_dir.parent / f"{data_dir.name}-logs"
    logs.mkdir(exist_ok=True)
    web = Process("serve", "--port", str(port), log=logs / "serve.log")
    web.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(Browser(base))
        pids = pids_of(web.popen.pid)
        writer, reader = Browser(base), Browser(base)
        writer.sign_in(CLINICIAN)
        reader.sign_in(CLINICIAN)

        acked: list[int] = []
        answers: Counter = Counter()  # while the database is down: what came back
        bad: list[str] = []
        down = threading.Event()
        stop = threading.Event()

        def note(status: int, html: str, headers) -> None:
            if not down.is_set():
                return
            if status == 503:
                clear = HEADING in html and headers.get("Retry-After") == "30"
                clear = clear and "Traceback" not in html
                answers["503 clear" if clear else "503 unclear"] += 1
                if not clear:
                    bad.append(html[:200])
            else:
                answers[status] += 1
                if status >= 500:
                    bad.append(html[:200])

        def write() -> None:
            version = 0
            n = 0
            while not stop.is_set():
                n += 1
                data = {"version": version or "", "mood": 5, "plan": f"save {n}", "sign": "0"}
                try:
                    status, html, headers = writer.post(f"/sessions/{session_id}/note/", data)
                except OSError:
                    answers["no answer"] += 1
                    continue
                note(status, html, headers)
                if status == 302 and "/accounts/login" not in headers.get("Location", ""):
                    version += 1
                    acked.append(version)
                else:
                    # Refused or unanswered: a save may have committed without its answer
                    # reaching us (not acknowledged, so not counted); go on from the stored version.
                    time.sleep(0.2)
                    try:
                        close_old_connections()
                        version = (
                            ProgressNote.objects.filter(session_id=session_id)
                            .values_list("version", flat=True)
                            .first()
                            or 0
                        )
                    except DatabaseError:
                        connection.close()

        def read() -> None:
            while not stop.is_set():
                for path in ("/", "/clients/", f"/sessions/{session_id}/"):
                    try:
                        note(*reader.request(path))
                    except OSError:
                        answers["no answer"] += 1
                time.sleep(0.05)

        threads = [threading.Thread(target=write), threading.Thread(target=read)]
        for thread in threads:
            thread.start()
        recoveries = []
        for _ in range(options.cycles):
            time.sleep(3)
            down.set()
            take_away()
            time.sleep(options.down)
            bring_back()
            started = time.monotonic()
            while time.monotonic() - started < 60:
                status, html, _ = reader.request("/")
                if status == 200 and "Sign out" in html:
                    break
                time.sleep(0.1)
            recoveries.append(time.monotonic() - started)
            down.clear()
        time.sleep(3)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        same_processes = pids_of(web.popen.pid) == pids
    finally:
        web.stop()

    close_old_connections()
    saved = ProgressNote.objects.get(session_id=session_id)
    audited = sorted(
        int(detail.removeprefix("version="))
        for detail in AuditEvent.objects.filter(
            action__in=("note.create", "note.update"), object_id=str(saved.pk)
        ).values_list("detail", flat=True)
    )
    lost = [v for v in acked if v > saved.version or v not in audited]
    gap = audited != list(range(1, saved.version + 1))
    try:
        call_command("audit", "verify")
        verified = True
    except (CommandError, DatabaseError):
        verified = False
    integrity = "-"
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            integrity = cursor.execute("PRAGMA integrity_check").fetchone()[0]
        verified = verified and integrity == "ok"
    print(
        f"{connection.vendor}, {options.fault}: {options.cycles} times for {options.down:.0f} s; "
        f"answers while down {dict(answers)}; back to a signed-in page "
        f"{max(recoveries):.1f} s after start (max); same gunicorn processes: {same_processes}; "
        f"{len(acked)} acknowledged saves, {len(lost)} lost, version gap: {gap}; "
        f"integrity_check {integrity}; audit verify {'passed' if verified else 'FAILED'}"
    )
    for sample in bad[:3]:
        print("unclear answer:", sample.replace("\n", " "))
    connection.close()
    if options.fault == "disk-full":
        # -l: the writer thread's connection may still hold the file until it is collected.
        subprocess.run(["umount", "-l", str(data_dir)], check=False)  # noqa: S603, S607
    ok = not bad and not lost and not gap and verified and same_processes
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
