"""Plain HTTP on loopback for the steps around a measurement: sign in, and check one page."""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

HOST = "127.0.0.1"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Only a signed-in page has the sign-out form (gentle/templates/base.html).
SIGNED_IN_MARKER = 'action="/accounts/logout/"'


@dataclass(frozen=True)
class Page:
    status: int
    body: str
    cookies: dict[str, str]
    location: str | None


def request(
    port: int, method: str, path: str, *, cookie: str | None = None, form: dict | None = None
) -> Page:
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode(errors="replace")
        jar: SimpleCookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        cookies = {name: morsel.value for name, morsel in jar.items()}
        return Page(response.status, text, cookies, response.getheader("Location"))
    finally:
        conn.close()


def sign_in(port: int, email: str, password: str) -> str:
    """Sign in through the real login form (CSRF included); returns the session Cookie header."""
    form_page = request(port, "GET", "/accounts/login/")
    token = CSRF_FIELD.search(form_page.body)
    csrf_cookie = form_page.cookies.get("csrftoken")
    if form_page.status != 200 or token is None or csrf_cookie is None:
        raise RuntimeError(f"login form unusable (status {form_page.status})")
    answer = request(
        port,
        "POST",
        "/accounts/login/",
        cookie=f"csrftoken={csrf_cookie}",
        form={"csrfmiddlewaretoken": token.group(1), "login": email, "password": password},
    )
    session = answer.cookies.get("sessionid")
    if answer.status != 302 or answer.location != "/" or not session:
        raise RuntimeError(f"login failed (status {answer.status}, location {answer.location})")
    return f"sessionid={session}"


def check_page(port: int, path: str, cookie: str | None, *, signed_in: bool | None) -> None:
    """Refuse to measure a page that is not the one intended (an error, a login redirect)."""
    page = request(port, "GET", path, cookie=cookie)
    if page.status != 200:
        raise RuntimeError(f"GET {path} answered {page.status}, expected 200")
    if signed_in is not None and (SIGNED_IN_MARKER in page.body) != signed_in:
        state = "signed-in" if signed_in else "anonymous"
        raise RuntimeError(f"GET {path} did not return the {state} page")
