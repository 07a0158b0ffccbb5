"""`gentle serve`: the production web server (gunicorn; static files through whitenoise)."""

from __future__ import annotations

import errno
import fcntl
import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from gentle.lib.env import env_int

#: Threads per gunicorn worker. Under load on SQLite, 2 workers × 2 threads served about 10 %
#: more of the signed-in pages than × 4 (the portal home 544 against 494 requests a second),
#: the bare view as many: fewer threads take turns for each process's interpreter lock and for
#: SQLite's write lock. On PostgreSQL on the same machine 2 and 4 measured the same
#: (docs/performance.md). A database across a network waits longer on each query; the
#: multi-host layout in docs/deployment.md sets 4.
DEFAULT_THREADS = 2


def gunicorn_argv(*, host: str, port: int, workers: int, threads: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "gentle.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--timeout",
        "60",
        "--graceful-timeout",
        "20",
        # Recycle workers now and then as a guard against slow leaks.
        "--max-requests",
        "20000",
        "--max-requests-jitter",
        "2000",
        # The access log lives in gentle.access (route names, no query strings).
        "--error-logfile",
        "-",
        "--log-level",
        "warning",
    ]


# What flock answers on a file system that cannot lock (some network and FUSE mounts).
UNLOCKABLE = frozenset({errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL})


def collect_static() -> None:
    """Collect the static files, one process at a time for one static directory.

    collectstatic deletes each hashed copy and writes it again; two servers started together on
    one data directory (``drills/two_servers.py``) deleted each other's new files midway, and
    one of them stopped with FileNotFoundError before it served. The lock is an flock on the
    directory itself, so no lock file lands among the files served; it is released when the
    process closes the directory, even if collectstatic fails."""
    root = Path(settings.STATIC_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    directory = os.open(root, os.O_RDONLY)
    try:
        try:
            fcntl.flock(directory, fcntl.LOCK_EX)
        except OSError as error:  # a file system without flock: collect as before, unlocked
            if error.errno not in UNLOCKABLE:
                raise
        call_command("collectstatic", interactive=False, verbosity=0)
    finally:
        os.close(directory)


class Command(BaseCommand):
    help = "Serve Gentle with gunicorn (collects static files first)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("GENTLE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("GENTLE_PORT", 8000, minimum=1))
        parser.add_argument(
            "--workers", type=int, default=env_int("GENTLE_WEB_WORKERS", 2, minimum=1)
        )
        parser.add_argument(
            "--threads", type=int, default=env_int("GENTLE_WEB_THREADS", DEFAULT_THREADS, minimum=1)
        )

    def handle(self, *, host, port, workers, threads, **options):
        collect_static()
        self.stdout.write(f"Gentle ({settings.GENTLE_ENV}) listening on http://{host}:{port}")
        self.stdout.flush()
        argv = gunicorn_argv(host=host, port=port, workers=workers, threads=threads)
        os.execv(argv[0], argv)  # noqa: S606 - argv is ours, not user input
