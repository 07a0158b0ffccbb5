"""Audit of MFA changes. django-allauth reports them only as signals; the receivers are
connected in AccountsConfig.ready, and do nothing but audit (and rotate the session key)."""

from __future__ import annotations

from allauth.mfa import signals
from django.db import transaction

from gentle.audit.log import record


def _audit(action: str):
    def receiver(sender, request, user, authenticator=None, **kwargs):
        with transaction.atomic():
            record(
                action,
                actor=user,
                object_type="authenticator",
                object_id=getattr(authenticator, "type", ""),
            )
        if action == "mfa.add" and request is not None and hasattr(request, "session"):
            request.session.cycle_key()  # a new session key once MFA is in place

    receiver.__name__ = f"audit_{action.replace('.', '_')}"
    return receiver


RECEIVERS = {
    signals.authenticator_added: _audit("mfa.add"),
    signals.authenticator_removed: _audit("mfa.remove"),
    signals.authenticator_reset: _audit("mfa.reset"),
    signals.authentication_failed: _audit("mfa.failed"),
}


def connect() -> None:
    for signal, receiver in RECEIVERS.items():
        signal.connect(receiver, dispatch_uid=receiver.__name__)
