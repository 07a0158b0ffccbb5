"""Drill: a working day compressed, 50 people at once on one server and PostgreSQL.

    GENTLE_DATA_DIR=$(mktemp -d) bin/with-postgres .venv/bin/python drills/mixed_load.py \
        [--clinicians 20] [--clients 30] [--seconds 300] [--think 1.0]

Seeds the demo, adds the people (clinicians each with a caseload of the new clients, clients
with a portal login), starts `gentle serve` and `gentle worker` as a clinic runs them, and lets
every person sign in and work in a loop, pausing about ``--think`` seconds between pages:
clinicians open the home page, the caseload, a client's page, measures and timeline; clients
open their portal, write in their diary (a write, heard by the risk scanner) and look at their
progress. Counts every answer that is not a success or a redirect as an error, and reports the
latencies (p50, p95, p99) overall and per page, the writes acknowledged, and whether every
acknowledged diary entry is stored and the audit chain verifies afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _web import Browser, Process, free_port, seed, setup_django, wait_until_up  # noqa: E402

PASSWORD = "a long drill passphrase 2026"
CLINICIAN_PAGES = (
    "/",
    "/caseload/",
    "/clients/{c}/",
    "/clients/{c}/measures/",
    "/clients/{c}/timeline/",
)
CLIENT_PAGES = ("/portal/", "/portal/diary/", "/portal/progress/")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def people(clinicians: int, clients: int) -> tuple[list[tuple[str, list[int]]], list[str]]:
    """Add the drill's people to the demo clinic: each clinician's email with their clients' ids,
    and the clients' emails."""
    from gentle.accounts.models import Clinic, Membership, Role, User
    from gentle.clients.models import CareTeamMember, Client, TeamRole

    clinic = Clinic.objects.order_by("pk").first()
    staff, portal = [], []
    for n in range(clinicians):
        user = User.objects.create_user(email=f"drill-clinician-{n}@drill.test", password=PASSWORD)
        Membership.objects.create(user=user, clinic=clinic, role=Role.CLINICIAN)
        staff.append((user, []))
    for n in range(clients):
        user = User.objects.create_user(email=f"drill-client-{n}@drill.test", password=PASSWORD)
        Membership.objects.create(user=user, clinic=clinic, role=Role.CLIENT)
        client = Client.objects.create(
            clinic=clinic, given_name="Drill", family_name=f"Client {n}", user=user
        )
        clinician, theirs = staff[n % clinicians]
        CareTeamMember.objects.create(client=client, user=clinician, role=TeamRole.CLINICIAN)
        theirs.append(client.pk)
        portal.append(user.email)
    return [(user.email, ids) for user, ids in staff], portal


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clinicians", type=int, default=20)
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--think", type=float, default=1.0)
    options = parser.parse_args()
    # Every person comes from their own address, through a reverse proxy on this machine (as in
    # docs/deployment.md): otherwise fifty sign-ins in a minute from one address are throttled.
    os.environ["GENTLE_TRUSTED_PROXIES"] = "127.0.0.1"
    # The server as docs/deployment.md runs it on PostgreSQL: 2 processes × 4 threads.
    os.environ.setdefault("GENTLE_WEB_THREADS", "4")
    setup_django()
    seed()
    from django.db import connection

    staff, portal = people(options.clinicians, options.clients)
    connection.close()
    port = free_port()
    logs = Path(tempfile.mkdtemp(prefix="gentle-mixed-load-"))
    processes = [
        Process("serve", "--port", str(port), log=logs / "serve.log"),
        Process("worker", log=logs / "worker.log"),
    ]
    base = f"http://127.0.0.1:{port}"
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    acknowledged: dict[str, int] = {}
    lock = threading.Lock()

    def note(page: str, started: float, status: int, *, ok: bool) -> None:
        with lock:
            timings[page].append((time.perf_counter() - started) * 1000)
            if not ok:
                errors.append(f"{status} {page}")

    def address(n: int) -> str:
        return f"10.1.{n // 250}.{n % 250 + 1}"

    def sign_in(browser: Browser, email: str) -> None:
        started = time.perf_counter()
        status = browser.try_sign_in(email, PASSWORD)
        note("sign in", started, status, ok=status == 302)

    def open_page(browser: Browser, page: str, path: str) -> int:
        """A page answered as itself (a redirect would mean the person was signed out)."""
        started = time.perf_counter()
        status = browser.request(path, timeout=30)[0]
        note(page, started, status, ok=status == 200)
        return status

    def clinician(email: str, client_ids: list[int], stop: float, where: str) -> None:
        browser, rng = Browser(base, address=where), random.Random(email)
        sign_in(browser, email)
        while time.time() < stop:
            page = rng.choice(CLINICIAN_PAGES)
            open_page(browser, page, page.format(c=rng.choice(client_ids)))
            time.sleep(rng.uniform(0, 2 * options.think))

    def client(email: str, stop: float, where: str) -> None:
        browser, rng = Browser(base, address=where), random.Random(email)
        sign_in(browser, email)
        while time.time() < stop:
            page = rng.choice(CLIENT_PAGES)
            if open_page(browser, page, page) == 200 and page == "/portal/diary/":
                mood = rng.randint(3, 9)
                started = time.perf_counter()
                status, _body, headers = browser.post(
                    page,
                    {
                        "day": date.today().isoformat(),
                        "mood": str(mood),
                        "what_happened": "Walked to the market with my sister.",
                    },
                    timeout=30,
                )
                # Saved: the diary answers with a redirect back to itself (not to sign-in).
                saved = status == 302 and headers.get("Location", "").endswith("/portal/diary/")
                note("POST /portal/diary/", started, status, ok=saved)
                if saved:
                    with lock:
                        acknowledged[email] = mood
            time.sleep(rng.uniform(0, 2 * options.think))

    try:
        for process in processes:
            process.start()
        wait_until_up(Browser(base))
        stop = time.time() + options.seconds
        threads = [
            threading.Thread(target=clinician, args=(e, ids, stop, address(n)))
            for n, (e, ids) in enumerate(staff)
        ]
        threads += [
            threading.Thread(target=client, args=(e, stop, address(len(staff) + n)))
            for n, e in enumerate(portal)
        ]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    finally:
        for process in processes:
            process.stop()

    from gentle.audit.log import verify
    from gentle.timeline.models import DiaryEntry

    stored = {
        entry.client.user.email: entry.mood
        for entry in DiaryEntry.objects.filter(
            day=date.today(), client__user__email__in=portal
        ).select_related("client__user")
    }
    lost = {email for email, mood in acknowledged.items() if stored.get(email) != mood}
    checked, problems = verify()
    every = [ms for values in timings.values() for ms in values]
    print(
        f"{connection.vendor}: {len(threads)} people for {elapsed:.0f} s: {len(every)} requests "
        f"({len(every) / elapsed:.1f}/s), {len(errors)} errors; "
        f"p50 {percentile(every, 0.5):.0f} ms, "
        f"p95 {percentile(every, 0.95):.0f} ms, p99 {percentile(every, 0.99):.0f} ms; "
        f"{len(acknowledged)} clients' diary writes acknowledged, {len(lost)} not as stored; "
        f"audit chain of {checked} rows, {len(problems)} problems"
    )
    print("| page | requests | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|")
    for page, values in sorted(timings.items()):
        print(
            f"| {page} | {len(values)} | {percentile(values, 0.5):.0f} | "
            f"{percentile(values, 0.95):.0f} | {percentile(values, 0.99):.0f} |"
        )
    for line in errors[:10]:
        print("  ", line)
    return 0 if not errors and not lost and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
