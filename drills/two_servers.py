"""Drill: two web servers share one database; sessions and sign-in throttles are shared too.

    GENTLE_DATA_DIR=$(mktemp -d) bin/with-postgres .venv/bin/python drills/two_servers.py

Seeds the demo, starts two `gentle serve` processes on two ports (as two hosts behind a load
balancer would run), and checks, alternating between them as a round-robin balancer would:
- a person signed in on one server is signed in on the other (sessions are in the database);
- wrong passwords count together: five for one account, split over both servers, stop the next
  sign-in on either, even with the right password (throttles live in the database cache);
- both servers answer /healthz.
Prints one line per check and exits 1 if any fails.
"""

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
PASSWORD = "gentle-demo"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """One visitor's cookies, sent to whichever server the balancer picks."""

    def __init__(self, address: str | None = None) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        if address:  # as a trusted reverse proxy would say who the visitor is
            self.opener.addheaders = [("X-Forwarded-For", address)]

    def get(self, base: str, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(base + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, base: str, path: str, fields: dict[str, str]) -> tuple[int, str]:
        request = urllib.request.Request(
            base + path,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Referer": base + path},
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.geturl()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def sign_in(self, base: str, email: str, password: str) -> tuple[int, str]:
        _status, page = self.get(base, "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "login": email, "password": password}
        ).encode()
        request = urllib.request.Request(
            base + "/accounts/login/", data=data, headers={"Referer": base + "/accounts/login/"}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.geturl()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def wait_for(base: str) -> None:
    for _ in range(120):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{base} did not start")


def main() -> int:
    env = {**os.environ, "GENTLE_ENV": "demo"}
    subprocess.run([GENTLE, "migrate", "-v0"], check=True, env=env)
    subprocess.run([GENTLE, "seed-demo"], check=True, env=env, stdout=subprocess.DEVNULL)
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [GENTLE, "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for port in ports
    ]
    a, b = (f"http://127.0.0.1:{port}" for port in ports)
    results = []
    try:
        wait_for(a)
        wait_for(b)
        results.append(("both servers answer /healthz", True))

        visitor = Browser()
        status, landed = visitor.sign_in(a, "client@demo.gentle.test", PASSWORD)
        signed_in_a = status == 200 and not landed.endswith("/accounts/login/")
        _status, home_b = visitor.get(b, "/")
        results.append(
            (
                "signed in on A, signed in on B",
                signed_in_a and "Sign out" in home_b and "Sign in" not in home_b,
            )
        )

        attacker = Browser()
        for number in range(5):
            attacker.sign_in(a if number % 2 == 0 else b, "clinician@demo.gentle.test", "wrong!")
        _status, landed = Browser().sign_in(a, "clinician@demo.gentle.test", PASSWORD)
        blocked_a = "/accounts/login/" in landed or "Too many" in landed
        _status, landed_b = Browser().sign_in(b, "clinician@demo.gentle.test", PASSWORD)
        blocked_b = "/accounts/login/" in landed_b or "Too many" in landed_b
        results.append(
            (
                "5 wrong passwords over A and B stop the right one on A and B",
                blocked_a and blocked_b,
            )
        )
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
    for name, ok in results:
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    return 0 if all(ok for _name, ok in results) and len(results) == 3 else 1


if __name__ == "__main__":
    sys.exit(main())
