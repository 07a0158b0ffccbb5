"""View decorators for roles. A wrong role answers 404, like a missing page."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest

from gentle.accounts.context import clinic_context
from gentle.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """For annotations: the request a view behind ``role_required`` (or ``login_required``)
    receives, whose user is signed in. Django never makes one; it is an HttpRequest."""

    user: User


def role_required(*roles: str):
    """Signed in, and holding one of ``roles`` in the request's clinic; otherwise 404."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not clinic_context(request).has(*roles):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
