"""How the session page names the rehearsals linked to a session
(gentle.lib.session_panel.ToolKind, registered at start-up; courses may not read them)."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gentle.lib.session_panel import ToolKind, ToolRef
from gentle.roleplay.models import Rehearsal


def _rehearsal(rehearsal: Rehearsal) -> ToolRef:
    return ToolRef(
        "rehearsal",
        rehearsal.pk,
        _("Role play: %(title)s") % {"title": rehearsal.scenario.title},
        reverse("rehearsal_detail", kwargs={"rehearsal_id": rehearsal.pk}),
        timezone.localdate(rehearsal.started_at),
    )


def _rows(client_id: int) -> QuerySet[Rehearsal]:
    return (
        Rehearsal.objects.filter(client_id=client_id)
        .select_related("scenario")
        .only("pk", "started_at", "scenario__title")
    )


def rehearsals_named(client_id: int, ids: Collection[int]) -> dict[int, ToolRef]:
    return {r.pk: _rehearsal(r) for r in _rows(client_id).filter(pk__in=list(ids))}


def rehearsals_recent(client_id: int, limit: int) -> list[ToolRef]:
    return [_rehearsal(r) for r in _rows(client_id).order_by("-started_at", "-pk")[:limit]]


KINDS = (ToolKind("rehearsal", rehearsals_named, rehearsals_recent),)
