"""Writes of session fidelity (ADR 0057), each with its audit row in the same transaction.
The audit detail carries codes and scores, never the comment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from gentle.accounts.models import Clinic, User
from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.courses.models import Session
from gentle.fidelity import instrument, selectors, tasks
from gentle.fidelity.models import (
    FidelityRating,
    FidelitySettings,
    RecordedSession,
    SampledSession,
)

BATCH = 1000  # rows a statement when the stored sample changes


def rating_save(
    *, by: User, session: Session, role: str, phase: str, answers: dict[str, Any], comment: str
) -> FidelityRating:
    """Save (or replace) this person's rating of the session; the scores are computed here,
    from the answers, by the one scoring function. A ValueError leaves nothing changed."""
    form = instrument.load()
    scores = instrument.score(form, phase, answers)
    now = timezone.now()
    with transaction.atomic():
        rating, created = FidelityRating.objects.update_or_create(
            session=session,
            rater=by,
            defaults={
                "role": role,
                "instrument_version": form.version,
                "phase": phase,
                "answers": answers,
                "adherence": scores.adherence,
                "quality": scores.quality,
                "comment": comment,
                "updated_at": now,
            },
            create_defaults={
                "role": role,
                "instrument_version": form.version,
                "phase": phase,
                "answers": answers,
                "adherence": scores.adherence,
                "quality": scores.quality,
                "comment": comment,
                "created_at": now,
                "updated_at": now,
            },
        )
        record(
            Action.FIDELITY_RATE,
            actor=by,
            client=session.course.client,
            object_type="fidelity_rating",
            object_id=rating.pk,
            detail=f"session={session.pk} role={role} adherence={scores.adherence} "
            f"quality={scores.quality}" + ("" if created else " again"),
        )
    return rating


def recorded_set(*, by: User, session: Session, recorded: bool) -> None:
    """Mark the session as recorded for supervision (or unmark it)."""
    with transaction.atomic():
        if recorded:
            RecordedSession.objects.get_or_create(session=session, defaults={"marked_by": by})
        else:
            RecordedSession.objects.filter(session=session).delete()
        record(
            Action.FIDELITY_RECORDED,
            actor=by,
            client=session.course.client,
            object_type="session",
            object_id=session.pk,
            detail=f"recorded={int(recorded)}",
        )


def settings_set(*, by: User, clinic: Any, sample_every: int) -> FidelitySettings:
    with transaction.atomic():
        found, _created = FidelitySettings.objects.update_or_create(
            clinic=clinic, defaults={"sample_every": sample_every, "updated_at": timezone.now()}
        )
        record(
            Action.FIDELITY_SETTINGS_SET,
            actor=by,
            clinic_id=clinic.pk,
            object_type="fidelity_settings",
            object_id=found.pk,
            detail=f"sample_every={sample_every}",
        )
        # The stored sample follows the new rate as soon as the worker runs it.
        tasks.refresh_clinic_sample.enqueue(clinic.pk)
    return found


def sample_refresh(*, clinic: Clinic, now: datetime | None = None) -> tuple[int, int]:
    """Work out the clinic's fidelity sample (``selectors.sample``: it ranks every held session
    of the clinic, the work a page must not do) and store it as ``SampledSession`` rows; returns
    how many rows were added and removed. Run hourly by `gentle worker`, and after the sampling
    rate changes. A change is audited (one row, with the counts); none when nothing changed."""
    now = now or timezone.now()
    every = selectors.sample_every(clinic.pk)
    # Read before the transaction: each session's place and time (a moved session is stored
    # again with its new time).
    sampled = selectors.sample(clinic.pk, every, now)
    wanted = {pk: (place, at) for pk, place, at, _client in sampled}
    client_of = {pk: client for pk, _place, _at, client in sampled}
    with transaction.atomic():
        stored = {
            pk: (place, at)
            for pk, place, at in SampledSession.objects.filter(clinic=clinic).values_list(
                "session_id", "place", "starts_at"
            )
        }
        gone = [pk for pk, row in stored.items() if wanted.get(pk) != row]
        new = [pk for pk, row in wanted.items() if stored.get(pk) != row]
        for start in range(0, len(gone), BATCH):
            SampledSession.objects.filter(session_id__in=gone[start : start + BATCH]).delete()
        for start in range(0, len(new), BATCH):
            chunk = new[start : start + BATCH]
            # A session deleted since the read is left out.
            existing = Session.objects.filter(pk__in=chunk).values_list("pk", flat=True)
            SampledSession.objects.bulk_create(
                [
                    SampledSession(
                        session_id=pk,
                        clinic=clinic,
                        place=wanted[pk][0],
                        starts_at=wanted[pk][1],
                        client_id=client_of[pk],
                    )
                    for pk in existing
                ],
                ignore_conflicts=True,  # another run stored it first
            )
        if gone or new:
            record(
                Action.FIDELITY_SAMPLE,
                actor_label="gentle worker",
                clinic_id=clinic.pk,
                object_type="clinic",
                object_id=clinic.pk,
                detail=f"every={every} sampled={len(wanted)} added={len(new)} removed={len(gone)}",
            )
    return len(new), len(gone)
