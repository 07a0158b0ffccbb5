"""The API's error answers: one JSON shape, ``{"error": code, "message": text}``, wherever the
error arises: in a view (404, refused fields), in Django itself (unknown address, a body over
the upload limit, a server error) or in a decorator or middleware (wrong method, CSRF).

Field errors are capped: a client that sends 100,000 unknown answers gets the first few and a
count, and no id or message is echoed back at any length.
"""

from __future__ import annotations

from http import HTTPStatus
from itertools import islice
from typing import TYPE_CHECKING

from django.http import HttpRequest, JsonResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

API_PREFIX = "/api/"
MAX_ERRORS = 20
MAX_KEY = 64
MAX_MESSAGE = 300

CODES = {
    400: ("bad request", gettext_lazy("The request could not be understood.")),
    401: (
        "unauthorized",
        gettext_lazy(
            "Send a valid API token (Authorization: Bearer …) or sign in; this one is missing, "
            "unknown, expired or revoked."
        ),
    ),
    403: ("forbidden", gettext_lazy("This request is not allowed.")),
    404: ("not found", gettext_lazy("There is nothing here, or nothing you may see.")),
    405: (
        "method not allowed",
        gettext_lazy(
            "This address does not take this method; the Allow header names those it takes."
        ),
    ),
    413: ("too large", gettext_lazy("The request body is larger than this server accepts.")),
    429: (
        "too many requests",
        gettext_lazy("Too many requests with this token; retry after the Retry-After seconds."),
    ),
    500: ("server error", gettext_lazy("Something went wrong on our side. It has been logged.")),
    503: (
        "unavailable",
        gettext_lazy("The database cannot be reached just now; nothing was changed. Retry later."),
    ),
}


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error(status: int, message: StrOrPromise | None = None, **extra: object) -> JsonResponse:
    """The JSON error answer for ``status``, with the standard message unless one is given."""
    standard: StrOrPromise
    if status in CODES:
        code, standard = CODES[status]
    else:
        phrase = HTTPStatus(status).phrase
        code, standard = phrase.lower(), str(phrase)
    body = {"error": code, "message": str(message or standard), **extra}
    return JsonResponse(body, status=status)


def field_errors(errors: dict) -> JsonResponse:
    """400 with messages by field or question id: at most MAX_ERRORS of them, with ids and
    messages shortened, and the number of the others in ``more_errors``."""
    shown = {
        _shorten(str(key), MAX_KEY): _shorten(str(text), MAX_MESSAGE)
        for key, text in islice(errors.items(), MAX_ERRORS)
    }
    more = max(len(errors) - MAX_ERRORS, 0)
    if not more:
        return api_error(400, _("The request was refused; nothing was stored."), errors=shown)
    message = _(
        "The request was refused; nothing was stored. The first %(shown)s problems are listed, "
        "and %(more)s more."
    ) % {"shown": MAX_ERRORS, "more": number_format(more, force_grouping=True)}
    return api_error(400, message, errors=shown, more_errors=more)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
