"""Writes for communication work, each audited in its transaction (no text in the audit).
Clients write exchanges and worksheets shared with them (``role="client"``): their words go
through the safety path (gentle.safety.actions.text_hear) in the same transaction, and the
``Heard`` returned tells the page to show the crisis response (None when the care team wrote)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.communication import selectors
from gentle.communication.models import EXCHANGE_TEXTS, Exchange, StyleReflection, Worksheet
from gentle.safety.actions import Heard, text_hear
from gentle.safety.hearing import source_key, words_of


def _hear(*, by, client, role, text, source, object_id) -> Heard | None:
    """The client's own words are heard; what the care team writes is not a disclosure. One
    alert per object and wording: saving the same words again raises nothing new."""
    if role != "client":
        return None
    return text_hear(
        client=client,
        text=text,
        source=source,
        source_id=source_key(object_id, text),
        actor=by,
    )


def _linked(data: dict) -> dict:
    person = data.get("person")
    return {
        "person": person,
        "person_label": person.name if person else "",
        "goal": data.get("goal"),
    }


def reflection_add(*, by, client, data) -> StyleReflection:
    counts, style = selectors.score_styles(data["items"])
    with transaction.atomic():
        reflection = StyleReflection.objects.create(
            client=client,
            person=data["person"],
            items=data["items"],
            counts=counts,
            style=style,
            note=data["note"],
            version=selectors.checklist_version(),
            created_by=by,
        )
        record(
            Action.COMMUNICATION_STYLE,
            actor=by,
            client=client,
            object_type="stylereflection",
            object_id=reflection.pk,
        )
    return reflection


def exchange_save(
    *, by, client, data, exchange=None, role="clinician"
) -> tuple[Exchange, Heard | None]:
    fields = {k: v for k, v in data.items() if k not in ("person", "goal")}
    fields.update(_linked(data), updated_by=by, updated_at=timezone.now())
    with transaction.atomic():
        if exchange is None:
            exchange = Exchange.objects.create(client=client, **fields)
            action = Action.EXCHANGE_CREATE
        else:
            Exchange.objects.filter(pk=exchange.pk).update(**fields)
            action = Action.EXCHANGE_UPDATE
        record(
            action,
            actor=by,
            client=client,
            object_type="exchange",
            object_id=exchange.pk,
            role=role,
        )
        heard = _hear(
            by=by,
            client=client,
            role=role,
            text=words_of(*(data.get(name) for name in EXCHANGE_TEXTS)),
            source="exchange",
            object_id=exchange.pk,
        )
    return exchange, heard


def worksheet_new(*, by, client, data) -> Worksheet:
    with transaction.atomic():
        worksheet = Worksheet.objects.create(
            client=client,
            kind=data["kind"],
            title=data["title"],
            version=selectors.worksheets_version(),
            updated_by=by,
            **_linked(data),
        )
        record(
            Action.WORKSHEET_CREATE,
            actor=by,
            client=client,
            object_type="worksheet",
            object_id=worksheet.pk,
        )
    return worksheet


def worksheet_save(*, by, worksheet, answers, finish, role="clinician") -> Heard | None:
    """Keep every step written so far; ``finish`` marks it complete (the form has checked the
    required steps)."""
    kept = {k: v for k, v in answers.items() if v}
    with transaction.atomic():
        Worksheet.objects.filter(pk=worksheet.pk).update(
            answers=kept,
            updated_by=by,
            updated_at=timezone.now(),
            completed_at=timezone.now() if finish else worksheet.completed_at,
        )
        record(
            Action.WORKSHEET_FINISH if finish else Action.WORKSHEET_SAVE,
            actor=by,
            client=worksheet.client,
            object_type="worksheet",
            object_id=worksheet.pk,
            role=role,
        )
        return _hear(
            by=by,
            client=worksheet.client,
            role=role,
            text=words_of(*kept.values()),
            source="worksheet",
            object_id=worksheet.pk,
        )


def statement_hear(*, by, client, text: str) -> Heard:
    """The statement tool stores nothing, but a client's own risk words in it are heard like
    any other: an alert with the words around them (once per client and wording), and the
    page answers with the crisis response instead of feedback."""
    with transaction.atomic():
        return text_hear(
            client=client,
            text=text,
            source="statement",
            source_id=source_key(client.pk, text),
            actor=by,
        )
