"""How the session page names the communication analyses and worksheets linked to a session
(gentle.lib.session_panel.ToolKind, registered at start-up; courses may not read them)."""

from __future__ import annotations

from collections.abc import Collection

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gentle.communication.models import Exchange, Worksheet
from gentle.lib.session_panel import ToolKind, ToolRef


def _exchange(exchange: Exchange) -> ToolRef:
    label = (
        _("Communication analysis with %(person)s") % {"person": exchange.person_label}
        if exchange.person_label
        else _("Communication analysis")
    )
    return ToolRef(
        "exchange",
        exchange.pk,
        label,
        reverse("exchange_detail", kwargs={"exchange_id": exchange.pk}),
        exchange.day,
    )


def _worksheet(worksheet: Worksheet) -> ToolRef:
    return ToolRef(
        "worksheet",
        worksheet.pk,
        f"{worksheet.get_kind_display()}: {worksheet.title}",
        reverse("worksheet_detail", kwargs={"worksheet_id": worksheet.pk}),
        timezone.localdate(worksheet.updated_at),
    )


def exchanges_named(client_id: int, ids: Collection[int]) -> dict[int, ToolRef]:
    return {
        e.pk: _exchange(e)
        for e in Exchange.objects.filter(client_id=client_id, pk__in=list(ids)).only(
            "pk", "person_label", "day"
        )
    }


def exchanges_recent(client_id: int, limit: int) -> list[ToolRef]:
    rows = Exchange.objects.filter(client_id=client_id).only("pk", "person_label", "day")
    return [_exchange(e) for e in rows.order_by("-day", "-pk")[:limit]]


def worksheets_named(client_id: int, ids: Collection[int]) -> dict[int, ToolRef]:
    return {
        w.pk: _worksheet(w)
        for w in Worksheet.objects.filter(client_id=client_id, pk__in=list(ids)).only(
            "pk", "kind", "title", "updated_at"
        )
    }


def worksheets_recent(client_id: int, limit: int) -> list[ToolRef]:
    rows = Worksheet.objects.filter(client_id=client_id).only("pk", "kind", "title", "updated_at")
    return [_worksheet(w) for w in rows.order_by("-updated_at", "-pk")[:limit]]


KINDS = (
    ToolKind("exchange", exchanges_named, exchanges_recent),
    ToolKind("worksheet", worksheets_named, worksheets_recent),
)
