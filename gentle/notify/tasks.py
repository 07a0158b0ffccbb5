"""Background work for the outbox, run by `gentle worker`."""

from __future__ import annotations

from django_tasks import task


@task()
def send_outbound_mail(mail_id: int) -> str:
    """Send one queued message (enqueued when it is queued)."""
    from gentle.notify.actions import mail_deliver

    return mail_deliver(mail_id=mail_id) or "not due"


@task()
def send_due_mail() -> int:
    """Every minute: send retries that are due and anything whose task was lost."""
    from gentle.notify.actions import mail_deliver_due

    return mail_deliver_due()


@task()
def prune_old_mail() -> int:
    """Daily: forget sent and failed messages after 90 days."""
    from gentle.notify.actions import mail_prune

    return mail_prune()
