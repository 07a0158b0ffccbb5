"""Writes to courses, sessions and notes. Each runs in one transaction with its audit row.
Clinical text never goes into the audit detail."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from gentle.accounts.models import Role
from gentle.audit.log import record, record_for_client
from gentle.courses.models import (
    CalendarFeed,
    Course,
    CourseStatus,
    NoteAddendum,
    NoteStatus,
    ProcessNote,
    ProgressNote,
    RelapsePlan,
    Session,
)
from gentle.lib.crypto import KeyRing
from gentle.lib.tokens import new_token, token_hash

FEED_PURPOSE = "calendar-feed"


def _audit(action, *, by, request, course, object_type, object_id, detail=""):
    record_for_client(
        action,
        by=by,
        request=request,
        client=course.client,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


def course_create(*, by, request, client, **fields) -> Course:
    with transaction.atomic():
        course = Course.objects.create(client=client, created_by=by, **fields)
        _audit(
            "course.create",
            request=request,
            by=by,
            course=course,
            object_type="course",
            object_id=course.pk,
            detail=f"format={course.format}",
        )
    return course


def course_update(*, by, request, course: Course, **fields) -> Course:
    with transaction.atomic():
        for name, value in fields.items():
            setattr(course, name, value)
        if course.status == CourseStatus.ENDED_EARLY and not course.ended_on:
            course.ended_on = timezone.localdate()
        if course.status != CourseStatus.ENDED_EARLY:
            course.end_reason = ""
        course.save()
        _audit(
            "course.update",
            request=request,
            by=by,
            course=course,
            object_type="course",
            object_id=course.pk,
            detail=f"status={course.status}",
        )
    return course


def session_schedule(*, by, request, course: Course, starts_at, minutes: int, mode: str) -> Session:
    with transaction.atomic():
        session = Session.objects.create(
            course=course, clinician=by, starts_at=starts_at, minutes=minutes, mode=mode
        )
        if course.status == CourseStatus.PLANNED:
            Course.objects.filter(pk=course.pk).update(status=CourseStatus.ACTIVE)
            course.status = CourseStatus.ACTIVE
        _audit(
            "session.create",
            request=request,
            by=by,
            course=course,
            object_type="session",
            object_id=session.pk,
        )
    return session


def session_set_attendance(*, by, request, session: Session, attendance: str) -> None:
    with transaction.atomic():
        Session.objects.filter(pk=session.pk).update(attendance=attendance)
        session.attendance = attendance
        _audit(
            "session.attendance",
            request=request,
            by=by,
            course=session.course,
            object_type="session",
            object_id=session.pk,
            detail=f"attendance={attendance}",
        )


def session_set_agenda(*, by, request, session: Session, done: list[str], version: int) -> None:
    with transaction.atomic():
        Session.objects.filter(pk=session.pk).update(agenda_done=done, agenda_version=version)
        session.agenda_done = done
        _audit(
            "session.agenda",
            request=request,
            by=by,
            course=session.course,
            object_type="session",
            object_id=session.pk,
            detail=f"ticked={len(done)}",
        )


class NoteConflict(Exception):
    """Someone saved the draft since this person opened it."""

    def __init__(self, current: ProgressNote):
        super().__init__("draft changed meanwhile")
        self.current = current


class NoteSigned(Exception):
    """The note is signed: it never changes again (write an addendum)."""


NOTE_FIELDS = ("mood", "interval_events", "focus_work", "techniques", "risk_review", "plan", "text")


def note_save(
    *, by, request, session: Session, base_version: int | None, fields: dict
) -> ProgressNote:
    """Create the draft, or update it if nobody saved it since ``base_version``."""
    with transaction.atomic():
        note = ProgressNote.objects.select_for_update().filter(session=session).first()
        if note is None:
            note = ProgressNote.objects.create(session=session, author=by, updated_by=by, **fields)
            action = "note.create"
        else:
            if note.status == NoteStatus.SIGNED:
                raise NoteSigned
            if base_version != note.version:
                raise NoteConflict(note)
            changed = ProgressNote.objects.filter(
                pk=note.pk, version=base_version, status=NoteStatus.DRAFT
            ).update(version=F("version") + 1, updated_at=timezone.now(), updated_by=by, **fields)
            if not changed:  # pragma: no cover - the row lock above makes this unreachable
                raise NoteConflict(note)
            note.refresh_from_db()
            action = "note.update"
        _audit(
            action,
            request=request,
            by=by,
            course=session.course,
            object_type="note",
            object_id=note.pk,
            detail=f"version={note.version}",
        )
    return note


def note_sign(*, by, request, note: ProgressNote, base_version: int, session: Session) -> None:
    with transaction.atomic():
        changed = ProgressNote.objects.filter(
            pk=note.pk, version=base_version, status=NoteStatus.DRAFT
        ).update(
            status=NoteStatus.SIGNED,
            signed_at=timezone.now(),
            signed_by=by,
            version=F("version") + 1,
        )
        if not changed:
            current = ProgressNote.objects.get(pk=note.pk)
            if current.status == NoteStatus.SIGNED:
                raise NoteSigned
            raise NoteConflict(current)
        _audit(
            "note.sign",
            request=request,
            by=by,
            course=session.course,
            object_type="note",
            object_id=note.pk,
        )


def note_add_addendum(
    *, by, request, note: ProgressNote, session: Session, text: str
) -> NoteAddendum:
    with transaction.atomic():
        addendum = NoteAddendum.objects.create(note=note, author=by, text=text)
        _audit(
            "note.addendum",
            request=request,
            by=by,
            course=session.course,
            object_type="note",
            object_id=note.pk,
            detail=f"addendum={addendum.pk}",
        )
    return addendum


def keyring() -> KeyRing:
    return KeyRing(settings.GENTLE_PROCESS_NOTE_KEYS)


def process_note_save(*, by, request, session: Session, text: str) -> ProcessNote:
    with transaction.atomic():
        note, created = ProcessNote.objects.update_or_create(
            session=session,
            author=by,
            defaults={"ciphertext": keyring().encrypt(text), "updated_at": timezone.now()},
        )
        _audit(
            "process_note.create" if created else "process_note.update",
            request=request,
            by=by,
            course=session.course,
            object_type="process_note",
            object_id=note.pk,
        )
    return note


def process_note_rotate_all() -> int:
    """Re-encrypt every process note under the newest key; returns how many."""
    ring = keyring()
    count = 0
    with transaction.atomic():
        for note in ProcessNote.objects.select_for_update().only("pk", "ciphertext"):
            ProcessNote.objects.filter(pk=note.pk).update(ciphertext=ring.rotate(note.ciphertext))
            count += 1
        record(
            "process_note.rotate_keys", actor_label="gentle rotate-keys", detail=f"count={count}"
        )
    return count


def relapse_plan_save(*, by, request, course: Course, fields: dict) -> RelapsePlan:
    with transaction.atomic():
        plan, created = RelapsePlan.objects.update_or_create(
            course=course, defaults={**fields, "updated_by": by, "updated_at": timezone.now()}
        )
        _audit(
            "relapse_plan.create" if created else "relapse_plan.update",
            request=request,
            by=by,
            course=course,
            object_type="relapse_plan",
            object_id=plan.pk,
        )
    return plan


def calendar_feed_renew(*, by, request) -> str:
    """A new feed token for this clinician (the old link stops working); returns the token."""
    token = new_token()
    with transaction.atomic():
        CalendarFeed.objects.update_or_create(
            user=by,
            defaults={
                "token_hash": token_hash(token, purpose=FEED_PURPOSE),
                "created_at": timezone.now(),
            },
        )
        record("calendar_feed.renew", actor=by, request=request)
    return token


def calendar_feed_revoke(*, by, request) -> None:
    with transaction.atomic():
        CalendarFeed.objects.filter(user=by).delete()
        record("calendar_feed.revoke", actor=by, request=request)


def calendar_feed_end(*, by, request, clinic, user, role: str) -> None:
    """A role-removal step (``gentle.accounts.actions.on_role_removal``): whoever loses the
    clinician or supervisor role somewhere loses their calendar link. The link is one per
    person, not per clinic; a person still working elsewhere makes a new one, which shows only
    the clinics where they are still a clinician (the feed checks that on every fetch)."""
    if role not in (Role.CLINICIAN, Role.SUPERVISOR):
        return
    with transaction.atomic():
        deleted, _ = CalendarFeed.objects.filter(user=user).delete()
        if deleted:
            record(
                "calendar_feed.revoke",
                actor=by,
                request=request,
                role=Role.ADMIN,
                clinic_id=clinic.pk,
                object_type="user",
                object_id=user.pk,
                detail="because=role_removed",
            )
