"""Drill: two web servers share one database; sessions and sign-in throttles are shared too.

    GENTLE_DATA_DIR=$(mktemp -d) bin/with-postgres .venv/bin/python drills/two_servers.py

Seeds the demo, starts two `gentle serve` processes on two ports (as two hosts behind a load
balancer would run), and checks, alternating between them as a round-robin balancer would:
- a person signed in on one server is signed in on the other (sessions are in the database);
- wrong passwords count together: five for one account, split over both servers, stop the next
  sign-in on either, even with the right password (throttles live in the database cache);
- both servers answer /healthz.
Prints one line per check and exits 1 if any fails.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _web import CLIENT, CLINICIAN, Browser, Process, free_port, seed, setup_django, wait_until_up


def main() -> int:
    setup_django()
    seed()
    logs = Path(tempfile.mkdtemp(prefix="gentle-two-servers-"))
    ports = [free_port(), free_port()]
    servers = [
        Process("serve", "--port", str(port), "--workers", "1", log=logs / f"serve-{port}.log")
        for port in ports
    ]
    a, b = (f"http://127.0.0.1:{port}" for port in ports)
    results = []
    try:
        for server in servers:
            server.start()
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
    finally:
        for server in servers:
            server.stop()
    for name, ok in results:
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    return 0 if all(ok for _name, ok in results) and len(results) == 3 else 1


if __name__ == "__main__":
    os.environ.setdefault("GENTLE_ENV", "demo")
    sys.exit(main())
