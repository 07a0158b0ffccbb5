"""`gentle serve`: the production web server (gunicorn; static files through whitenoise)."""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from gentle.lib.env import env_int


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


class Command(BaseCommand):
    help = "Serve Gentle with gunicorn (collects static files first)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("GENTLE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("GENTLE_PORT", 8000, minimum=1))
        parser.add_argument(
            "--workers", type=int, default=env_int("GENTLE_WEB_WORKERS", 2, minimum=1)
        )
        parser.add_argument(
            "--threads", type=int, default=env_int("GENTLE_WEB_THREADS", 4, minimum=1)
        )

    def handle(self, *, host, port, workers, threads, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Gentle ({settings.GENTLE_ENV}) listening on http://{host}:{port}")
        self.stdout.flush()
        argv = gunicorn_argv(host=host, port=port, workers=workers, threads=threads)
        os.execv(argv[0], argv)  # noqa: S606 - argv is ours, not user input
