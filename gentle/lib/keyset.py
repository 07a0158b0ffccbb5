"""Keyset ("seek") pagination: a page of rows just after or just before a known row.

A page is found from where the last one ended (``WHERE key > last ORDER BY key LIMIT n``),
never by counting rows to skip (``OFFSET``), so page 1,000 costs what page 1 costs, given an
index on the ordering. There is no page count, only "Next" and "Previous".

The cursor in a link is the last ordering field of a row (a unique id or sequence number), in
plain sight: ``?after=123`` or ``?before=123``. It names no client data. Where the ordering has
more fields than that key (names, then id), the row's other values are read back from the
caller's own queryset, so a cursor naming a row the caller may not see is simply invalid. An
invalid cursor, or one that finds no rows, gives the first page and ``page.bad_cursor``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

PAGE_SIZE = 50
_MAX_KEY = 2**63 - 1

Direction = Literal["after", "before"]


@dataclass(frozen=True)
class Cursor:
    direction: Direction
    key: int


@dataclass
class KeysetPage:
    """One page: its rows, and the cursors of the pages on either side (None at either end)."""

    rows: list[Any]
    next_after: int | None = None
    previous_before: int | None = None
    bad_cursor: bool = False
    query: str = ""  # the request's other parameters (filters), for the links

    @property
    def has_other_pages(self) -> bool:
        return self.next_after is not None or self.previous_before is not None


def read_cursor(params: Mapping[str, str]) -> tuple[Cursor | None, bool]:
    """The cursor in a request's query string, and whether one was given but is not valid."""
    given = [name for name in ("after", "before") if name in params]
    if not given:
        return None, False
    if len(given) > 1:
        return None, True
    raw = params[given[0]]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19:
        return None, True
    key = int(raw)
    if not 1 <= key <= _MAX_KEY:
        return None, True
    direction: Direction = "after" if given[0] == "after" else "before"
    return Cursor(direction, key), False


def _beyond(order: Sequence[str], anchor: Mapping[str, Any], *, forward: bool) -> Q:
    """Rows strictly beyond ``anchor`` in the ordering (all fields ascending, or all
    descending when a name starts with "-"), written so an index on the ordering is used: a
    range on the first field, then the tie-breaks."""
    fields = [name.lstrip("-") for name in order]
    descending = order[0].startswith("-")
    strict = "gt" if forward != descending else "lt"
    condition = Q()
    for i, name in enumerate(fields):
        ties = {f: anchor[f] for f in fields[:i]}
        condition |= Q(**ties, **{f"{name}__{strict}": anchor[name]})
    return Q(**{f"{fields[0]}__{strict}e": anchor[fields[0]]}) & condition


def keyset_page(
    queryset: QuerySet,
    *,
    order: Sequence[str],
    cursor: Cursor | None,
    bad_cursor: bool = False,
    size: int = PAGE_SIZE,
) -> KeysetPage:
    """The page of ``queryset`` in ``order`` that ``cursor`` points to (the first without one).

    ``order``'s last field must be unique (the cursor's key). Costs one query, or two when the
    ordering has more fields than the key (the cursor row's values are read back).
    """
    key_field = order[-1].lstrip("-")
    anchor: dict[str, Any] | None = None
    if cursor is not None:
        if len(order) == 1:
            anchor = {key_field: cursor.key}
        else:
            names = [name.lstrip("-") for name in order]
            anchor = (
                queryset.prefetch_related(None)
                .filter(**{key_field: cursor.key})
                .values(*names)
                .first()
            )
            bad_cursor = bad_cursor or anchor is None
    if cursor is not None and anchor is not None:
        forward = cursor.direction == "after"
        ordering = order if forward else [_reverse(name) for name in order]
        found = list(
            queryset.filter(_beyond(order, anchor, forward=forward)).order_by(*ordering)[: size + 1]
        )
        if found:
            return page_of(found, size=size, key_field=key_field, direction=cursor.direction)
        bad_cursor = True
    found = list(queryset.order_by(*order)[: size + 1])
    return page_of(found, size=size, key_field=key_field, bad_cursor=bad_cursor)


def page_of(
    found: list[Any],
    *,
    size: int,
    key_field: str = "pk",
    direction: Direction | None = None,
    bad_cursor: bool = False,
) -> KeysetPage:
    """The page made of ``found``: up to ``size + 1`` rows read from a cursor in ``direction``
    (nearest first; None for the first page), the one past ``size`` telling that more lie
    beyond. For readers that find the rows their own way (``keyset_page`` does it for one
    queryset)."""
    more = len(found) > size
    rows = found[:size]
    if direction is None:
        return KeysetPage(
            rows, next_after=_key(rows[-1], key_field) if more else None, bad_cursor=bad_cursor
        )
    if direction == "after":
        return KeysetPage(
            rows,
            next_after=_key(rows[-1], key_field) if more else None,
            previous_before=_key(rows[0], key_field),
        )
    rows.reverse()
    return KeysetPage(
        rows,
        next_after=_key(rows[-1], key_field),
        previous_before=_key(rows[0], key_field) if more else None,
    )


def _reverse(name: str) -> str:
    return name[1:] if name.startswith("-") else f"-{name}"


def _key(row: Any, key_field: str) -> int:
    return int(row[key_field] if isinstance(row, dict) else getattr(row, key_field))


def request_page(
    request: HttpRequest, queryset: QuerySet, *, order: Sequence[str], size: int = PAGE_SIZE
) -> KeysetPage:
    """The page the request's ``after``/``before`` names, with the request's other parameters
    kept for the links; a bad cursor gives the first page and says so."""
    return read_request_page(
        request,
        lambda cursor, bad: keyset_page(
            queryset, order=order, cursor=cursor, bad_cursor=bad, size=size
        ),
    )


def read_request_page(
    request: HttpRequest, read: Callable[[Cursor | None, bool], KeysetPage]
) -> KeysetPage:
    """``request_page`` for a page that ``read`` finds from the cursor (and whether the one
    given was unreadable), e.g. by merging two queries."""
    cursor, bad = read_cursor(request.GET)
    page = read(cursor, bad)
    query = request.GET.copy()
    for name in ("after", "before", "page"):
        query.pop(name, None)
    page.query = query.urlencode()
    if page.bad_cursor:
        messages.warning(
            request, _("That page link is not valid (any more). Here is the first page.")
        )
    return page
