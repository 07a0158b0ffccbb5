"""Measures and open alerts in the session page's "before this session" panel (ADR 0039):
what the client answered since the last session, with each score's band and the answers to the
items the safety rules read (PHQ-9 item 9), beside any alert still open for the client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef

from gentle.lib.session_panel import PanelPart, since
from gentle.measures.alerts import answer_text, risk_items
from gentle.measures.instruments import Band, Item, catalogue
from gentle.measures.models import Administration, Status
from gentle.safety.selectors import open_alerts


@dataclass
class Answered:
    administration: Administration
    name: str
    value: float | None
    maximum: float | None
    band: Band | None
    risk: list[tuple[Item, str]]


def _answered(administration: Administration) -> Answered:
    instrument = catalogue().get(administration.instrument_id)
    if instrument is None:
        return Answered(administration, administration.instrument_id.upper(), None, None, None, [])
    score = instrument.main_score
    value = administration.scores.get(score.id)
    return Answered(
        administration,
        instrument.name,
        value,
        score.maximum or None,
        score.band_for(value),
        [
            (item, answer_text(item, administration.answers))
            for item in (instrument.item(i) for i in risk_items(instrument))
        ],
    )


def build(session: Any, previous: Any, client: Any) -> dict[str, Any]:
    """Two queries: the answers submitted since the last session (up to this session's end;
    the last session's own are its, and a corrected answer gives way to its correction), and
    the client's open alerts. Always shown: no measure since the last session is worth
    knowing."""
    corrected = Administration.objects.filter(corrects=OuterRef("pk"), status=Status.SUBMITTED)
    rows = Administration.objects.filter(
        client_id=client.pk,
        status=Status.SUBMITTED,
        submitted_at__gt=since(session, previous),
        submitted_at__lte=session.ends_at,
    ).filter(~Exists(corrected))
    if previous is not None:
        rows = rows.exclude(session_id=previous.pk)
    answered = [_answered(a) for a in rows.order_by("submitted_at", "pk")]
    return {"answered": answered, "alerts": open_alerts(client)}


PART = PanelPart("measures", 40, "measures/panel.html", build)
