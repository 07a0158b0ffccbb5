"""What the fault drills share: a seeded demo database, `gentle serve` and `gentle worker` as
subprocesses in process groups of their own (so that kill -9 reaches gunicorn's master and its
workers alike), and a browser that signs in through the real form."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENTLE = str(Path(sys.executable).with_name("gentle"))
CLINICIAN = "clinician@demo.gentle.test"
CLIENT = "client@demo.gentle.test"


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gentle.settings")
    os.environ.setdefault("GENTLE_ENV", "demo")
    import django

    django.setup()


def seed() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """A `gentle` subcommand in a process group of its own."""

    def __init__(self, *args: str, log: Path, env: dict[str, str] | None = None):
        """``env``: the environment to run it in (this process's if not given)."""
        self.args, self.log, self.env, self.popen = args, log, env, None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(  # noqa: S603 - our own command
                [GENTLE, *self.args],
                stdout=out,
                stderr=out,
                start_new_session=True,
                env=self.env,
            )

    def kill9(self) -> None:
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill9()


class Browser:
    """Cookies, CSRF tokens and no redirects followed: a 302 after a POST is the success."""

    def __init__(
        self,
        base: str,
        *,
        jar: http.cookiejar.CookieJar | None = None,
        address: str | None = None,
    ):
        """``jar``: another browser's cookies (the same visitor on another server);
        ``address``: the visitor's address, as a trusted reverse proxy would forward it."""
        self.base = base
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self.address = address

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(self, path: str, data: dict | None = None, timeout: float = 10, **headers):
        """(status, body, headers); raises OSError when nothing answered."""
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            headers.setdefault("Referer", self.base + path)
        if self.address:
            headers.setdefault("X-Forwarded-For", self.address)
        req = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), error.headers

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def post(self, path: str, data: dict, **headers):
        return self.request(path, {**data, "csrfmiddlewaretoken": self.csrf()}, **headers)

    def try_sign_in(self, email: str, password: str | None = None) -> int:
        """The status the sign-in form answers: 302 signed in, else refused (200 with the form,
        429 throttled)."""
        from gentle.demo import DEMO_PASSWORD

        status, html, _ = self.request("/accounts/login/")
        assert status == 200, status
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        status, _, _headers = self.request(
            "/accounts/login/",
            {"login": email, "password": password or DEMO_PASSWORD, "csrfmiddlewaretoken": token},
        )
        return status

    def sign_in(self, email: str, password: str | None = None) -> None:
        status = self.try_sign_in(email, password)
        assert status == 302, f"sign-in answered {status}"


def wait_until_up(browser: Browser, timeout: float = 60) -> float:
    """Seconds until the server answers /healthz with 200."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if browser.request("/healthz", timeout=2)[0] == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not come up")
