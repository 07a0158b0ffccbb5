"""Measure only on a quiet machine: one benchmark at a time, and the cores not busy.

Timings taken while other work runs on the same cores say more about that work than about
Gentle. ``quiet_machine`` holds a lock that every benchmark in bench/ takes (so two never
measure at once) and then waits until the one-minute load average falls below a threshold,
reporting how loaded the machine was while it measured.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

LOCK = Path(tempfile.gettempdir()) / "gentle-bench.lock"


@dataclass
class Quiet:
    waited_seconds: float = 0.0
    load_at_start: float = 0.0
    load_at_end: float = 0.0

    def describe(self) -> str:
        return (
            f"load average {self.load_at_start:.1f} at the start and {self.load_at_end:.1f} at "
            f"the end of the measurement (after waiting {self.waited_seconds:.0f} s for a quiet "
            "machine)"
        )


@contextmanager
def quiet_machine(
    below: float | None, *, timeout: float = 3600, log: Callable[[str], None] = print
) -> Iterator[Quiet]:
    """Hold the benchmarks' lock, and wait (at most ``timeout`` s) for the one-minute load
    average to fall below ``below`` (None: do not wait) before the block measures."""
    quiet = Quiet()
    started = time.monotonic()
    with LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            while below is not None and os.getloadavg()[0] >= below:
                if time.monotonic() - started > timeout:
                    log(f"the machine stayed busy for {timeout:.0f} s: measuring anyway")
                    break
                log(f"waiting for a quiet machine (load average {os.getloadavg()[0]:.1f})")
                time.sleep(30)
            quiet.waited_seconds = time.monotonic() - started
            quiet.load_at_start = os.getloadavg()[0]
            yield quiet
            quiet.load_at_end = os.getloadavg()[0]
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
