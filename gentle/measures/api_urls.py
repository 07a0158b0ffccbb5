"""The JSON API (mounted under /api/v1/): django-ninja's routes, each run in one transaction
(its reads, writes and audit rows, the token's use included) and declared with its access
rule for the access matrix."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import transaction
from django.http import HttpResponseBase
from django.urls import URLPattern, path

from gentle.lib.routes import Access, declare, route
from gentle.measures import api

GET = ("GET",)
RULES = {
    "api_clients": (Access.CLINICAL, GET),
    "api_client": (Access.CLIENT_TEAM, GET),
    "api_client_courses": (Access.CLIENT_TEAM, GET),
    "api_client_sessions": (Access.CLIENT_TEAM, GET),
    "api_client_administrations": (Access.CLIENT_TEAM_READ_WRITE, ("GET", "POST")),
    "api_administration_detail": (Access.CLIENT_TEAM, GET),
    "api_course_outcome": (Access.CLIENT_TEAM, GET),
}


def _atomic(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)  # keeps csrf_exempt: ninja checks CSRF itself, for the session only
    def wrapped(*args: Any, **kwargs: Any) -> HttpResponseBase:
        with transaction.atomic():
            return view(*args, **kwargs)

    return wrapped


def _patterns() -> list[URLPattern]:
    seen: set[str] = set()
    patterns = []
    for entry in api.api.urls[0]:
        # One pattern per path (ninja makes one per operation; its view takes every method),
        # and not ninja's empty root.
        if not isinstance(entry, URLPattern) or entry.name not in RULES:
            continue
        if str(entry.pattern) in seen:
            continue
        seen.add(str(entry.pattern))
        access, methods = RULES[entry.name]
        rebuilt = path(str(entry.pattern), _atomic(entry.callback), name=entry.name)
        patterns.append(declare(rebuilt, access=access, methods=methods))
    assert {p.name for p in patterns} == set(RULES), "every API route is declared"
    return patterns


urlpatterns = [
    *_patterns(),
    route("openapi.json", api.openapi, name="api_openapi", access=Access.PUBLIC),
]
