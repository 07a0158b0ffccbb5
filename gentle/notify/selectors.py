"""Reads of the outbox."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from gentle.notify.models import OutboundMail


def mail_for_clinic(clinic_id: int, member_emails: Iterable[str]) -> QuerySet[OutboundMail]:
    """The clinic's messages, and the account messages (no clinic) to its members, newest
    first."""
    emails = [e.lower() for e in member_emails]
    return OutboundMail.objects.filter(
        Q(clinic_id=clinic_id) | Q(clinic_id__isnull=True, to__in=emails)
    ).order_by("-created_at", "-pk")
