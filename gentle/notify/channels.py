"""The ways a message can leave Gentle. Each channel sends one message or raises
DeliveryError; the outbox (gentle.notify.actions) stores, retries and records the outcome.

A new channel (SMS, pager) is a class with ``send(to=, subject=, body=, attachments=)`` added
to CHANNELS and a value added to ``models.Channel``.
"""

from __future__ import annotations

import smtplib
from typing import NamedTuple, Protocol

from django.conf import settings
from django.core.mail import EmailMessage


class DeliveryError(Exception):
    """A message could not be sent. ``code`` names the failure without the message's content
    (it is shown to the administrator and logged); ``permanent`` says that trying again
    cannot help (the server refused the address)."""

    def __init__(self, code: str, *, permanent: bool = False):
        super().__init__(code)
        self.code = code[:200]
        self.permanent = permanent


class Attachment(NamedTuple):
    """A text file sent with a message (a channel that cannot carry files leaves it out)."""

    name: str
    media_type: str
    text: str


class Sender(Protocol):
    def send(
        self, *, to: str, subject: str, body: str, attachments: list[Attachment] | None = None
    ) -> None: ...


def describe(exc: BaseException) -> str:
    """The kind of failure and, for SMTP, the server's code; never the exception's text,
    which may quote addresses or the message."""
    code = getattr(exc, "smtp_code", None)
    return f"{type(exc).__name__} {code}" if code else type(exc).__name__


class EmailSender:
    """Through Django's configured EMAIL_BACKEND (SMTP in production)."""

    def send(
        self, *, to: str, subject: str, body: str, attachments: list[Attachment] | None = None
    ) -> None:
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
        for attachment in attachments or []:
            message.attach(attachment.name, attachment.text, attachment.media_type)
        try:
            sent = message.send()
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            permanent = bool(codes) and all(500 <= code < 600 for code in codes)
            raise DeliveryError(
                f"SMTPRecipientsRefused {codes[0] if codes else ''}".strip(), permanent=permanent
            ) from None
        except Exception as exc:  # the backend's failure, whatever its kind
            raise DeliveryError(describe(exc)) from None
        if not sent:
            raise DeliveryError("NotSent")


CHANNELS: dict[str, Sender] = {"email": EmailSender()}


def sender_for(channel: str) -> Sender:
    return CHANNELS[channel]
