"""Writes for losses, the dual-process log, check-ins and transitions; audited, no text.
Clients write the log, check-ins and worksheets shared with them (``role="client"``): their
words go through the safety path (gentle.safety.actions.text_hear) in the same transaction, and
the ``Heard`` returned beside the object tells the page to show the crisis response (None when
the care team wrote it)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.grief.models import Activity, CheckIn, Loss, Transition, TransitionStep
from gentle.safety.actions import Heard, text_hear
from gentle.safety.hearing import source_key, words_of

TRANSITION_TEXTS = (
    "title",
    "old_lost",
    "old_good",
    "old_hard",
    "new_demands",
    "new_opportunities",
    "new_skills",
    "new_supports",
)


def _hear(*, by, client, role, text, source, source_id) -> Heard | None:
    """The client's own words are heard; what the care team writes is not a disclosure."""
    if role != "client":
        return None
    return text_hear(client=client, text=text, source=source, source_id=source_id, actor=by)


def loss_add(*, by, client, data) -> Loss:
    with transaction.atomic():
        loss = Loss.objects.create(client=client, created_by=by, **data)
        record(
            Action.GRIEF_LOSS_ADD,
            actor=by,
            client=client,
            object_type="loss",
            object_id=loss.pk,
        )
    return loss


def activity_add(*, by, loss, data, role="clinician") -> tuple[Activity, Heard | None]:
    with transaction.atomic():
        activity = Activity.objects.create(loss=loss, **data)
        record(
            Action.GRIEF_ACTIVITY_ADD,
            actor=by,
            role=role,
            client=loss.client,
            object_type="loss",
            object_id=loss.pk,
        )
        heard = _hear(
            by=by,
            client=loss.client,
            role=role,
            text=data["what"],
            source="grief_log",
            source_id=activity.pk,
        )
    return activity, heard


def check_in_add(*, by, loss, data, role="clinician") -> tuple[CheckIn, Heard | None]:
    with transaction.atomic():
        check_in = CheckIn.objects.create(
            loss=loss, day=data["day"], words=data["words"], note=data["note"]
        )
        record(
            Action.GRIEF_CHECK_IN,
            actor=by,
            role=role,
            client=loss.client,
            object_type="loss",
            object_id=loss.pk,
        )
        heard = _hear(
            by=by,
            client=loss.client,
            role=role,
            text=data["note"],
            source="grief_checkin",
            source_id=check_in.pk,
        )
    return check_in, heard


def transition_save(
    *, by, client, data, transition=None, role="clinician"
) -> tuple[Transition, Heard | None]:
    with transaction.atomic():
        if transition is None:
            transition = Transition.objects.create(client=client, updated_by=by, **data)
            action = Action.TRANSITION_CREATE
        else:
            Transition.objects.filter(pk=transition.pk).update(
                updated_by=by, updated_at=timezone.now(), **data
            )
            action = Action.TRANSITION_UPDATE
        record(
            action,
            actor=by,
            role=role,
            client=client,
            object_type="transition",
            object_id=transition.pk,
        )
        words = words_of(*(data.get(name) for name in TRANSITION_TEXTS))
        heard = _hear(
            by=by,
            client=client,
            role=role,
            text=words,
            source="transition",
            source_id=source_key(transition.pk, words),
        )
    return transition, heard


def step_add(*, by, transition, data) -> TransitionStep:
    with transaction.atomic():
        step = TransitionStep.objects.create(transition=transition, **data)
        record(
            Action.TRANSITION_STEP,
            actor=by,
            client=transition.client,
            object_type="transition",
            object_id=transition.pk,
        )
    return step
