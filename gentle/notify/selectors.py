"""Reads of the outbox."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gentle.lib.keyset import PAGE_SIZE, Cursor, KeysetPage, page_of
from gentle.notify.models import OutboundMail


def mail_page(
    clinic_id: int,
    member_addresses: QuerySet,
    *,
    cursor: Cursor | None,
    bad_cursor: bool = False,
    size: int = PAGE_SIZE,
) -> KeysetPage:
    """A page of the clinic's outgoing mail, newest first by id (keyset, ADR 0027): the
    clinic's messages, and the account messages (no clinic: password resets, account notices)
    to the addresses ``member_addresses`` gives (a query of one column, run inside these).

    The two kinds are read by two queries, each newest first down the index ``(clinic_id,
    id)``, and merged here: one query with an OR between them is served by no index and sorts
    every message of the clinic. The clinic's messages are the first 51 of its part of the
    index; the account messages are walked from the newest and kept when they went to a
    member, so that walk also reads the account mail of other clinics' people newer than the
    page (sent mail is deleted after 90 days, ``gentle.notify.actions.KEPT``, and account mail
    is a small share of the outbox, which is mostly appointment reminders). A cursor that
    finds no row gives the first page and ``bad_cursor``, as ``gentle.lib.keyset.keyset_page``
    does.
    """
    sources = [
        OutboundMail.objects.filter(clinic_id=clinic_id),
        OutboundMail.objects.filter(clinic_id__isnull=True, to__in=member_addresses),
    ]
    if cursor is not None:
        forward = cursor.direction == "after"
        beyond = Q(pk__lt=cursor.key) if forward else Q(pk__gt=cursor.key)
        found = _first(sources, beyond, newest_first=forward, count=size + 1)
        if found:
            return page_of(found, size=size, direction=cursor.direction)
        bad_cursor = True
    found = _first(sources, Q(), newest_first=True, count=size + 1)
    return page_of(found, size=size, bad_cursor=bad_cursor)


def _first(
    sources: list[QuerySet], beyond: Q, *, newest_first: bool, count: int
) -> list[OutboundMail]:
    """The first ``count`` rows of the sources (which share no row) together, in id order:
    the first ``count`` of each, merged. Each source has one clinic_id (or none), so ordering
    by it first changes nothing but the plan: only the index ``(clinic_id, id)`` gives that
    order, where the primary key's, read newest first with a filter on the clinic, could
    walk the whole outbox to find the few account messages (PostgreSQL chose it so)."""
    order = ["-clinic_id", "-pk"] if newest_first else ["clinic_id", "pk"]
    found = [
        mail
        for source in sources
        for mail in source.filter(beyond).defer("attachment").order_by(*order)[:count]
    ]
    return sorted(found, key=lambda mail: mail.pk, reverse=newest_first)[:count]
