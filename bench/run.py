"""Benchmark Gentle's home page against a bare Django view, both served the production way.

Run from the project root:

    .venv/bin/python bench/run.py [--seconds 10] [--connections 16]

It builds a throwaway demo (temporary data directory: migrate, seed-demo, collectstatic), then
for each page starts gunicorn with `gentle serve`'s command line on a free loopback port, warms
it up, drives it from a separate process (wrk, or bench/loadgen.py without wrk) and stops it.
The bare view (bench/bare_app.py) runs under the same command line, as the framework floor
that Gentle's throughput is compared with; so does the audited minimum (bench/minimum_app.py),
the least page that shows clinical data, which is the most any such page can reach. The
Markdown report is printed and written to bench/results/latest.md. This is not a test: it
measures, and checks only that pages answer 200.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))  # `gentle` itself, when run as `python bench/run.py`

from client import check_page, sign_in  # noqa: E402
from load import WRK_HINT, Load, drive, find_wrk  # noqa: E402
from quiet import quiet_machine  # noqa: E402
from report import Row, machine_facts, render  # noqa: E402
from servers import (  # noqa: E402
    BARE_APP,
    GENTLE_APP,
    MINIMUM_APP,
    MemorySampler,
    free_port,
    running_server,
    server_argv,
)

from gentle.management.commands.serve import DEFAULT_THREADS  # noqa: E402

RESULTS = BENCH_DIR / "results" / "latest.md"
DEMO_LOGIN = "clinician@demo.gentle.test"
DEMO_CLIENT_LOGIN = "client@demo.gentle.test"
DEMO_PASSWORD = "gentle-demo"  # noqa: S105 - the documented demo password (gentle/demo.py)


@dataclass(frozen=True)
class Target:
    page: str
    app: str
    signed_in: bool | None  # None: not a Gentle page, nothing to check beyond the status
    path: str = "/"
    login: str = DEMO_LOGIN  # who is signed in, for a signed-in page


FLOOR = Target("Bare Django view", BARE_APP, signed_in=None)
TARGETS = (
    Target("Home, anonymous", GENTLE_APP, signed_in=False),
    Target("Home, signed-in clinician", GENTLE_APP, signed_in=True),
    Target("Caseload, signed-in clinician", GENTLE_APP, signed_in=True, path="/caseload/"),
    # A signed-in page with little of its own (the crisis numbers): the cost of being signed
    # in (session, person, memberships, navigation badges, layout) without a page's work.
    Target("Crisis page, signed-in clinician", GENTLE_APP, signed_in=True, path="/crisis/"),
    # The page clients open most: their own home in the portal.
    Target(
        "Portal home, signed-in client",
        GENTLE_APP,
        signed_in=True,
        path="/portal/",
        login=DEMO_CLIENT_LOGIN,
    ),
    # The least a page that reads clinical data does (the person signed in, one record found
    # and its audit row written, the layout), without and with a page read from the shared
    # cache: the ceiling of any such page on this design (bench/minimum_app.py, ADR 0067).
    Target(
        "Audited minimum, signed-in client",
        MINIMUM_APP,
        signed_in=True,
        path="/bench/minimum/",
        login=DEMO_CLIENT_LOGIN,
    ),
    Target(
        "Audited minimum with a cached page, signed-in client",
        MINIMUM_APP,
        signed_in=True,
        path="/bench/minimum/?cached=1",
        login=DEMO_CLIENT_LOGIN,
    ),
    FLOOR,
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Measure Gentle's home page against a bare Django view."
    )
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per page")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured seconds per page")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument(
        "--max-requests", type=int, default=500_000, help="request cap per page (and warm-up)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_THREADS,
        help=f"threads per gunicorn worker (`gentle serve`'s default: {DEFAULT_THREADS})",
    )
    parser.add_argument(
        "--no-recycle",
        action="store_true",
        help="add --max-requests 0: gunicorn keeps its workers (unlike `gentle serve`)",
    )
    parser.add_argument(
        "--quiet-below",
        type=float,
        metavar="LOAD",
        help="before measuring, wait for the one-minute load average to fall below LOAD",
    )
    parser.add_argument(
        "--keep-alive",
        action="store_true",
        help="keep each connection open (a new one per request is how the reverse proxy in "
        "docs/deployment.md talks to gunicorn)",
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="serve the demo from the PostgreSQL in $DATABASE_URL, which must be empty "
        "(`bin/with-postgres .venv/bin/python bench/run.py --postgres`), not from SQLite",
    )
    parser.add_argument(
        "--generator",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator: wrk if installed (auto), or the Python one",
    )
    args = parser.parse_args(argv)
    for name in ("seconds", "connections", "max_requests", "workers", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    if args.postgres and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("--postgres needs DATABASE_URL (run it under bin/with-postgres)")
    return args


def choose_wrk(generator: str) -> str | None:
    if generator == "python":
        return None
    wrk = find_wrk()
    if wrk is None:
        if generator == "wrk":
            raise SystemExit("bench: wrk not found (install it, e.g. `apt-get install wrk`)")
        print(f"bench: {WRK_HINT}", file=sys.stderr)
    return wrk


def demo_env(data_dir: Path, *, postgres: bool = False) -> dict[str, str]:
    """The caller's environment without Gentle or Django settings, pointed at the demo data
    (on SQLite in ``data_dir``, or with ``postgres`` in the caller's DATABASE_URL)."""
    dropped = {"SECRET_KEY", "DJANGO_SETTINGS_MODULE"} | (set() if postgres else {"DATABASE_URL"})
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in dropped and not name.startswith("GENTLE_")
    }
    return {**env, "GENTLE_ENV": "demo", "GENTLE_DATA_DIR": str(data_dir)}


