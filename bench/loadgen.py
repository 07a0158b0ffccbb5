"""A small closed-loop HTTP load generator, used by bench/run.py when wrk is not installed.

One thread per connection, each on a keep-alive http.client connection (or, with --close, a new
connection per request, as a reverse proxy opens them), sends the next request as soon as the
previous answer is read, until the time or the request budget runs out. It is
slower than wrk (the GIL caps it at a few thousand requests per second), so on a fast server it
may be the bottleneck; the report names the generator that was used.
"""

from __future__ import annotations

import argparse
import http.client
import threading
import time
from dataclasses import dataclass, field

from load import Measurement, percentile

HOST = "127.0.0.1"


class Budget:
    """The request cap shared by all connections."""

    def __init__(self, total: int) -> None:
        self._left = total
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._left <= 0:
                return False
            self._left -= 1
            return True


@dataclass
class Tally:
    """One connection's results; merged after the threads have joined, so no locking."""

    latencies: list[float] = field(default_factory=list)
    non_200: int = 0
    socket_errors: int = 0


def connection_loop(
    port: int, path: str, headers: dict[str, str], deadline: float, budget: Budget, tally: Tally
) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        while time.perf_counter() < deadline and budget.take():
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                tally.socket_errors += 1
                conn.close()  # http.client reconnects on the next request
                continue
            tally.latencies.append(time.perf_counter() - started)
            if response.status != 200:
                tally.non_200 += 1
    finally:
        conn.close()


def run(
    port: int,
    path: str,
    cookie: str | None,
    connections: int,
    seconds: float,
    cap: int,
    close: bool = False,
) -> Measurement:
    headers = {"Cookie": cookie} if cookie else {}
    if close:  # http.client opens a new connection for the next request by itself
        headers["Connection"] = "close"
    budget = Budget(cap)
    tallies = [Tally() for _ in range(connections)]
    started = time.perf_counter()
    deadline = started + seconds
    threads = [
        threading.Thread(
            target=connection_loop, args=(port, path, headers, deadline, budget, tally)
        )
        for tally in tallies
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(value for tally in tallies for value in tally.latencies)
    return Measurement(
        requests=len(latencies),
        seconds=elapsed,
        non_200=sum(tally.non_200 for tally in tallies),
        socket_errors=sum(tally.socket_errors for tally in tallies),
        p50_ms=percentile(latencies, 50) * 1000,
        p95_ms=percentile(latencies, 95) * 1000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/")
    parser.add_argument("--cookie")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument("--close", action="store_true", help="a new connection per request")
    args = parser.parse_args()
    result = run(
        args.port,
        args.path,
        args.cookie,
        args.connections,
        args.seconds,
        args.max_requests,
        close=args.close,
    )
    print(result.to_line(), flush=True)


if __name__ == "__main__":
    main()
