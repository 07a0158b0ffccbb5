"""`gentle demo`: set up the demo database and serve it with the background worker beside it."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from gentle.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_is_seeded
from gentle.management.commands.serve import DEFAULT_THREADS, collect_static, gunicorn_argv


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


class Command(BaseCommand):
    help = "Run the demo: migrate, load demo data if absent, then serve with a worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--reset", action="store_true", help="Reload the demo data.")
        parser.add_argument("--no-worker", action="store_true", help="Do not start the worker.")

    def handle(self, *, host, port, reset, no_worker, **options):
        if not settings.DEMO:
            raise CommandError("gentle demo refuses to run when GENTLE_ENV=production.")
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}.")
        if not _port_is_free(host, port):
            raise CommandError(
                f"port {port} on {host} is already in use; try gentle demo --port {port + 1}."
            )
        call_command("migrate", interactive=False, verbosity=0)
        if reset or not demo_is_seeded():
            call_command("seed_demo", reset=reset, verbosity=0)
        collect_static()
        self._print_logins(host, port)
        children = []
        if not no_worker:
            children.append(subprocess.Popen([sys.executable, "-m", "gentle", "worker"]))
        argv = gunicorn_argv(host=host, port=port, workers=2, threads=DEFAULT_THREADS)
        children.append(subprocess.Popen(argv))
        self._wait(children)

    def _print_logins(self, host: str, port: int) -> None:
        write = self.stdout.write
        write("")
        write(f"Gentle demo: open http://{host}:{port}/")
        write(f"Data directory: {settings.DATA_DIR}")
        write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, role in DEMO_LOGINS:
            write(f"  {email:<30} {role.label}")
        write("Press Ctrl+C to stop.")
        write("")
        self.stdout.flush()

    def _wait(self, children: list[subprocess.Popen]) -> None:
        def stop(_signum, _frame):
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            # The demo ends when the web server ends; the worker follows it.
            children[-1].wait()
        finally:
            stop(None, None)
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
        if children[-1].returncode not in (0, -signal.SIGTERM, -signal.SIGINT):
            raise CommandError(f"the web server stopped with code {children[-1].returncode}")
