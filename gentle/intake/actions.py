"""Writes for intake: receiving a request from the public form, assigning it, turning it into
a client with a planned course, declining it with a template message, and purging the ones
that never became a client. Each audited in its transaction, without the message's text."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.clients import actions as client_actions
from gentle.courses import actions as course_actions
from gentle.courses.models import CourseStatus
from gentle.intake import selectors
from gentle.intake.forms import STARTED_MAX_AGE
from gentle.intake.models import (
    AddressCount,
    IntakeContactAttempt,
    IntakeRequest,
    PublicText,
    RequestStatus,
)
from gentle.lib.clientip import client_ip
from gentle.notify.actions import mail_queue
from gentle.notify.models import Purpose
from gentle.safety.selectors import risk_phrases_in

logger = logging.getLogger("gentle.intake")


class ContactFirst(Exception):
    """A request with risk words is declined only after an attempt to reach them is logged."""


def _unreached():
    """Requests with risk words and no contact attempt logged: a safety item, not to be
    declined or purged until someone has tried to reach them."""
    attempts = IntakeContactAttempt.objects.filter(intake=OuterRef("pk"))
    return IntakeRequest.objects.filter(risk_words=True).exclude(Exists(attempts))


def visitor_address(request) -> str:
    """The visitor's network address, as the sign-in throttle and the audit log see it."""
    return client_ip(request) or ""


def over_rate_limit(address: str, clinic, now=None) -> bool:
    """Count one request from this address to this clinic in the current hour; True past the
    limit. The address is kept only as a salted hash (``AddressCount``). One statement counts
    and reads the count, so requests at the same moment cannot all slip under the limit (with
    the cache's add-then-increment, 12 of 16 sent at once on PostgreSQL were let through past a
    limit of 3)."""
    seed = f"{settings.SECRET_KEY}:{clinic.pk}:{address}"
    digest = hashlib.sha256(seed.encode()).hexdigest()[:32]
    hour = int((now or timezone.now()).timestamp()) // 3600
    table = connection.ops.quote_name(AddressCount._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (digest, hour, requests) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (digest) DO UPDATE SET requests = CASE WHEN {table}.hour = "
            f"excluded.hour THEN {table}.requests + 1 ELSE 1 END, hour = excluded.hour "
            "RETURNING requests",
            [digest, hour],
        )
        (count,) = cursor.fetchone()
    return count > settings.GENTLE_INTAKE_PER_HOUR


def forget_address_counts(now=None) -> int:
    """Delete the counts of hours that have ended; returns how many."""
    hour = int((now or timezone.now()).timestamp()) // 3600
    deleted, _by_model = AddressCount.objects.filter(hour__lt=hour).delete()
    return deleted


def stamp_first_use(stamp: str) -> bool:
    """True the first time this form stamp is sent, False ever after, so that one stamp cannot
    carry a flood of requests. A hash of it is kept in the cache (shared by every process) for
    as long as the stamp could be accepted."""
    digest = hashlib.sha256(stamp.encode()).hexdigest()[:32]
    return cache.add(f"intake-stamp:{digest}", 1, timeout=STARTED_MAX_AGE + 60)


def request_receive(*, clinic, data: dict) -> IntakeRequest:
    answers = {name: data.get(name) for name, _t, _o in selectors.screen_items()}
    scores = selectors.screen_scores(answers)
    with transaction.atomic():
        intake = IntakeRequest.objects.create(
            clinic=clinic,
            name=data["name"],
            contact=data["contact"],
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            message=data["message"],
            screen={k: v for k, v in answers.items() if v is not None},
            phq2=scores["phq2"],
            gad2=scores["gad2"],
            risk_words=bool(risk_phrases_in(data["message"])),
            language=selectors.language(),
        )
        # The public role: the row keeps a keyed pseudonym of the visitor's address, not the
        # address, since it outlives the purged request (gentle.audit.log.PUBLIC_ROLE).
        record(
            Action.INTAKE_RECEIVE,
            role="public",
            clinic_id=clinic.pk,
            object_type="intakerequest",
            object_id=intake.pk,
            detail=f"risk={intake.risk_words}",
        )
    return intake


def request_assign(*, by, intake, clinician, role) -> None:
    with transaction.atomic():
        IntakeRequest.objects.filter(pk=intake.pk).update(
            assigned_to=clinician, status=RequestStatus.ASSIGNED
        )
        record(
            Action.INTAKE_ASSIGN,
            actor=by,
            role=role,
            clinic_id=intake.clinic_id,
            object_type="intakerequest",
            object_id=intake.pk,
        )


