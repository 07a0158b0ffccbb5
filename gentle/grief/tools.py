"""How the session page names the grief check-ins linked to a session
(gentle.lib.session_panel.ToolKind, registered at start-up; courses may not read them)."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from gentle.grief.models import CheckIn
from gentle.lib.session_panel import ToolKind, ToolRef


def _check_in(check_in: CheckIn) -> ToolRef:
    return ToolRef(
        "checkin",
        check_in.pk,
        _("Grief check-in (%(who)s)") % {"who": check_in.loss.who},
        reverse("loss_detail", kwargs={"loss_id": check_in.loss_id}),
        check_in.day,
    )


def _rows(client_id: int) -> QuerySet[CheckIn]:
    return (
        CheckIn.objects.filter(loss__client_id=client_id)
        .select_related("loss")
        .only("pk", "day", "loss_id", "loss__who")
    )


def check_ins_named(client_id: int, ids: Collection[int]) -> dict[int, ToolRef]:
    return {c.pk: _check_in(c) for c in _rows(client_id).filter(pk__in=list(ids))}


def check_ins_recent(client_id: int, limit: int) -> list[ToolRef]:
    return [_check_in(c) for c in _rows(client_id).order_by("-day", "-pk")[:limit]]


KINDS = (ToolKind("checkin", check_ins_named, check_ins_recent),)
