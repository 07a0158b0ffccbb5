"""What the group session screen and the group page read about sessions, members' PHQ-9s
and their open alerts (ADR 0053). Reads only; writes are in actions.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from gentle.groups.actions import FOLLOW_UP_SOURCE, PHQ9
from gentle.groups.models import GroupAttendance
from gentle.measures.models import Administration, Status
from gentle.safety.models import Alert, Severity


@dataclass(frozen=True)
class MemberAlert:
    """What a facilitator is told of a member's open alert: its kind and the group session it
    came from, never its details."""

    risk: bool  # moderate or high: tell the supervising clinician now
    number: int | None  # the group session it came from, if it came from one
    follow_up: bool  # a follow-up flag (low): the care team has been told


def member_alerts(clients: Iterable[Any]) -> dict[int, list[MemberAlert]]:
    """Open alerts of the clients whose ``may.alerts`` allows it, by client id. Three queries,
    whatever the number of members."""
    ids = [c.pk for c in clients if c.may.alerts]
    if not ids:
        return {}
    alerts = list(
        Alert.objects.filter(client_id__in=ids, acknowledged_at__isnull=True).values_list(
            "client_id", "source", "source_id", "severity"
        )
    )

    def numbers(source: str, model: Any, path: str) -> dict[str, int]:
        keys = [int(k) for _c, s, k, _v in alerts if s == source and k.isdigit()]
        if not keys:
            return {}
        rows = model.objects.filter(pk__in=keys).values_list("pk", path)
        return {str(pk): n for pk, n in rows if n is not None}

    from_phq = numbers(
        "administration", Administration, "session__group_attendance__group_session__number"
    )
    from_flag = numbers(FOLLOW_UP_SOURCE, GroupAttendance, "group_session__number")
    found: dict[int, list[MemberAlert]] = {}
    for client_id, source, source_id, severity in alerts:
        follow_up = source == FOLLOW_UP_SOURCE
        number = (from_flag if follow_up else from_phq).get(source_id)
        found.setdefault(client_id, []).append(
            MemberAlert(risk=severity != Severity.LOW, number=number, follow_up=follow_up)
        )
    return found


def phq9_scores(course_session_ids: list[int]) -> dict[int, float | None]:
    """The PHQ-9 total entered at each of these course sessions (submitted), by session id."""
    rows = Administration.objects.filter(
        session_id__in=course_session_ids, instrument_id=PHQ9, status=Status.SUBMITTED
    ).values_list("session_id", "scores")
    return {sid: (scores or {}).get("total") for sid, scores in rows}