def prepare_demo(env: dict[str, str]) -> None:
    """The same steps as a fresh demo install, through the `gentle` command."""
    for command in (["migrate", "--noinput"], ["seed-demo"], ["collectstatic", "--noinput"]):
        print(f"bench: gentle {' '.join(command)}", file=sys.stderr)
        done = subprocess.run(
            [sys.executable, "-m", "gentle", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"gentle {command[0]} failed:\n{done.stdout}\n{done.stderr}")


def serve(
    app: str, args: argparse.Namespace, env: dict[str, str], logs: Path
) -> tuple[int, AbstractContextManager[subprocess.Popen]]:
    """A free port, and a fresh server for one app on it that runs while the block runs."""
    port = free_port()
    argv = server_argv(
        app, port=port, workers=args.workers, threads=args.threads, recycle=not args.no_recycle
    )
    log_path = logs / f"{app.split(':')[0]}-{port}.log"
    return port, running_server(argv, port=port, env=env, cwd=ROOT, log_path=log_path)


def demo_sessions(args: argparse.Namespace, env: dict[str, str], logs: Path) -> dict[str, str]:
    """Sign in as each target's person on a server of its own; return their session cookies.

    An Argon2 password check takes ~100 MiB in the worker for a moment, which would otherwise
    count as the signed-in page's peak memory. Sessions live in the database, so the cookie
    stays valid on the measured server.
    """
    port, server = serve(GENTLE_APP, args, env, logs)
    sessions = {}
    with server:
        for login in dict.fromkeys(target.login for target in TARGETS if target.signed_in):
            print(f"bench: signing in as {login}", file=sys.stderr)
            sessions[login] = sign_in(port, login, DEMO_PASSWORD)
    return sessions


def measure(
    target: Target,
    args: argparse.Namespace,
    env: dict[str, str],
    wrk: str | None,
    logs: Path,
    sessions: dict[str, str],
) -> Row:
    """Serve one target on its own fresh server, so each memory peak belongs to one page."""
    port, server_context = serve(target.app, args, env, logs)
    print(f"bench: {target.page} on 127.0.0.1:{port}", file=sys.stderr)
    with server_context as server:
        cookie = sessions[target.login] if target.signed_in else None
        check_page(port, target.path, cookie, signed_in=target.signed_in)
        load = Load(
            port,
            target.path,
            cookie,
            args.connections,
            args.seconds,
            args.max_requests,
            keep_alive=args.keep_alive,
        )
        with MemorySampler(server.pid) as memory:
            if args.warmup:
                drive(replace(load, seconds=args.warmup), wrk)
            measurement = drive(load, wrk)
    return Row(
        page=target.page,
        measurement=measurement,
        peak_mib=memory.peak_kib / 1024,
        worker_restarts=max(0, len(memory.worker_pids) - args.workers),
        worker_cpu=tuple(memory.worker_cpu_shares()),
    )


def clients(keep_alive: bool) -> str:
    if keep_alive:
        return "keep-alive connections"
    return (
        "clients, each request on a new connection (as the reverse proxy in "
        "docs/deployment.md connects to gunicorn)"
    )


def settings_line(args: argparse.Namespace, argv: list[str], wrk: str | None) -> str:
    generator = "wrk" if wrk else "bench/loadgen.py"
    return (
        f"Server: gunicorn with `gentle serve`'s arguments, {args.workers} workers × "
        f"{args.threads} threads"
        f"{' and --max-requests 0' if args.no_recycle else ''}, demo data on "
        f"{'PostgreSQL' if args.postgres else 'SQLite'}, "
        "a fresh server per page. "
        f"Load: {generator}, {args.connections} {clients(args.keep_alive)} on 127.0.0.1, "
        f"{args.warmup} s warm-up then {args.seconds} s per page (cap {args.max_requests} "
        "requests). Non-200 answers count as errors. Peak memory is the largest sum of VmHWM "
        "over the gunicorn master and workers. "
        f"Command: `{' '.join(['.venv/bin/python', 'bench/run.py', *argv])}`."
    )


def problems(rows: list[Row]) -> list[str]:
    return [
        f"{row.page}: {row.measurement.non_200} non-200, "
        f"{row.measurement.socket_errors} socket errors"
        for row in rows
        if row.measurement.non_200 or row.measurement.socket_errors
    ]


def stop_on_signals() -> None:
    """Turn SIGTERM and SIGINT into KeyboardInterrupt, so that the servers' cleanup runs.

    Without this, SIGTERM would end the interpreter at once and orphan gunicorn, and SIGINT is
    ignored altogether when the benchmark is started in the background by a script.
    """

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    stop_on_signals()
    args = parse_args(argv)
    wrk = choose_wrk(args.generator)
    with tempfile.TemporaryDirectory(prefix="gentle-bench-") as tmp:
        data_dir = Path(tmp)
        env = demo_env(data_dir, postgres=args.postgres)
        prepare_demo(env)
        sessions = demo_sessions(args, env, data_dir)
        log = partial(print, "bench:", file=sys.stderr)
        with quiet_machine(args.quiet_below, log=log) as quiet:
            rows = [measure(target, args, env, wrk, data_dir, sessions) for target in TARGETS]
    floor = rows[TARGETS.index(FLOOR)].measurement.rps
    text = render(
        rows=rows,
        floor_rps=floor,
        settings=f"{settings_line(args, argv, wrk)} During the measurement: {quiet.describe()}.",
        facts=machine_facts(wrk, ROOT),
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)
    print(f"bench: written to {RESULTS.relative_to(ROOT)}", file=sys.stderr)
    errors = problems(rows)
    for problem in errors:
        print(f"bench: ERRORS {problem}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as interrupted:
        sys.exit(f"bench: interrupted ({interrupted or 'Ctrl-C'}); servers stopped")
    except RuntimeError as failure:
        sys.exit(f"bench: failed: {failure}")
