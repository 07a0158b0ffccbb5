"""The drills of docs/drills.md that are quick enough, run with the suite so that they do not
stop passing unnoticed between the sessions that run them all by hand.

Each runs as a subprocess on a SQLite file of its own (no test database), so only the SQLite
pass runs them; the PostgreSQL pass would repeat them. docs/drills.md runs them on PostgreSQL
by hand, at full length."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DRILLS = Path(__file__).resolve().parent.parent / "drills"

pytestmark = pytest.mark.slow


@pytest.fixture
def run_drill(tmp_path):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the drills run on a SQLite file of their own; the SQLite pass runs them")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "GENTLE_DATA_DIR": str(tmp_path / "data"),
        "GENTLE_ENV": "demo",
    }

    def run(name: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - our own script
            [sys.executable, str(DRILLS / name), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )

    return run


def test_the_two_servers_drill_passes(run_drill):
    """Two `gentle serve` and a `gentle worker`, each with a data directory of its own, on one
    database: a session from one valid on the other; wrong passwords and a visitor's
    consultation requests counted together; an export written by the worker downloaded from
    either (docs/deployment.md cites this drill). It had stopped passing unnoticed twice: the
    static files' race, then a client's "/" that became a redirect."""
    done = run_drill("two_servers.py")
    assert done.returncode == 0, done.stdout + done.stderr
    checks = [line for line in done.stdout.splitlines() if line.startswith(("ok", "FAIL"))]
    assert checks == [
        "ok   both servers answer /healthz",
        "ok   signed in on A, signed in on B",
        "ok   5 wrong passwords over A and B stop the right one on both",
        "ok   3 requests from one address over A and B, then refused on both",
        "ok   an export started on A, written by the worker, downloads whole on B",
    ]


def test_the_mixed_load_drill_passes_with_a_few_people(run_drill):
    """drills/mixed_load.py, shortened: three clinicians and three clients for 8 s against
    `gentle serve` and `gentle worker`. It exits 1 on any error, an acknowledged diary write not
    stored as acknowledged, or an audit chain that does not verify."""
    done = run_drill(
        "mixed_load.py", "--clinicians", "3", "--clients", "3", "--seconds", "8", "--think", "0.2"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = next(line for line in done.stdout.splitlines() if line.startswith("sqlite: "))
    assert "6 people" in summary and " 0 errors" in summary, summary
    assert "3 clients' diary writes acknowledged, 0 not as stored" in summary, summary
    assert summary.endswith(" 0 problems"), summary
    pages = {line.split(" | ")[0].lstrip("| ") for line in done.stdout.splitlines()}
    assert {"sign in", "/", "/caseload/", "/portal/", "POST /portal/diary/"} <= pages
