"""Drive one URL on loopback from a second process: wrk when installed, else bench/loadgen.py.

The load generator runs in its own process so that it does not share an interpreter (and its
GIL) with the code that samples the server's memory. Both generators print one line,
``BENCH_RESULT {json}``, read back into a Measurement.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULT_PREFIX = "BENCH_RESULT "
WRK_HINT = (
    "wrk not found: using the Python load generator (install wrk, e.g. `apt-get install wrk`)"
)


@dataclass(frozen=True)
class Load:
    """What to send: GET http://127.0.0.1:port/path with an optional cookie, bounded twice."""

    port: int
    path: str
    cookie: str | None
    connections: int
    seconds: int
    max_requests: int
    # As the reverse proxy in docs/deployment.md sends them: nginx speaks HTTP/1.0 to its
    # upstream and closes the connection after each answer, so each request is a new accept that
    # any idle worker may take. Keep-alive connections stay on the worker that first accepted
    # them, for the whole run.
    keep_alive: bool = False


@dataclass(frozen=True)
class Measurement:
    requests: int
    seconds: float
    non_200: int
    socket_errors: int
    p50_ms: float
    p95_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def to_line(self) -> str:
        return RESULT_PREFIX + json.dumps(asdict(self))


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of sorted values; 0.0 for an empty list."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def find_wrk() -> str | None:
    return shutil.which("wrk") or ("/usr/bin/wrk" if os.path.exists("/usr/bin/wrk") else None)


def wrk_command(wrk: str, load: Load) -> list[str]:
    """wrk shares the machine with the server: one thread drives far more than Gentle serves,
    so a second one is used only from 8 cores up (and wrk needs a connection per thread)."""
    threads = max(1, min(load.connections, (os.cpu_count() or 1) // 4))
    cap_per_thread = math.ceil(load.max_requests / threads)
    argv = [
        wrk,
        f"--threads={threads}",
        f"--connections={load.connections}",
        f"--duration={load.seconds}s",
        "--timeout=10s",
        f"--script={BENCH_DIR / 'wrk_report.lua'}",
    ]
    if load.cookie:
        argv.append(f"--header=Cookie: {load.cookie}")
    if not load.keep_alive:
        argv.append("--header=Connection: close")
    return [*argv, f"http://127.0.0.1:{load.port}{load.path}", "--", str(cap_per_thread)]


def python_command(load: Load) -> list[str]:
    argv = [
        sys.executable,
        str(BENCH_DIR / "loadgen.py"),
        f"--port={load.port}",
        f"--path={load.path}",
        f"--connections={load.connections}",
        f"--seconds={load.seconds}",
        f"--max-requests={load.max_requests}",
    ]
    argv += [f"--cookie={load.cookie}"] if load.cookie else []
    return argv + ([] if load.keep_alive else ["--close"])


def drive(load: Load, wrk: str | None) -> Measurement:
    """Run wrk (or loadgen.py when wrk is None) to completion; both stop by themselves."""
    argv = wrk_command(wrk, load) if wrk else python_command(load)
    # The timeout is only a safety net: subprocess.run kills the generator if it ever hangs.
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=load.seconds + 60, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            return Measurement(**json.loads(line.removeprefix(RESULT_PREFIX)))
    raise RuntimeError(
        f"load generator gave no result (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
    )
