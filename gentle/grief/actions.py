"""Writes for losses, the dual-process log, check-ins and transitions; audited, no text.
Clients write the log, check-ins and worksheets shared with them (``role="client"``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from gentle.audit.log import record_for_client
from gentle.grief.models import Activity, CheckIn, Loss, Transition, TransitionStep

_audit = record_for_client


def loss_add(*, by, request, client, data) -> Loss:
    with transaction.atomic():
        loss = Loss.objects.create(client=client, created_by=by, **data)
        _audit(
            "grief.loss_add",
            by=by,
            request=request,
            client=client,
            object_type="loss",
            object_id=loss.pk,
        )
    return loss


def activity_add(*, by, request, loss, data, role="clinician") -> Activity:
    with transaction.atomic():
        activity = Activity.objects.create(loss=loss, **data)
        _audit(
            "grief.activity_add",
            by=by,
            role=role,
            request=request,
            client=loss.client,
            object_type="loss",
            object_id=loss.pk,
        )
    return activity


def check_in_add(*, by, request, loss, data, role="clinician") -> CheckIn:
    with transaction.atomic():
        check_in = CheckIn.objects.create(
            loss=loss, day=data["day"], words=data["words"], note=data["note"]
        )
        _audit(
            "grief.check_in",
            by=by,
            role=role,
            request=request,
            client=loss.client,
            object_type="loss",
            object_id=loss.pk,
        )
    return check_in


def transition_save(*, by, request, client, data, transition=None, role="clinician") -> Transition:
    with transaction.atomic():
        if transition is None:
            transition = Transition.objects.create(client=client, updated_by=by, **data)
            action = "transition.create"
        else:
            Transition.objects.filter(pk=transition.pk).update(
                updated_by=by, updated_at=timezone.now(), **data
            )
            action = "transition.update"
        _audit(
            action,
            by=by,
            role=role,
            request=request,
            client=client,
            object_type="transition",
            object_id=transition.pk,
        )
    return transition


def step_add(*, by, request, transition, data) -> TransitionStep:
    with transaction.atomic():
        step = TransitionStep.objects.create(transition=transition, **data)
        _audit(
            "transition.step",
            by=by,
            request=request,
            client=transition.client,
            object_type="transition",
            object_id=transition.pk,
        )
    return step
