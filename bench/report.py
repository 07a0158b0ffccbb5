"""The benchmark's Markdown report: one table, and the machine the numbers came from.

Throughput numbers mean little without the machine and versions beside them, so the two are
always written together.
"""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from load import Measurement


@dataclass(frozen=True)
class Row:
    page: str
    measurement: Measurement
    peak_mib: float
    worker_restarts: int
    worker_cpu: tuple[float, ...] = ()  # each worker's share of the workers' CPU time


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def wrk_version(wrk: str) -> str:
    """`wrk -v` prints its version on the first line (and exits 1)."""
    done = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False, timeout=10)
    first = (done.stdout or done.stderr).splitlines()
    return first[0].split(" Copyright")[0].strip() if first else "wrk"


def gentle_revision(root: Path) -> str:
    """The commit measured, flagged when the working tree differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True
        )
    except OSError:
        return "unknown (no git)"
    if head.returncode != 0:
        return "unknown (not a git checkout)"
    return head.stdout.strip() + (" with uncommitted changes" if dirty.stdout.strip() else "")


def machine_facts(wrk: str | None, root: Path) -> dict[str, str]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "Date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "CPU": cpu_model(),
        "Cores": f"{os.cpu_count()} ({usable} usable by this process)",
        "Memory": memory_gib(),
        "OS": f"{platform.system()} {platform.release()}",
        "Gentle": gentle_revision(root),
        "Python": platform.python_version(),
        "Django": version("Django"),
        "gunicorn": version("gunicorn"),
        "whitenoise": version("whitenoise"),
        "Load generator": wrk_version(wrk) if wrk else "bench/loadgen.py (Python threads)",
    }


def table(rows: list[Row], floor_rps: float) -> str:
    lines = [
        "| Page | Requests | Req/s | p50 (ms) | p95 (ms) | Non-200 | Socket errors "
        "| Peak server memory (MiB) | Worker restarts | Workers' CPU (%) "
        "| Req/s vs bare Django |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        m = row.measurement
        ratio = f"{m.rps / floor_rps:.2f}" if floor_rps else "n/a"
        split = " / ".join(f"{share * 100:.0f}" for share in row.worker_cpu) or "n/a"
        lines.append(
            f"| {row.page} | {m.requests} | {m.rps:.0f} | {m.p50_ms:.1f} | {m.p95_ms:.1f} "
            f"| {m.non_200} | {m.socket_errors} | {row.peak_mib:.0f} | {row.worker_restarts} "
            f"| {split} | {ratio} |"
        )
    return "\n".join(lines)


def render(*, rows: list[Row], floor_rps: float, settings: str, facts: dict[str, str]) -> str:
    machine = "\n".join(f"- {name}: {value}" for name, value in facts.items())
    return (
        "# Gentle benchmark: latest run\n\n"
        f"{table(rows, floor_rps)}\n\n"
        f"{settings}\n\n"
        "## Machine\n\n"
        f"{machine}\n"
    )
