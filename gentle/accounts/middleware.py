"""The audit context of each request; session policy and MFA enforcement, applied to every
request of a signed-in person."""

from __future__ import annotations

import logging
import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from gentle.accounts import kept
from gentle.accounts.context import clinic_context
from gentle.audit import context as audit_context
from gentle.audit.log import record
from gentle.audit.names import Action

STARTED = "gentle_started"
SEEN = "gentle_seen"
SEEN_WRITE_EVERY = 15  # seconds: keeps the session row from being rewritten on every request
BACKGROUND_HEADER = "X-Gentle-Background"

logger = logging.getLogger("gentle.audit")


class AuditMismatch(AssertionError):
    """A request whose audit rows do not match its work (raised only where
    GENTLE_AUDIT_STRICT is set: the test suite)."""


class AuditContextMiddleware:
    """Bind the audit context (gentle.audit.context) for the request: who acts, from where, in
    which request and clinic, so that actions need not carry the request for the audit. At the
    end, a request whose audit does not match its work is logged (raised in tests)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        def clinic_and_role():
            context = clinic_context(request)
            return (context.clinic.pk if context.clinic else None), context.primary_role()

        with audit_context.bound(
            audit_context.AuditContext(request=request, clinic=clinic_and_role)
        ) as bound:
            response = self.get_response(request)
        problems = bound.mismatches()
        if problems:
            route = getattr(getattr(request, "resolver_match", None), "view_name", None)
            logger.error("audit mismatch", extra={"route": route, "problems": problems})
            if getattr(settings, "GENTLE_AUDIT_STRICT", False):
                raise AuditMismatch(f"{request.method} {request.path}: {'; '.join(problems)}")
        return response


class SessionPolicyMiddleware:
    """Idle timeout (staff and clients differ), absolute lifetime, and no renewal by background
    polling. Nothing in the request can skip these checks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            ended = self._check(request)
            if ended is not None:
                return ended
        response = self.get_response(request)
        # A request made with an API token keeps no session (ADR 0062).
        token = getattr(request, "api_token", None)
        if request.user.is_authenticated and token is None and STARTED not in request.session:
            now = time.time()  # signed in during this request
            request.session[STARTED] = request.session[SEEN] = now
        return response

    def _check(self, request):
        session = request.session
        now = time.time()
        started, seen = session.get(STARTED), session.get(SEEN)
        if started is None or seen is None:
            session[STARTED] = session[SEEN] = now
            return None
        staff = clinic_context(request).is_staff_anywhere
        idle_limit = 60 * (
            settings.GENTLE_IDLE_MINUTES_STAFF if staff else settings.GENTLE_IDLE_MINUTES_CLIENT
        )
        reason = None
        if now - started > settings.GENTLE_SESSION_MAX_HOURS * 3600:
            reason = "absolute"
        elif now - seen > idle_limit:
            reason = "idle"
        if reason is None:
            if request.headers.get(BACKGROUND_HEADER) != "1" and now - seen >= SEEN_WRITE_EVERY:
                session[SEEN] = now
            return None
        return self._end(request, reason)

    def _end(self, request, reason: str):
        with transaction.atomic():
            record(Action.SESSION_EXPIRED, detail=f"reason={reason}")
        user_id = request.user.pk
        logout(request)
        kept.keep(request, user_id=user_id)  # in the new session: what was typed is not lost
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = settings.LOGIN_URL_PATH
            return response
        messages.info(request, _("Your session ended. Please sign in again."))
        return redirect_to_login(kept.return_path(request))


MFA_EXEMPT_ROUTES = frozenset(
    {
        "mfa_activate_totp",
        "mfa_index",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_reauthenticate",
        "account_reauthenticate",
        "account_logout",
        "set_language",
        "crisis",
        "healthz",
    }
)


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class MfaRequiredMiddleware:
    """Staff must set up an authenticator app before any other page opens (a demo-only setting
    may relax this, with a banner)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            not settings.GENTLE_DEMO_MFA_OPTIONAL
            and request.user.is_authenticated
            and clinic_context(request).is_staff_anywhere
            and not self._exempt(request)
            and not has_totp(request.user)
        ):
            messages.warning(
                request,
                _(
                    "Staff accounts need two-factor authentication. Set up your authenticator app "
                    "to continue."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _exempt(request) -> bool:
        if request.path_info.startswith(settings.STATIC_URL):
            return True
        try:
            return resolve(request.path_info).url_name in MFA_EXEMPT_ROUTES
        except Resolver404:
            return True  # a 404 page shows nothing


class NoStoreMiddleware:
    """Pages for signed-in people may show client data: browsers and proxies must not keep
    them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
        return response
