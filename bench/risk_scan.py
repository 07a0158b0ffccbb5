"""Benchmark the risk scanner (gentle.safety.risk.scan), which runs on every word a client types.

Run from the project root:

    .venv/bin/python bench/risk_scan.py

Targets: a typical diary paragraph under 1 ms; 100 KB of text (the largest a form accepts)
well under 0.5 s, i.e. no rule backtracks badly. This is not a test: it measures and prints,
and exits non-zero when a target is missed, so it can be run by hand or in a scheduled job.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gentle.safety import risk  # noqa: E402

PARAGRAPH = (
    "Today I went to the shops with my sister and we talked about mum. I felt tired and a bit "
    "low, but the walk helped. Work is stressful because of the deadline on Friday; my boss keeps "
    "asking for updates. I want to spend more time with friends and sleep better."
)
LARGE = ((PARAGRAPH + " Honestly I want to die. ") * 400)[:100_000]


def best_of(runs: int, repeat: int, call) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(repeat):
            call()
        best = min(best, (time.perf_counter() - start) / repeat)
    return best


def main() -> int:
    risk.scan(PARAGRAPH)  # load the data files
    results = [
        ("typical paragraph", best_of(5, 100, lambda: risk.scan(PARAGRAPH)), 0.001),
        ("100 KB of text", best_of(3, 1, lambda: risk.scan(LARGE)), 0.5),
    ]
    missed = 0
    for name, seconds, target in results:
        ok = seconds < target
        missed += not ok
        verdict = "ok" if ok else "MISSED"
        print(f"{name:20} {seconds * 1000:9.3f} ms  target < {target * 1000:g} ms  {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
