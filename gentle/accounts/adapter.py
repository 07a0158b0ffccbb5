"""How django-allauth behaves in Gentle: no open sign-up, audited logins and logouts, logout
ending every session of the person, accounts found by User.email alone, throttles keyed on the
account and on the visitor's address, and mail queued in the outbox (gentle.notify) with names
and links from configuration."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from gentle.accounts.actions import end_sessions
from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.lib.clientip import client_ip
from gentle.lib.siteurl import absolute_url, site_host
from gentle.notify.actions import mail_queue
from gentle.notify.models import Purpose

MAIL_PURPOSES = {
    "account/email/password_reset_key": Purpose.PASSWORD_RESET,
    "account/email/unknown_account": Purpose.UNKNOWN_ACCOUNT,
}


@dataclass(frozen=True)
class MailSite:
    """What allauth's mail templates read as ``current_site``."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Accounts are created by a clinic (invitation or demo seed), never by sign-up."""
        return False

    def pre_login(self, request, user, **kwargs):
        # The password is right: give the half-signed-in session a new key before the code
        # step, so that a key planted in the browser beforehand is worth nothing.
        request.session.cycle_key()
        return super().pre_login(request, user, **kwargs)

    def login(self, request, user) -> None:
        with transaction.atomic():
            super().login(request, user)  # Django's login gives the session a new key
            record(Action.AUTH_LOGIN, actor=user)

    def logout(self, request) -> None:
        user = request.user
        with transaction.atomic():
            if user.is_authenticated:
                end_sessions(user)  # logging out here logs out everywhere
                record(Action.AUTH_LOGOUT, actor=user)
            super().logout(request)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """The failed-sign-in budget belongs to the account alone. allauth keys it on the
        request's host too, so another spelling of the host (case, port, a trailing dot) would
        give a fresh budget. The address is normalised as sign-in compares it: trimmed and
        lower-cased."""
        login = credentials.get("email") or credentials.get("username") or ""
        return f"account:{login.strip().lower()}"

    def get_client_ip(self, request) -> str:
        """The visitor's address for allauth's per-address throttles: behind our reverse proxy,
        the visitor's, not the proxy's (one bucket for the whole clinic otherwise)."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def reauthenticate(self, user, password: str) -> bool:
        """Confirm the password for the sign-in address (allauth would use its primary
        EmailAddress row, which sign-in no longer looks at)."""
        again = self.authenticate(allauth_context.request, email=user.email, password=password)
        return again is not None and again.pk == user.pk

    def format_email_subject(self, subject: str) -> str:
        # allauth prefixes the request's host; the clinic's configured name instead.
        return f"[{settings.GENTLE_CLINIC_NAME}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's mail, with the site's name and links from configuration: allauth takes
        both from the request's Host header, which the sender of the request chooses."""
        ctx = {
            "email": email,
            "current_site": MailSite(settings.GENTLE_CLINIC_NAME, site_host()),
            **context,
        }
        ctx.pop("signup_url", None)  # accounts come by invitation; see unknown_account_message
        message = self.render_mail(template_prefix, email, ctx)
        # Queued, not sent: the worker sends it and retries while the mail server is down.
        mail_queue(
            to=email,
            subject=message.subject,
            body=message.body,
            purpose=MAIL_PURPOSES.get(template_prefix, Purpose.ACCOUNT_NOTICE),
        )

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute_url(path.replace("UID-KEY", quote(key)))

    def send_password_reset_mail(self, user, email, context) -> None:
        # To the account's own address, whatever spelling was typed.
        super().send_password_reset_mail(user, user.email, context)

    def send_notification_mail(self, template_prefix, user, context=None, email=None) -> None:
        super().send_notification_mail(template_prefix, user, context, email or user.email)

    def authentication_failed(self, request, **credentials) -> None:
        # The attempted address is kept (a security event); the answer to the visitor is the
        # same whether or not an account exists.
        with transaction.atomic():
            record(
                Action.AUTH_LOGIN_FAILED,
                actor_label=str(credentials.get("email") or credentials.get("username") or ""),
            )
