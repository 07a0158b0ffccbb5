"""Outgoing messages: each one is stored first, then sent by the worker, retried when the mail
server is down, and its status kept for the administrator's "Outgoing mail" page."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a message travels; each has a sender in gentle.notify.channels."""

    EMAIL = "email", _("Email")


class MailStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Purpose(models.TextChoices):
    """Why a message was sent: shown to the administrator instead of its content."""

    PASSWORD_RESET = "password_reset", _("Password reset")
    UNKNOWN_ACCOUNT = "unknown_account", _("Password reset for an unknown address")
    ACCOUNT_NOTICE = "account_notice", _("Account notice")
    PORTAL_INVITATION = "portal_invitation", _("Portal invitation")
    INTAKE_DECLINE = "intake_decline", _("Answer to a consultation request")
    SAFETY_ALERT = "safety_alert", _("Safety alert")
    SESSION_REMINDER = "session_reminder", _("Appointment reminder")


class OutboundMail(models.Model):
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    to = models.CharField(_("to"), max_length=254, help_text="An email address (or a number).")
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(
        blank=True,
        help_text="The text to send. In production it is erased once sent or given up on.",
    )
    attachment_name = models.CharField(
        max_length=100, blank=True, help_text="The file name of the one attachment, if any."
    )
    attachment_type = models.CharField(
        max_length=100, blank=True, help_text="Its media type, e.g. text/calendar."
    )
    attachment = models.TextField(
        blank=True,
        help_text="The attachment's text (an invitation in iCalendar form); erased with the body.",
    )
    clinic_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The clinic the message is about; empty for accounts."
    )
    purpose = models.CharField(_("purpose"), max_length=40, choices=Purpose.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=MailStatus.choices, default=MailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When it is due (queued), or when a send that has not finished counts as "
        "lost and is tried again (sending).",
    )
    last_error = models.CharField(
        _("last error"),
        max_length=200,
        blank=True,
        help_text="The kind of failure and the server's code, never the message's content.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outboundmail_due"),
            # The "Outgoing mail" page, newest first by id (keyset, ADR 0027), in two reads: the
            # clinic's messages, and the account messages (no clinic) kept to its members'.
            models.Index(fields=["clinic_id", "id"], name="outboundmail_clinic_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MailStatus.values), name="outboundmail_status_known"
            ),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=False) | ~Q(status=MailStatus.SENT),
                name="outboundmail_sent_has_time",
            ),
            models.CheckConstraint(
                condition=Q(next_attempt_at__isnull=False)
                | ~Q(status__in=[MailStatus.QUEUED, MailStatus.SENDING]),
                name="outboundmail_pending_has_time",
            ),
            models.CheckConstraint(
                condition=Q(attachment="") | ~Q(attachment_name="") & ~Q(attachment_type=""),
                name="outboundmail_attachment_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} #{self.pk} ({self.status})"

    @property
    def is_sent(self) -> bool:
        return self.status == MailStatus.SENT

    @property
    def is_queued(self) -> bool:
        return self.status == MailStatus.QUEUED
