"""Life events, symptom episodes and the mood diary, as sections of the client's copy of their
record (docs/record-export.md, gentle/lib/record_sections.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy

from gentle.clients.models import Client
from gentle.inventory.models import Person
from gentle.lib.record_sections import Row, Section, fields
from gentle.timeline.models import Category, DiaryEntry, Episode, Impact, LifeEvent


def _life_event(event: LifeEvent) -> Row:
    return {
        "when": str(event.when),
        **fields(event, ("precision", "category", "description", "impact", "planned")),
        "people": [p.name for p in event.people.all()],
        "people_text": event.people_text,
    }


def _episode(episode: Episode) -> Row:
    ends = episode.ends
    return {
        "when": str(episode.when),
        "ends": str(ends) if ends else None,
        "description": episode.description,
    }


def _in_time_order(client: Client, rows: Iterable) -> list:
    """Rows with approximate dates, earliest first (an age needs the date of birth to place;
    without it, such rows come last)."""
    born = client.date_of_birth
    return sorted(rows, key=lambda r: (r.when.start(born) or date.max, r.pk))


def _timeline(client: Client) -> Row:
    """Life events and symptom episodes, with their approximate dates."""
    events = LifeEvent.objects.filter(client=client).prefetch_related(
        Prefetch("people", queryset=Person.objects.filter(client=client))
    )
    episodes = Episode.objects.filter(client=client)
    return {
        "life_events": [_life_event(e) for e in _in_time_order(client, events)],
        "episodes": [_episode(e) for e in _in_time_order(client, episodes)],
    }


def _diary(client: Client) -> list[Row]:
    """The mood diary, oldest day first."""
    rows = (
        DiaryEntry.objects.filter(client=client)
        .prefetch_related(Prefetch("people", queryset=Person.objects.filter(client=client)))
        .order_by("day")
    )
    names = ("day", "mood", "what_happened", "how_i_felt", "updated_at")
    return [{**fields(d, names), "people": [p.name for p in d.people.all()]} for d in rows]


TIMELINE = Section(
    key="timeline",
    build=_timeline,
    title=gettext_lazy("Timeline"),
    template="timeline/record_copy/timeline.html",
    labels={"life_events": {"category": Category, "impact": Impact}},
)
DIARY = Section(
    key="diary",
    build=_diary,
    title=gettext_lazy("Mood diary"),
    template="timeline/record_copy/diary.html",
    dates=frozenset({"day", "updated_at"}),
)

SECTIONS = (TIMELINE, DIARY)
