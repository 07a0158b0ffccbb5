"""View decorators for roles. A wrong role answers 404, like a missing page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponseBase

from gentle.accounts import kept
from gentle.accounts.context import clinic_context
from gentle.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """For annotations: the request a view behind ``role_required`` (or ``login_required``)
    receives, whose user is signed in. Django never makes one; it is an HttpRequest."""

    user: User


def signed_in_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Django's ``login_required``, except that a POST whose session is gone keeps what was
    typed (for views marked ``kept.keeps_typed_text``) and sends the person to sign in with
    ``next`` set to a page, never to a POST-only address (gentle.accounts.kept)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            kept.keep(request, user_id=None)
            return redirect_to_login(kept.return_path(request))
        return view(request, *args, **kwargs)

    return wrapped


def role_required(*roles: str):
    """Signed in, and holding one of ``roles`` in the request's clinic; otherwise 404."""

    def decorator(view):
        @signed_in_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not clinic_context(request).has(*roles):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
