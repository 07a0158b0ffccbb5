"""Writes to the timeline, each audited without the text."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.safety.actions import Heard, text_hear
from gentle.safety.hearing import source_key, words_of
from gentle.timeline.models import DiaryEntry, Episode, LifeEvent


def _date_fields(value, prefix: str = "") -> dict:
    return {
        f"{prefix}precision": value.precision if value else "",
        f"{prefix}year": value.year if value else None,
        f"{prefix}month": value.month if value else None,
        f"{prefix}day": value.day if value else None,
        f"{prefix}age": value.age if value else None,
    }


def event_add(*, by, client, data: dict, people) -> LifeEvent:
    with transaction.atomic():
        event = LifeEvent.objects.create(
            client=client,
            category=data["category"],
            description=data["description"],
            impact=data["impact"],
            planned=data["planned"],
            created_by=by,
            people_text=", ".join(p.name for p in people)[:300],
            **_date_fields(data["when"]),
        )
        event.people.set(people)
        record(
            Action.TIMELINE_EVENT_ADD,
            actor=by,
            client=client,
            object_type="life_event",
            object_id=event.pk,
        )
    return event


def event_remove(*, by, event: LifeEvent) -> None:
    with transaction.atomic():
        record(
            Action.TIMELINE_EVENT_REMOVE,
            actor=by,
            client=event.client,
            object_type="life_event",
            object_id=event.pk,
        )
        event.delete()


def episode_add(*, by, client, data: dict) -> Episode:
    with transaction.atomic():
        episode = Episode.objects.create(
            client=client,
            description=data["description"],
            created_by=by,
            **_date_fields(data["start"]),
            **_date_fields(data["end"], "end_"),
        )
        record(
            Action.TIMELINE_EPISODE_ADD,
            actor=by,
            client=client,
            object_type="episode",
            object_id=episode.pk,
        )
    return episode


def diary_save(*, by, client, data: dict, people, role="client") -> tuple[DiaryEntry, Heard]:
    """Write the day's diary entry, or rewrite it if that day already has one (so a double
    submission or a second thought the same day keeps one entry). The client's words go
    through the safety path in the same transaction; the caller shows the crisis response
    when the returned ``Heard`` asks for it."""
    fields = {
        "mood": data["mood"],
        "what_happened": data["what_happened"],
        "how_i_felt": data["how_i_felt"],
        "updated_at": timezone.now(),
    }
    words = words_of(data["what_happened"], data["how_i_felt"])
    with transaction.atomic():
        entry, created = DiaryEntry.objects.update_or_create(
            client=client, day=data["day"], defaults=fields
        )
        entry.people.set(people)
        record(
            Action.DIARY_WRITE if created else Action.DIARY_REWRITE,
            actor=by,
            client=client,
            object_type="diaryentry",
            object_id=entry.pk,
            role=role,
        )
        heard = text_hear(
            client=client,
            text=words,
            source="diary",
            source_id=source_key(entry.pk, words),
            actor=by,
        )
    return entry, heard
