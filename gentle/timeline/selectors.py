"""The timeline as people read it: events and episodes in order, the events near the onset of
an episode marked as candidates for the focus, and the chart for a chosen span."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format

from gentle.courses.models import Attendance, ProgressNote, Session
from gentle.lib import approxdate
from gentle.timeline.models import Episode, LifeEvent

ZOOMS = {"all": None, "5y": 5 * 365, "1y": 365, "6m": 182, "3m": 91}


@dataclass
class Row:
    kind: str  # "event" or "episode"
    obj: object
    when: approxdate.ApproxDate
    start: date | None
    end: date | None = None
    near_onset: bool = False


def rows(client) -> list[Row]:
    """Events and episodes in time order; approximate and exact dates sort together."""
    born = client.date_of_birth
    items = []
    for event in LifeEvent.objects.filter(client=client).prefetch_related("people"):
        items.append(Row("event", event, event.when, event.when.start(born)))
    for episode in Episode.objects.filter(client=client):
        ends = episode.ends
        items.append(
            Row(
                "episode",
                episode,
                episode.when,
                episode.when.start(born),
                ends.start(born) if ends else None,
            )
        )
    mark_onset_window(items)
    return sorted(items, key=lambda r: approxdate.sort_key(r.when, born))


# Events whose window is the perinatal one: an episode that begins in pregnancy or within the
# year after a birth is a perinatal episode (docs/perinatal.md), beyond the general six months.
PERINATAL_CATEGORIES = frozenset({"birth", "pregnancy"})


def onset_window(row: Row, months: int | None = None) -> timedelta:
    """How long before an episode's start this event still counts as near its onset: the
    general window (GENTLE_ONSET_WINDOW_MONTHS), or for a birth or a pregnancy the perinatal one
    (GENTLE_PERINATAL_ONSET_WINDOW_MONTHS) when that is longer."""
    general = months or settings.GENTLE_ONSET_WINDOW_MONTHS
    if getattr(row.obj, "category", "") in PERINATAL_CATEGORIES:
        general = max(general, settings.GENTLE_PERINATAL_ONSET_WINDOW_MONTHS)
    return timedelta(days=round(30.44 * general))


def mark_onset_window(items: list[Row], months: int | None = None) -> None:
    """Mark events that happened within their window before the start of any episode."""
    onsets = [r.start for r in items if r.kind == "episode" and r.start]
    for row in items:
        if row.kind == "event" and row.start and not row.obj.planned:
            window = onset_window(row, months)
            row.near_onset = any(onset - window <= row.start <= onset for onset in onsets)


def moods(client) -> list[tuple[date, int]]:
    return [
        (timezone.localtime(note.session.starts_at).date(), note.mood)
        for note in ProgressNote.objects.filter(session__course__client=client, mood__isnull=False)
        .select_related("session")
        .order_by("session__starts_at")
    ]


def diary_moods(client) -> list[tuple[date, int]]:
    """The client's own daily mood from the portal diary, oldest first."""
    return list(client.diary.order_by("day").values_list("day", "mood"))


def session_days(client) -> list[date]:
    return [
        timezone.localtime(s).date()
        for s in Session.objects.filter(
            course__client=client, attendance=Attendance.ATTENDED
        ).values_list("starts_at", flat=True)
    ]


def default_zoom(items: list[Row], sessions: list[date], today: date) -> str:
    """The span the page opens at: the shortest that shows the latest symptom episode from a
    month before it began, with the events near its onset (the candidates for the focus) and
    the sessions since; or else the sessions of the past year; everything when there is
    neither, or when that reaches back more than five years. (Opening at everything squeezed
    a course into the last few pixels of a life.) Events outside the span are counted under
    the chart, and the list has them all."""
    onsets = [r.start for r in items if r.kind == "episode" and r.start and r.start <= today]
    recent = [d for d in sessions if today - timedelta(days=365) <= d <= today]
    if onsets:
        latest = max(onsets)
        near = [
            r.start - timedelta(days=14)
            for r in items
            if r.near_onset and r.start and latest - onset_window(r) <= r.start <= latest
        ]
        anchor = min([latest - timedelta(days=30), *near])
    elif recent:
        anchor = min(recent) - timedelta(days=14)
    else:
        return "all"
    for zoom in ("3m", "6m", "1y", "5y"):
        if today - timedelta(days=ZOOMS[zoom] or 0) <= anchor:
            return zoom
    return "all"


def span(items: list[Row], zoom: str, today: date) -> tuple[date, date]:
    days = ZOOMS.get(zoom)
    if days:
        return today - timedelta(days=days), today + timedelta(days=max(days // 8, 14))
    dated = [d for r in items for d in (r.start, r.end) if d]
    first = min(dated, default=today - timedelta(days=365))
    last = max([*dated, today])
    margin = max((last - first).days // 20, 14)
    return first - timedelta(days=margin), last + timedelta(days=margin)


def ticks(start: date, end: date) -> list[tuple[date, str]]:
    """Years for long spans, months for the middle, weeks for short ones, labelled in the
    reader's language (gentle/formats/)."""
    length = (end - start).days
    marks = []
    if length > 3 * 365:
        for year in range(start.year + 1, end.year + 1):
            marks.append((date(year, 1, 1), str(year)))
    elif length > 120:
        day = date(start.year, start.month, 1)
        while day <= end:
            if day >= start:
                month = date_format(day, "YEAR_MONTH_FORMAT")  # "Dec 2026", "dic 2026"
                if day.month != 1 and marks:
                    month = month.removesuffix(str(day.year)).strip()
                marks.append((day, month))
            day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    else:
        day = start + timedelta(days=(7 - start.weekday()) % 7)
        while day <= end:
            marks.append((day, date_format(day, "MONTH_DAY_FORMAT")))
            day += timedelta(days=7)
    return marks
