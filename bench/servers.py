"""Start and stop gunicorn for the benchmark, and read the server's memory from /proc.

Each server runs in its own session (process group), so that it can be stopped as a whole,
workers included, whatever happens to the benchmark.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from gentle.management.commands.serve import gunicorn_argv

HOST = "127.0.0.1"
BENCH_DIR = Path(__file__).resolve().parent
GENTLE_APP = "gentle.wsgi:application"
BARE_APP = "bare_app:application"
MINIMUM_APP = "minimum_app:application"  # Gentle and its least audited page (bench/minimum_app.py)


def free_port() -> int:
    """A loopback port that is free now; gunicorn binds it a moment later."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_argv(
    app: str, *, port: int, workers: int, threads: int, recycle: bool = True
) -> list[str]:
    """`gentle serve`'s own command line, so that both apps run under the production setup.

    Only the WSGI application differs for the bare view, which is imported from bench/.
    recycle=False turns off gunicorn's --max-requests (a later flag wins), to see its cost.
    """
    argv = gunicorn_argv(host=HOST, port=port, workers=workers, threads=threads)
    if app != GENTLE_APP:
        argv[argv.index(GENTLE_APP)] = app
        argv += ["--pythonpath", str(BENCH_DIR)]
    return argv if recycle else [*argv, "--max-requests", "0"]


def log_tail(log_path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_until_ready(proc: subprocess.Popen, port: int, log_path: Path, timeout: float) -> None:
    """Poll until the server answers over HTTP at all; the caller checks the status later."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log_tail(log_path)}")
        conn = http.client.HTTPConnection(HOST, port, timeout=2)
        try:
            conn.request("GET", "/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    raise RuntimeError(f"server not ready after {timeout:.0f}s:\n{log_tail(log_path)}")


def stop(proc: subprocess.Popen, grace: float = 30) -> None:
    """Ask the master for a graceful stop, then kill whatever is left in its process group."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    # The group is ours (start_new_session=True); it is gone when every process has exited.
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@contextmanager
def running_server(
    argv: list[str], *, port: int, env: dict[str, str], cwd: Path, log_path: Path
) -> Iterator[subprocess.Popen]:
    """A started, answering server that is stopped on leaving the block, even on error."""
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_ready(proc, port, log_path, timeout=60)
        yield proc
    finally:
        stop(proc)


def children_of(pid: int) -> list[int]:
    """Direct children from /proc/<pid>/task/*/children, or by scanning /proc for the ppid."""
    tasks = Path(f"/proc/{pid}/task")
    try:
        files = list(tasks.glob("*/children"))
    except OSError:
        return []
    if files:
        found: list[int] = []
        for path in files:
            try:
                found += [int(child) for child in path.read_text().split()]
            except OSError:
                continue  # the thread ended meanwhile
        return found
    return [child for child, parent in parents().items() if parent == pid]


def parents() -> dict[int, int]:
    """pid -> ppid for every process, for kernels without /proc/<pid>/task/*/children."""
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            ppid = status_field(int(entry.name), "PPid")
            if ppid is not None:
                found[int(entry.name)] = ppid
    return found


def status_field(pid: int, name: str) -> int | None:
    """One numeric field of /proc/<pid>/status (kB for memory), or None if the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1])
    return None


def process_tree(pid: int) -> list[int]:
    """The master and all its descendants (gunicorn's workers are its direct children)."""
    tree = [pid]
    for child in children_of(pid):
        tree += process_tree(child)
    return tree


def cpu_ticks(pid: int) -> int | None:
    """User and system CPU time of a process, in clock ticks, or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; the fields after it are plain numbers.
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15


class MemorySampler:
    """Samples the sum of VmHWM over the server's processes while a measurement runs, and each
    worker's CPU time.

    VmHWM is each process's own peak resident size. gunicorn replaces workers after
    --max-requests, and a replaced worker's peak leaves /proc with it, so one reading at the end
    would miss it; the largest sum seen while sampling is reported instead. The CPU time shows
    how the load was spread: a worker that accepted every connection works alone.
    """

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_kib = 0
        self.worker_pids: set[int] = set()
        self._first_ticks: dict[int, int] = {}
        self._last_ticks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        tree = process_tree(self.pid)
        self.worker_pids.update(tree[1:])
        total = sum(status_field(pid, "VmHWM") or 0 for pid in tree)
        self.peak_kib = max(self.peak_kib, total)
        for pid in tree[1:]:
            ticks = cpu_ticks(pid)
            if ticks is not None:
                self._first_ticks.setdefault(pid, ticks)
                self._last_ticks[pid] = ticks

    def worker_cpu_shares(self) -> list[float]:
        """Each worker's share of the workers' CPU time while sampled, largest first."""
        used = [self._last_ticks[pid] - self._first_ticks[pid] for pid in self._last_ticks]
        total = sum(used)
        return sorted((n / total for n in used if n), reverse=True) if total else []

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> MemorySampler:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
