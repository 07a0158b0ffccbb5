"""Drill: two web hosts and a worker host share one database, and nothing else.

    GENTLE_DATA_DIR=$(mktemp -d) bin/with-postgres .venv/bin/python drills/two_servers.py

Seeds the demo, then starts two `gentle serve` processes on two ports and one `gentle worker`,
as three hosts would run them (docs/deployment.md "Several hosts"): each with a data directory
of its own (its own static files, anchors and so on), the same secrets, the same database
(`DATABASE_URL`; on SQLite a URL to the seeded file), and behind a reverse proxy that they
trust (`GENTLE_TRUSTED_PROXIES`), which forwards each visitor's address. Alternating between
the web servers as a round-robin balancer would, it checks:
- both servers answer /healthz;
- a person signed in on one server is signed in on the other (sessions are in the database);
- wrong passwords count together: five for one account, split over both servers, stop the next
  sign-in on either, even with the right password (throttles live in the database cache);
- a visitor's consultation requests count together: past the hourly limit for their address,
  split over both servers, the next is refused on either (one row per address, counted in
  the database), while another visitor's goes through;
- a clinic-wide FHIR export started on one server, written by the worker, downloads whole from
  the other (the files are in the database, not on the worker's disk).
Prints one line per check and exits 1 if any fails.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _web import CLIENT, CLINICIAN, Browser, Process, free_port, seed, setup_django, wait_until_up

ADMIN = "admin@demo.gentle.test"
LIMIT = 3  # GENTLE_INTAKE_PER_HOUR for the drill
#: What makes a data directory the same installation: the demo's generated secrets.
SECRETS = ("demo-secret-key", "demo-process-note-key", "demo-audit-key")


def host_env(name: str, root: Path) -> dict[str, str]:
    """The environment of one host: a data directory of its own with the installation's
    secrets, and the shared database."""
    from django.conf import settings

    data = root / name
    data.mkdir(mode=0o700)
    for secret in SECRETS:
        shutil.copy2(Path(settings.DATA_DIR) / secret, data / secret)
    database = os.environ.get("DATABASE_URL") or (
        f"sqlite:///{Path(settings.DATA_DIR).resolve() / 'gentle.sqlite3'}"
    )
    return {
        **os.environ,
        "GENTLE_DATA_DIR": str(data),
        "DATABASE_URL": database,
        "GENTLE_TRUSTED_PROXIES": "127.0.0.1",
        "GENTLE_INTAKE_PER_HOUR": str(LIMIT),
        "GENTLE_INTAKE_MIN_SECONDS": "0",
    }


def reach_out(browser: Browser, clinic: str, name: str) -> int:
    """The status the consultation form answers: 200 received, 429 over the limit."""
    path = f"/c/{clinic}/reach-out/"
    status, html, _ = browser.request(path)
    assert status == 200, status
    started = re.search(r'name="started" value="([^"]+)"', html).group(1)
    form = {
        "name": name,
        "contact": "email",
        "email": "visitor@example.test",
        "message": "Low since the move; I would like to talk to someone.",
        "consent": "on",
        "started": started,
    }
    status, _html, _ = browser.post(path, form)
    return status


def main() -> int:
    setup_django()
    seed()
    from gentle.accounts.models import Clinic
    from gentle.clients.models import Client

    clinic = Clinic.objects.get()
    clients = Client.objects.filter(clinic=clinic).count()
    root = Path(tempfile.mkdtemp(prefix="gentle-two-servers-"))
    ports = [free_port(), free_port()]
    servers = [
        Process(
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
            log=root / f"serve-{port}.log",
            env=host_env(f"web-{port}", root),
        )
        for port in ports
    ]
    worker = Process("worker", log=root / "worker.log", env=host_env("worker", root))
    a, b = (f"http://127.0.0.1:{port}" for port in ports)
    results = []
    try:
        for server in servers:
            server.start()
        worker.start()
        wait_until_up(Browser(a))
        wait_until_up(Browser(b))
        results.append(("both servers answer /healthz", True))

        on_a = Browser(a)
        signed_in_a = on_a.try_sign_in(CLIENT) == 302
        # The client's own page (a client's "/" sends them there; signed out, it sends them
        # to the sign-in form).
        status, portal_b, _ = Browser(b, jar=on_a.jar).request("/portal/")
        results.append(
            (
                "signed in on A, signed in on B",
                signed_in_a and status == 200 and "Sign out" in portal_b,
            )
        )

        for number in range(5):
            Browser(a if number % 2 == 0 else b).try_sign_in(CLINICIAN, "wrong!")
        refused_a = Browser(a).try_sign_in(CLINICIAN) != 302
        refused_b = Browser(b).try_sign_in(CLINICIAN) != 302
        results.append(
            ("5 wrong passwords over A and B stop the right one on both", refused_a and refused_b)
        )

        visitor = {base: Browser(base, address="198.51.100.7") for base in (a, b)}
        sent = [reach_out(visitor[a if n % 2 == 0 else b], clinic.slug, f"V {n}") for n in range(5)]
        other = reach_out(Browser(b, address="203.0.113.20"), clinic.slug, "Someone else")
        results.append(
            (
                f"{LIMIT} requests from one address over A and B, then refused on both",
                sent == [200] * LIMIT + [429, 429] and other == 200,
            )
        )

        admin_a = Browser(a)
        admin_a.sign_in(ADMIN)
        admin_a.request("/clinic/fhir-exports/")
        started = admin_a.post("/clinic/fhir-exports/", {})[0] == 302
        admin_b = Browser(b, jar=admin_a.jar)
        ready = False
        deadline = time.monotonic() + 120
        while started and not ready and time.monotonic() < deadline:
            time.sleep(1)
            ready = "Patient.ndjson" in admin_b.request("/clinic/fhir-exports/")[1]
        link = (
            re.search(
                r'href="(/clinic/fhir-exports/\d+/Patient\.ndjson)"',
                admin_b.request("/clinic/fhir-exports/")[1],
            )
            if ready
            else None
        )
        status, body, _ = admin_b.request(link.group(1)) if link else (None, "", None)
        results.append(
            (
                "an export started on A, written by the worker, downloads whole on B",
                status == 200 and len(body.splitlines()) == clients,
            )
        )
    finally:
        worker.stop()
        for server in servers:
            server.stop()
    for name, ok in results:
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    return 0 if all(ok for _name, ok in results) and len(results) == 5 else 1


if __name__ == "__main__":
    os.environ.setdefault("GENTLE_ENV", "demo")
    sys.exit(main())
