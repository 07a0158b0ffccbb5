"""Audit of MFA changes. django-allauth reports them only as signals; the receivers are
connected in AccountsConfig.ready, and do nothing but audit (and rotate the session key)."""

from __future__ import annotations

from allauth.mfa import signals
from django.db import transaction

from gentle.audit.log import record
from gentle.audit.names import Action


def _receiver(action: Action):
    def receiver(sender, request, user, authenticator=None, **kwargs):
        with transaction.atomic():
            record(
                action,
                actor=user,
                object_type="authenticator",
                object_id=getattr(authenticator, "type", ""),
            )
        if action == Action.MFA_ADD and request is not None and hasattr(request, "session"):
            request.session.cycle_key()  # a new session key once MFA is in place

    receiver.__name__ = f"audit_{action.replace('.', '_')}"
    return receiver


RECEIVERS = {
    signals.authenticator_added: _receiver(Action.MFA_ADD),
    signals.authenticator_removed: _receiver(Action.MFA_REMOVE),
    signals.authenticator_reset: _receiver(Action.MFA_RESET),
    signals.authentication_failed: _receiver(Action.MFA_FAILED),
}


def connect() -> None:
    for signal, receiver in RECEIVERS.items():
        signal.connect(receiver, dispatch_uid=receiver.__name__)
