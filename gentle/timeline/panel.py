"""The mood diary in the session page's "before this session" panel (ADR 0039): the client's
mood on the days since the last session, overall and on the days with each person."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count
from django.utils import timezone

from gentle.lib.session_panel import PanelPart, since
from gentle.timeline.models import DiaryEntry


def build(session: Any, previous: Any, client: Any) -> dict[str, Any] | None:
    """Two queries: the days' moods, and the mood on the days each person was written with.
    Hidden when the client wrote no entry on those days."""
    first = timezone.localdate(since(session, previous))
    last = timezone.localdate(session.starts_at)
    window = {"client_id": client.pk, "day__gt": first, "day__lte": last}
    days = list(DiaryEntry.objects.filter(**window).order_by("day").values_list("day", "mood"))
    if not days:
        return None
    moods = [mood for _day, mood in days]
    people = (
        DiaryEntry.people.through.objects.filter(
            **{f"diaryentry__{key}": value for key, value in window.items()}
        )
        .values("person_id", "person__name")
        .annotate(days=Count("diaryentry_id"), mood=Avg("diaryentry__mood"))
        .order_by("-days", "person__name")
    )
    return {
        "days": len(days),
        "average": sum(moods) / len(moods),
        "lowest": min(moods),
        "highest": max(moods),
        "latest": days[-1],
        "people": list(people),
    }


PART = PanelPart("diary", 50, "timeline/panel.html", build)
