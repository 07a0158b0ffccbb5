"""Writes for communication work, each audited in its transaction (no text in the audit).
Clients write exchanges and worksheets shared with them (``role="client"``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from gentle.audit.log import record_for_client
from gentle.communication import selectors
from gentle.communication.models import Exchange, StyleReflection, Worksheet


def _linked(data: dict) -> dict:
    person = data.get("person")
    return {
        "person": person,
        "person_label": person.name if person else "",
        "goal": data.get("goal"),
    }


def reflection_add(*, by, request, client, data) -> StyleReflection:
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
        record_for_client(
            "communication.style",
            by=by,
            request=request,
            client=client,
            object_type="stylereflection",
            object_id=reflection.pk,
        )
    return reflection


def exchange_save(*, by, request, client, data, exchange=None, role="clinician") -> Exchange:
    fields = {k: v for k, v in data.items() if k not in ("person", "goal")}
    fields.update(_linked(data), updated_by=by, updated_at=timezone.now())
    with transaction.atomic():
        if exchange is None:
            exchange = Exchange.objects.create(client=client, **fields)
            action = "exchange.create"
        else:
            Exchange.objects.filter(pk=exchange.pk).update(**fields)
            action = "exchange.update"
        record_for_client(
            action,
            by=by,
            request=request,
            client=client,
            object_type="exchange",
            object_id=exchange.pk,
            role=role,
        )
    return exchange


def worksheet_new(*, by, request, client, data) -> Worksheet:
    with transaction.atomic():
        worksheet = Worksheet.objects.create(
            client=client,
            kind=data["kind"],
            title=data["title"],
            version=selectors.worksheets_version(),
            updated_by=by,
            **_linked(data),
        )
        record_for_client(
            "worksheet.create",
            by=by,
            request=request,
            client=client,
            object_type="worksheet",
            object_id=worksheet.pk,
        )
    return worksheet


def worksheet_save(*, by, request, worksheet, answers, finish, role="clinician") -> None:
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
        record_for_client(
            "worksheet.finish" if finish else "worksheet.save",
            by=by,
            request=request,
            client=worksheet.client,
            object_type="worksheet",
            object_id=worksheet.pk,
            role=role,
        )