def request_convert(*, by, intake, data: dict, course_fields: dict, role):
    """The request becomes a client record with its care team and a planned course."""
    clinician = intake.assigned_to or by
    with transaction.atomic():
        client = client_actions.client_create(
            by=by,
            clinic=intake.clinic,
            given_name=data["given_name"],
            family_name=data["family_name"],
        )
        client.email, client.phone = intake.email, intake.phone
        client.save(update_fields=["email", "phone"])
        client_actions.care_team_set(
            by=by,
            client=client,
            clinicians=[clinician],
            supervisor=None,
            taking_on=clinician == by,  # a clinician taking the new client on themselves
        )
        course = course_actions.course_create(
            by=by, client=client, status=CourseStatus.PLANNED, **course_fields
        )
        IntakeRequest.objects.filter(pk=intake.pk).update(
            status=RequestStatus.CONVERTED, client=client, handled_at=timezone.now()
        )
        record(
            Action.INTAKE_CONVERT,
            actor=by,
            role=role,
            clinic_id=intake.clinic_id,
            client_id=client.pk,
            object_type="intakerequest",
            object_id=intake.pk,
        )
    return client, course


def request_decline(*, by, intake, reason: str, role) -> bool:
    """Decline with a template message, sent by email when that is how they asked to be
    contacted. Returns whether an email was queued (otherwise the team calls them). Raises
    ContactFirst for a request with risk words while no contact attempt is logged."""
    with override(intake.language):
        text = dict(selectors.decline_choices(intake.language))[reason]
        subject = _("Your request to %(clinic)s") % {"clinic": intake.clinic.name}
    with transaction.atomic():
        if _unreached().filter(pk=intake.pk).exists():
            raise ContactFirst
        IntakeRequest.objects.filter(pk=intake.pk).update(
            status=RequestStatus.DECLINED, decline_reason=reason, handled_at=timezone.now()
        )
        record(
            Action.INTAKE_DECLINE,
            actor=by,
            role=role,
            clinic_id=intake.clinic_id,
            object_type="intakerequest",
            object_id=intake.pk,
            detail=reason,
        )
        if intake.email:
            mail_queue(
                to=intake.email,
                subject=subject,
                body=text,
                purpose=Purpose.INTAKE_DECLINE,
                clinic_id=intake.clinic_id,
                by=by,
            )
    return bool(intake.email)


def purge_old(now=None) -> int:
    """Delete requests that did not become a client, past the retention period, except those
    with risk words that nobody has tried to reach yet: they are kept, and logged (by id), until
    a contact attempt is recorded."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.GENTLE_INTAKE_RETENTION_DAYS)
    old = IntakeRequest.objects.filter(created_at__lt=cutoff).exclude(
        status=RequestStatus.CONVERTED
    )
    held = list(_unreached().filter(pk__in=old.values("pk")).values_list("pk", flat=True))
    if held:
        logger.warning(
            "intake purge kept requests with risk words and no contact attempt",
            extra={"count": len(held), "request_ids": held},
        )
    old = old.exclude(pk__in=held)
    with transaction.atomic():
        count = 0
        for clinic_id, pk in old.values_list("clinic_id", "pk"):
            record(
                Action.INTAKE_PURGE,
                role="system",
                clinic_id=clinic_id,
                object_type="intakerequest",
                object_id=pk,
            )
            count += 1
        old.delete()
    return count


def contact_attempt_add(*, by, intake, made_at, outcome: str, note: str, role):
    """Log one attempt to reach the person behind a request (the note stays out of the audit
    row)."""
    with transaction.atomic():
        attempt = IntakeContactAttempt.objects.create(
            intake=intake, made_at=made_at, made_by=by, outcome=outcome, note=note
        )
        record(
            Action.INTAKE_CONTACT_ATTEMPT,
            actor=by,
            role=role,
            clinic_id=intake.clinic_id,
            object_type="intakerequest",
            object_id=intake.pk,
            detail=f"attempt={attempt.pk} outcome={outcome}",
        )
    return attempt


def queue_viewed(*, role, clinic, count: int) -> None:
    with transaction.atomic():
        record(Action.INTAKE_LIST, role=role, clinic_id=clinic.pk, detail=f"count={count}")


def public_text_save(*, by, clinic, section: str, language: str, data: dict) -> None:
    with transaction.atomic():
        PublicText.objects.update_or_create(
            clinic=clinic,
            section=section,
            language=language,
            defaults={
                "title": data["title"],
                "body": data["body"],
                "updated_by": by,
                "updated_at": timezone.now(),
            },
        )
        record(
            Action.PUBLIC_TEXT_SAVE,
            actor=by,
            role="admin",
            clinic_id=clinic.pk,
            detail=f"{section}/{language}",
        )


def public_text_reset(*, by, clinic, section: str, language: str) -> None:
    with transaction.atomic():
        PublicText.objects.filter(clinic=clinic, section=section, language=language).delete()
        record(
            Action.PUBLIC_TEXT_RESET,
            actor=by,
            role="admin",
            clinic_id=clinic.pk,
            detail=f"{section}/{language}",
        )
