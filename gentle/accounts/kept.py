"""What a person typed is not lost when their session ends (docs/adr/0042-notes-are-never-lost.md).

A form posted after the session ended cannot be saved: nobody is signed in. For views marked
with :func:`keeps_typed_text`, the posted fields are kept in the new, anonymous server-side
session (never in a cookie, a URL or a log) and the person is sent to sign in with ``next`` set
to the page the form belongs to, never to the POST-only address (which would answer 405). That
page takes the fields back with :func:`take` and shows them in its form, unsaved.

What is kept dies with the session: signing out flushes it, signing in as someone else drops
it, and it is dropped after the absolute session lifetime.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from gentle.lib.routes import RULES

KEPT = "gentle_kept_post"
NOT_KEPT = frozenset({"csrfmiddlewaretoken"})


def keeps_typed_text(*, return_to: str) -> Callable:
    """Mark a POST view whose form is kept when the session has ended; ``return_to`` names the
    page (a route taking the same URL arguments) where the person signs in again."""

    def mark(view: Callable) -> Callable:
        view.keeps_typed_text = True  # type: ignore[attr-defined]
        view.return_to = return_to  # type: ignore[attr-defined]
        return view

    return mark


def _route_allows_get(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    rule = RULES.get(match.url_name or "")
    return rule is not None and "GET" in rule.methods


def return_path(request: HttpRequest) -> str:
    """Where to come back after signing in: the address itself for a GET; for a POST, the page
    its view names, else the address if it answers GET, else the (same-site) page the form was
    on, else home. Never an address that only takes POST."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return resolve_url(settings.LOGIN_REDIRECT_URL)
    return_to = getattr(match.func, "return_to", None)
    if return_to:
        return reverse(return_to, kwargs=match.kwargs)
    if _route_allows_get(request.path_info):
        return request.path
    referer = request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        path = urlsplit(referer).path
        if _route_allows_get(path):
            return path
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def keep(request: HttpRequest, *, user_id: int | None) -> None:
    """Keep the fields of a POST to a view marked :func:`keeps_typed_text` in the (new,
    anonymous) session, for ``user_id`` when the ended session knew who it was."""
    if request.method != "POST":
        return
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return
    if not getattr(view, "keeps_typed_text", False):
        return
    page = return_path(request)
    before = request.session.get(KEPT) or {}
    if user_id is None and before.get("page") == page:
        user_id = before.get("user")  # a later post of the same form, now without a session
    request.session[KEPT] = {
        "page": page,
        "user": user_id,
        "at": time.time(),
        "fields": {k: request.POST.getlist(k) for k in request.POST if k not in NOT_KEPT},
    }


def take(request: Any, *, page: str) -> QueryDict | None:
    """The fields kept for the form of ``page`` (the path of the page it was on), once
    (they are removed), if the
    signed-in person is the one who typed them (or the ended session did not say who) and the
    session's absolute lifetime has not passed since."""
    kept = request.session.get(KEPT)
    if not kept or kept.get("page") != page:
        return None
    del request.session[KEPT]
    if kept.get("user") not in (None, request.user.pk):
        return None
    if time.time() - kept.get("at", 0) > settings.GENTLE_SESSION_MAX_HOURS * 3600:
        return None
    fields = QueryDict(mutable=True)
    for name, values in kept.get("fields", {}).items():
        fields.setlist(name, values)
    return fields
