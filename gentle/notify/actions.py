"""The outbox: queue a message (in the caller's transaction, audited), and deliver it from the
worker with retries. Requests never wait for, or fail with, the mail server."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.notify.channels import Attachment, DeliveryError, sender_for
from gentle.notify.models import Channel, MailStatus, OutboundMail

logger = logging.getLogger("gentle.notify")

# After the 1st, 2nd, 3rd and 4th failed attempt; the 5th failure is final.
RETRY_AFTER = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
# A send still unfinished this long after it began (the worker died) is tried again.
SENDING_EXPIRES = timedelta(minutes=15)
# Sent and failed messages are listed this long, then deleted.
KEPT = timedelta(days=90)
BATCH = 50


def mail_queue(
    *,
    to: str,
    subject: str,
    body: str,
    purpose: str,
    clinic_id: int | None = None,
    by=None,
    channel: str = Channel.EMAIL,
    attachment: Attachment | None = None,
) -> OutboundMail:
    """Store a message and have the worker send it once the caller's transaction commits.
    It may carry one text attachment (an invitation in iCalendar form).

    The audit row names the purpose and the message's id, not its content. If the worker
    cannot be told (the task queue is unavailable), the periodic pick-up sends it anyway.
    """
    from gentle.notify.tasks import send_outbound_mail

    sender_for(channel)  # an unknown channel is a programming error: fail here, not later
    with transaction.atomic():
        mail = OutboundMail.objects.create(
            channel=channel,
            to=to,
            subject=subject[:255],
            body=body,
            purpose=purpose,
            clinic_id=clinic_id,
            next_attempt_at=timezone.now(),
            **(
                {
                    "attachment_name": attachment.name,
                    "attachment_type": attachment.media_type,
                    "attachment": attachment.text,
                }
                if attachment
                else {}
            ),
        )
        record(
            Action.MAIL_QUEUE,
            actor=by,
            clinic_id=clinic_id,
            object_type="outboundmail",
            object_id=mail.pk,
            detail=f"purpose={purpose}",
        )
        transaction.on_commit(lambda: send_outbound_mail.enqueue(mail.pk), robust=True)
    return mail


def mail_deliver(*, mail_id: int, now: datetime | None = None) -> str:
    """Send one message if it is due; returns its status afterwards ("" when it was not due,
    e.g. another worker has it). Only one worker can claim a message at a time."""
    now = now or timezone.now()
    claimed = OutboundMail.objects.filter(
        pk=mail_id,
        status__in=[MailStatus.QUEUED, MailStatus.SENDING],
        next_attempt_at__lte=now,
    ).update(
        status=MailStatus.SENDING,
        attempts=F("attempts") + 1,
        next_attempt_at=now + SENDING_EXPIRES,
    )
    if not claimed:
        return ""
    mail = OutboundMail.objects.get(pk=mail_id)
    try:
        sender_for(mail.channel).send(
            to=mail.to,
            subject=mail.subject,
            body=mail.body,
            attachments=[Attachment(mail.attachment_name, mail.attachment_type, mail.attachment)]
            if mail.attachment_name
            else [],
        )
    except DeliveryError as exc:
        return _failed(mail, exc, now)
    OutboundMail.objects.filter(pk=mail.pk).update(
        status=MailStatus.SENT,
        sent_at=timezone.now(),
        next_attempt_at=None,
        **_erased(),
    )
    logger.info("message sent", extra={"mail_id": mail.pk, "attempt": mail.attempts})
    return MailStatus.SENT


def _erased() -> dict:
    """Once a message has gone (or will never go) its text is no longer needed; the demo
    keeps it, as the outbox there is where one reads the mail."""
    return {} if settings.DEMO else {"body": "", "attachment": ""}


def _failed(mail: OutboundMail, exc: DeliveryError, now: datetime) -> str:
    final = exc.permanent or mail.attempts > len(RETRY_AFTER)
    extra = {"mail_id": mail.pk, "attempt": mail.attempts, "error": exc.code}
    if not final:
        OutboundMail.objects.filter(pk=mail.pk).update(
            status=MailStatus.QUEUED,
            next_attempt_at=now + RETRY_AFTER[mail.attempts - 1],
            last_error=exc.code,
        )
        logger.warning("message not sent, will retry", extra=extra)
        return MailStatus.QUEUED
    with transaction.atomic():
        OutboundMail.objects.filter(pk=mail.pk).update(
            status=MailStatus.FAILED, next_attempt_at=None, last_error=exc.code, **_erased()
        )
        record(
            Action.MAIL_FAILED,
            role="system",
            clinic_id=mail.clinic_id,
            object_type="outboundmail",
            object_id=mail.pk,
            detail=f"purpose={mail.purpose} attempts={mail.attempts} error={exc.code}",
        )
    logger.error("message not sent, giving up", extra=extra)
    return MailStatus.FAILED


def mail_deliver_due(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """Send what is due: retries whose time has come, messages whose worker task was lost,
    and sends that never finished. Returns how many were sent."""
    now = now or timezone.now()
    due = (
        OutboundMail.objects.filter(
            Q(status__in=[MailStatus.QUEUED, MailStatus.SENDING]), next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(mail_deliver(mail_id=pk, now=now) == MailStatus.SENT for pk in list(due))


def mail_prune(*, now: datetime | None = None) -> int:
    """Delete sent and failed messages older than KEPT."""
    cutoff = (now or timezone.now()) - KEPT
    deleted, _ = OutboundMail.objects.filter(
        status__in=[MailStatus.SENT, MailStatus.FAILED], created_at__lt=cutoff
    ).delete()
    return deleted
