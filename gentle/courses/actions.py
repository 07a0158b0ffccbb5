"""Writes to courses, sessions and notes. Each runs in one transaction with its audit row.
Clinical text never goes into the audit detail."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from gentle.accounts.models import Role, User
from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.clients.models import Consent, ConsentKind
from gentle.courses.models import (
    FINISHED_STATUSES,
    Attendance,
    CalendarFeed,
    Course,
    CourseFormat,
    CourseStatus,
    Letter,
    LetterStatus,
    NoteAddendum,
    NoteSettings,
    NoteStatus,
    Participants,
    PdfStatus,
    ProcessNote,
    ProgressNote,
    RelapsePlan,
    RemoteCheck,
    RolePlay,
    Session,
    SessionReminder,
    SessionTool,
    SupervisionComment,
    SupervisionMeeting,
)
from gentle.lib import client_people, course_finished, ical
from gentle.lib.crypto import KeyRing
from gentle.lib.tokens import new_token, token_hash
from gentle.notify.actions import mail_queue
from gentle.notify.channels import Attachment
from gentle.notify.models import Purpose

FEED_PURPOSE = "calendar-feed"


def course_create(*, by, client, **fields) -> Course:
    with transaction.atomic():
        course = Course.objects.create(client=client, created_by=by, **fields)
        record(
            Action.COURSE_CREATE,
            actor=by,
            client=course.client,
            object_type="course",
            object_id=course.pk,
            detail=f"format={course.format}",
        )
    return course


class TriageMissing(Exception):
    """An IPC course cannot be completed before its closing triage is recorded."""


def course_update(*, by, course: Course, **fields) -> Course:
    """Change the course's contract or status. A change of format keeps the sessions' ticked
    agendas: each session keeps the format it was ticked under (Session.agenda_format)."""
    with transaction.atomic():
        # A form may already have changed the instance: whether it was finished is asked of
        # the database.
        was_finished = Course.objects.filter(pk=course.pk, status__in=FINISHED_STATUSES).exists()
        for name, value in fields.items():
            setattr(course, name, value)
        if (
            course.format == CourseFormat.IPC
            and course.status == CourseStatus.COMPLETED
            and not course.triage
        ):
            raise TriageMissing()
        if course.status == CourseStatus.ENDED_EARLY and not course.ended_on:
            course.ended_on = timezone.localdate()
        if course.status != CourseStatus.ENDED_EARLY:
            course.end_reason = ""
        course.save()
        record(
            Action.COURSE_UPDATE,
            actor=by,
            client=course.client,
            object_type="course",
            object_id=course.pk,
            detail=f"status={course.status}",
        )
        if course.status in FINISHED_STATUSES and not was_finished:
            course_finished.finished(course)  # fixes its outcome thresholds (ADR 0052)
        elif was_finished and course.status not in FINISHED_STATUSES:
            course_finished.reopened(course)  # its stored result goes (ADR 0058)
    return course


def course_set_triage(*, by: User, course: Course, triage: str, note: str) -> Course:
    """Record where an IPC course leads (finished, continue, refer) with the clinician's note;
    'continue' is followed by a new course, which keeps this one as history."""
    with transaction.atomic():
        course.triage, course.triage_note = triage, note
        course.triage_on = timezone.localdate()
        course.save(update_fields=["triage", "triage_note", "triage_on"])
        record(
            Action.COURSE_TRIAGE,
            actor=by,
            client=course.client,
            object_type="course",
            object_id=course.pk,
            detail=f"triage={triage}",
        )
    return course


class ParticipantsNotOffered(ValueError):
    """Who took part is recorded only on a course for adolescents (IPT-A); every other
    course's sessions are the client's own."""


def _check_participants(course: Course, participants: str) -> None:
    if participants not in Participants.values:
        raise ParticipantsNotOffered(participants)
    if participants != Participants.CLIENT and course.format != CourseFormat.ADOLESCENT:
        raise ParticipantsNotOffered(participants)


def session_schedule(
    *,
    by,
    course: Course,
    starts_at,
    minutes: int,
    mode: str,
    participants: str = Participants.CLIENT,
    clinician=None,
    agenda_format: str = "",
    attendance: str = Attendance.SCHEDULED,
) -> Session:
    """Book a session of the course (``clinician``: who holds it, the person booking unless
    named, e.g. a group's facilitator; ``agenda_format``: a session agenda such as the
    pre-group session's, ADR 0053; ``attendance``: already known when typed in afterwards)."""
    _check_participants(course, participants)
    with transaction.atomic():
        session = Session.objects.create(
            course=course,
            clinician=clinician or by,
            agenda_format=agenda_format,
            attendance=attendance,
            starts_at=starts_at,
            minutes=minutes,
            mode=mode,
            participants=participants,
        )
        if course.status == CourseStatus.PLANNED:
            Course.objects.filter(pk=course.pk).update(status=CourseStatus.ACTIVE)
            course.status = CourseStatus.ACTIVE
        record(
            Action.SESSION_CREATE,
            actor=by,
            client=course.client,
            object_type="session",
            object_id=session.pk,
        )
    return session


def session_set_attendance(*, by, session: Session, attendance: str) -> None:
    with transaction.atomic():
        reason = session.cancel_reason if attendance == Attendance.CANCELLED else ""
        Session.objects.filter(pk=session.pk).update(attendance=attendance, cancel_reason=reason)
        session.attendance = attendance
        session.cancel_reason = reason
        record(
            Action.SESSION_ATTENDANCE,
            actor=by,
            client=session.course.client,
            object_type="session",
            object_id=session.pk,
            detail=f"attendance={attendance}",
        )
        if session.course.status in FINISHED_STATUSES:
            course_finished.changed(session.course)  # its stored result follows (ADR 0058)


def session_set_participants(*, by, session: Session, participants: str) -> None:
    """Record who took part (IPT-A only: the client alone, with a parent or carer, or the
    parent or carer alone). Raises ParticipantsNotOffered on any other course."""
    course = session.course
    if course.format != CourseFormat.ADOLESCENT:
        raise ParticipantsNotOffered(participants)
    _check_participants(course, participants)
    with transaction.atomic():
        Session.objects.filter(pk=session.pk).update(participants=participants)
        session.participants = participants
        record(
            Action.SESSION_PARTICIPANTS,
            actor=by,
            client=course.client,
            object_type="session",
            object_id=session.pk,
            detail=f"participants={participants}",
        )
        if course.status in FINISHED_STATUSES:
            course_finished.changed(course)  # its stored result follows (ADR 0058)


class SessionNotChangeable(Exception):
    """The session is no longer only scheduled (its attendance was recorded or it was
    cancelled, perhaps in another tab since the form was opened)."""


def session_move(*, by, session: Session, starts_at: datetime, minutes: int) -> None:
    """Give a scheduled session another time or length. The view has checked overlaps and the
    contract; here only a session still scheduled is changed."""
    with transaction.atomic():
        moved = Session.objects.filter(pk=session.pk, attendance=Attendance.SCHEDULED).update(
            starts_at=starts_at, minutes=minutes
        )
        if not moved:
            raise SessionNotChangeable(session.pk)
        previous = session.starts_at
        session.starts_at, session.minutes = starts_at, minutes
        record(
            Action.SESSION_MOVE,
            actor=by,
            client=session.course.client,
            object_type="session",
            object_id=session.pk,
            detail=f"from={previous.isoformat()} to={starts_at.isoformat()} minutes={minutes}",
        )


def session_cancel(*, by, session: Session, reason: str) -> None:
    """Cancel a scheduled session (before it has ended): it keeps no number and gets no
    reminder."""
    with transaction.atomic():
        if timezone.now() > session.ends_at:
            raise SessionNotChangeable(session.pk)
        cancelled = Session.objects.filter(
            pk=session.pk, attendance=Attendance.SCHEDULED, starts_at=session.starts_at
        ).update(attendance=Attendance.CANCELLED, cancel_reason=reason)
        if not cancelled:
            raise SessionNotChangeable(session.pk)
        session.attendance, session.cancel_reason = Attendance.CANCELLED, reason
        record(
            Action.SESSION_CANCEL,
            actor=by,
            client=session.course.client,
            object_type="session",
            object_id=session.pk,
            detail=f"reason={reason}",
        )


# Reminders queued per run of the worker's job; the rest wait for the next run.
REMINDER_BATCH = 200


def reminders_due(now: datetime):
    """Scheduled sessions of open courses starting within the lead time whose client agreed to
    reminders (a messages consent in force) and has an email address, and that have no
    reminder for their time yet."""
    today = timezone.localdate(now)
    consent = Consent.objects.filter(
        client=OuterRef("course__client"), kind=ConsentKind.MESSAGES, given_on__lte=today
    ).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
    sent = SessionReminder.objects.filter(session=OuterRef("pk"), starts_at=OuterRef("starts_at"))
    return (
        Session.objects.filter(
            attendance=Attendance.SCHEDULED,
            course__status__in=(CourseStatus.PLANNED, CourseStatus.ACTIVE),
            starts_at__gt=now,
            starts_at__lte=now + timedelta(hours=settings.GENTLE_REMINDER_HOURS),
        )
        .exclude(course__client__email="")
        .filter(Exists(consent))
        .exclude(Exists(sent))
        .select_related("course__client__clinic")
        .order_by("starts_at", "pk")
    )


def session_reminders_queue(*, now: datetime | None = None) -> int:
    """The worker's job: queue one reminder per session and time (the marker's unique
    constraint keeps a second worker from queuing it again). Returns how many were queued."""
    now = now or timezone.now()
    queued = 0
    for session in reminders_due(now)[:REMINDER_BATCH]:
        try:
            with transaction.atomic():
                marker = SessionReminder.objects.create(
                    session=session, starts_at=session.starts_at
                )
                mail = _queue_reminder(session)
                SessionReminder.objects.filter(pk=marker.pk).update(mail_id=mail.pk)
                record(
                    Action.SESSION_REMIND,
                    role="system",
                    actor_label="gentle worker",
                    client=session.course.client,
                    object_type="session",
                    object_id=session.pk,
                    detail=f"mail={mail.pk}",
                )
        except IntegrityError:
            continue  # another worker queued it first
        queued += 1
    return queued


def _queue_reminder(session: Session):
    """The reminder: the clinic's name, the day, the time and how the session is held, in
    the client's language, with the appointment as an iCalendar file. Nothing clinical: not
    the kind of care, not the clinician's notes (mail may be read by others)."""
    client = session.course.client
    clinic = client.clinic.name
    with translation.override(client.language):
        local = timezone.localtime(session.starts_at)
        when = {
            "clinic": clinic,
            "date": formats.date_format(local, "DATE_FORMAT"),
            "time": formats.time_format(local, "TIME_FORMAT"),
            "mode": session.get_mode_display(),
        }
        subject = _("[%(clinic)s] Appointment reminder: %(date)s, %(time)s") % when
        body = "\n\n".join(
            [
                _(
                    "This is a reminder of your appointment with %(clinic)s on %(date)s at "
                    "%(time)s (%(mode)s)."
                )
                % when,
                _("If you cannot come, please tell the clinic as soon as you can."),
                _("The attached file adds the appointment to your calendar."),
            ]
        )
        summary = _("Appointment at %(clinic)s") % when
    invitation = ical.calendar(
        name=clinic,
        product="-//Gentle//Appointments//EN",
        events=[
            ical.Event(
                uid=f"appointment-{session.pk}-{int(session.starts_at.timestamp())}@gentle",
                start=session.starts_at,
                end=session.ends_at,
                summary=summary,
            )
        ],
    )
    return mail_queue(
        to=client.email,
        subject=subject,
        body=body + "\n",
        purpose=Purpose.SESSION_REMINDER,
        clinic_id=client.clinic_id,
        attachment=Attachment("appointment.ics", "text/calendar", invitation),
    )


def session_set_agenda(
    *, by, session: Session, done: list[str], version: int, agenda_format: str
) -> None:
    with transaction.atomic():
        Session.objects.filter(pk=session.pk).update(
            agenda_done=done, agenda_version=version, agenda_format=agenda_format
        )
        session.agenda_done = done
        session.agenda_version, session.agenda_format = version, agenda_format
        record(
            Action.SESSION_AGENDA,
            actor=by,
            client=session.course.client,
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


def note_save(*, by, session: Session, base_version: int | None, fields: dict) -> ProgressNote:
    """Create the draft, or update it if nobody saved it since ``base_version``."""
    with transaction.atomic():
        note = ProgressNote.objects.select_for_update().filter(session=session).first()
        if note is None:
            note = ProgressNote.objects.create(session=session, author=by, updated_by=by, **fields)
            action = Action.NOTE_CREATE
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
            action = Action.NOTE_UPDATE
        record(
            action,
            actor=by,
            client=session.course.client,
            object_type="note",
            object_id=note.pk,
            detail=f"version={note.version}",
        )
    return note


def note_sign(*, by, note: ProgressNote, base_version: int, session: Session) -> None:
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
        record(
            Action.NOTE_SIGN,
            actor=by,
            client=session.course.client,
            object_type="note",
            object_id=note.pk,
        )


def note_add_addendum(*, by, note: ProgressNote, session: Session, text: str) -> NoteAddendum:
    with transaction.atomic():
        addendum = NoteAddendum.objects.create(note=note, author=by, text=text)
        record(
            Action.NOTE_ADDENDUM,
            actor=by,
            client=session.course.client,
            object_type="note",
            object_id=note.pk,
            detail=f"addendum={addendum.pk}",
        )
    return addendum


def keyring() -> KeyRing:
    return KeyRing(settings.GENTLE_PROCESS_NOTE_KEYS)


def process_note_save(*, by, session: Session, text: str) -> ProcessNote:
    with transaction.atomic():
        note, created = ProcessNote.objects.update_or_create(
            session=session,
            author=by,
            defaults={"ciphertext": keyring().encrypt(text), "updated_at": timezone.now()},
        )
        record(
            Action.PROCESS_NOTE_CREATE if created else Action.PROCESS_NOTE_UPDATE,
            actor=by,
            client=session.course.client,
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
            Action.PROCESS_NOTE_ROTATE_KEYS,
            actor_label="gentle rotate-keys",
            detail=f"count={count}",
        )
    return count


def relapse_plan_save(*, by, course: Course, fields: dict) -> RelapsePlan:
    with transaction.atomic():
        plan, created = RelapsePlan.objects.update_or_create(
            course=course, defaults={**fields, "updated_by": by, "updated_at": timezone.now()}
        )
        record(
            Action.RELAPSE_PLAN_CREATE if created else Action.RELAPSE_PLAN_UPDATE,
            actor=by,
            client=course.client,
            object_type="relapse_plan",
            object_id=plan.pk,
        )
    return plan


def calendar_feed_renew(*, by) -> str:
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
        record(Action.CALENDAR_FEED_RENEW, actor=by)
    return token


def calendar_feed_revoke(*, by) -> None:
    with transaction.atomic():
        CalendarFeed.objects.filter(user=by).delete()
        record(Action.CALENDAR_FEED_REVOKE, actor=by)


def calendar_feed_end(*, by, clinic, user, role: str) -> None:
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
                Action.CALENDAR_FEED_REVOKE,
                actor=by,
                role=Role.ADMIN,
                clinic_id=clinic.pk,
                object_type="user",
                object_id=user.pk,
                detail="because=role_removed",
            )


def session_tool_link(*, by, session: Session, kind: str, object_id: int) -> SessionTool:
    """Link a tool (checked by the caller to be this client's) to the session it was used in.
    Linking it again changes nothing."""
    with transaction.atomic():
        link, created = SessionTool.objects.get_or_create(
            session=session, kind=kind, object_id=object_id, defaults={"created_by": by}
        )
        record(
            Action.SESSION_TOOL_LINK,
            actor=by,
            client=session.course.client,
            object_type="session",
            object_id=session.pk,
            detail=f"kind={kind} id={object_id}" + ("" if created else " again"),
        )
    return link


def session_tool_unlink(*, by, link: SessionTool) -> None:
    with transaction.atomic():
        SessionTool.objects.filter(pk=link.pk).delete()
        record(
            Action.SESSION_TOOL_UNLINK,
            actor=by,
            client=link.session.course.client,
            object_type="session",
            object_id=link.session_id,
            detail=f"kind={link.kind} id={link.object_id}",
        )


class NotRemote(Exception):
    """The session is in person: it has no remote check."""


REMOTE_CHECK_FIELDS = ("location", "privacy", "with_whom", "emergency_contact")
ROLE_PLAY_FIELDS = ("kind", "other_person", "practised", "how_it_felt", "next_step")


def remote_check_save(*, by, session: Session, fields: dict) -> RemoteCheck:
    """Record (or correct) where the client is at the start of a video or phone session, who
    is with them and whom to call there. The audit detail carries codes, never the place."""
    if not session.is_remote:
        raise NotRemote
    with transaction.atomic():
        check, created = RemoteCheck.objects.update_or_create(
            session=session,
            defaults={
                **{name: fields[name] for name in REMOTE_CHECK_FIELDS},
                "recorded_by": by,
                "recorded_at": timezone.now(),
            },
        )
        record(
            Action.SESSION_REMOTE_CHECK,
            actor=by,
            client=session.course.client,
            object_type="session",
            object_id=session.pk,
            detail=f"privacy={check.privacy}" + ("" if created else " again"),
        )
    return check


class NotThisClientsPerson(Exception):
    """The inventory person named is not this client's (a forged id)."""


class SessionSigned(Exception):
    """The session's progress note is signed: what was recorded on it is part of the record
    and no longer changes (corrections go in an addendum)."""


def _role_play_values(session: Session, fields: dict) -> dict:
    person_id = fields.get("inventory_person_id")
    client_id = session.course.client_id
    if person_id is not None and person_id not in client_people.named(client_id, [person_id]):
        raise NotThisClientsPerson
    return {
        **{name: fields[name] for name in ROLE_PLAY_FIELDS},
        "inventory_person_id": person_id,
    }


def _role_play_detail(play: RolePlay) -> str:
    person = "" if play.inventory_person_id is None else f" person={play.inventory_person_id}"
    return f"kind={play.kind} id={play.pk}{person}"


def _refuse_if_signed(session: Session) -> None:
    """Inside the write's transaction: the note's row is locked, so it is not signed between
    this check and the write."""
    note = ProgressNote.objects.select_for_update().filter(session=session).only("status").first()
    if note is not None and note.status == NoteStatus.SIGNED:
        raise SessionSigned


def role_play_add(*, by, session: Session, fields: dict) -> RolePlay:
    """Record a role play or role reversal done in the session with the clinician, about a
    person in the client's inventory (``inventory_person_id``) or someone else; not once the
    session's note is signed."""
    with transaction.atomic():
        _refuse_if_signed(session)
        play = RolePlay.objects.create(
            session=session, recorded_by=by, **_role_play_values(session, fields)
        )
        record(
            Action.SESSION_ROLE_PLAY,
            actor=by,
            client=session.course.client,
            object_type="session",
            object_id=session.pk,
            detail=_role_play_detail(play),
        )
    return play


def role_play_edit(*, by, play: RolePlay, fields: dict) -> RolePlay:
    """Correct a role play while the session's note is not signed."""
    session = play.session
    with transaction.atomic():
        _refuse_if_signed(session)
        values = _role_play_values(session, fields)
        for name, value in values.items():
            setattr(play, name, value)
        play.edited_by = by
        play.edited_at = timezone.now()
        play.save(update_fields=[*values, "edited_by", "edited_at"])
        record(
            Action.SESSION_ROLE_PLAY_EDIT,
            actor=by,
            client=session.course.client,
            object_type="session",
            object_id=session.pk,
            detail=_role_play_detail(play),
        )
    return play


def role_play_delete(*, by, play: RolePlay) -> None:
    """Remove a role play recorded by mistake, while the session's note is not signed."""
    session = play.session
    with transaction.atomic():
        _refuse_if_signed(session)
        detail = _role_play_detail(play)
        RolePlay.objects.filter(pk=play.pk).delete()
        record(
            Action.SESSION_ROLE_PLAY_DELETE,
            actor=by,
            client=session.course.client,
            object_type="session",
            object_id=session.pk,
            detail=detail,
        )


COMMENT_MAX = 4000


def comment_add(
    *, by: User, course: Course, text: str, session: Session | None = None
) -> SupervisionComment:
    """A supervisor's comment on a course, or on one of its sessions' notes (ADR 0055). The
    caller checked that ``by`` supervises the client (``client.may.supervise``)."""
    text = text.strip()
    if not text or len(text) > COMMENT_MAX:
        raise ValueError("comment text")
    if session is not None and session.course_id != course.pk:
        raise ValueError("session of another course")
    with transaction.atomic():
        comment = SupervisionComment.objects.create(
            course=course, session=session, author=by, text=text
        )
        record(
            Action.COMMENT_ADD,
            actor=by,
            client=course.client,
            object_type="comment",
            object_id=comment.pk,
            detail=f"course={course.pk}" + (f" session={session.pk}" if session else ""),
        )
    return comment


def comment_reply(*, by: User, thread: SupervisionComment, text: str) -> SupervisionComment:
    """An answer in a comment's thread (by the clinician, or the supervisor again); answering
    reopens nothing: a resolved thread takes no more answers."""
    text = text.strip()
    if not text or len(text) > COMMENT_MAX:
        raise ValueError("comment text")
    if thread.reply_to_id is not None or thread.resolved_at is not None:
        raise ValueError("thread closed")
    with transaction.atomic():
        reply = SupervisionComment.objects.create(
            course_id=thread.course_id,
            session_id=thread.session_id,
            reply_to=thread,
            author=by,
            text=text,
        )
        record(
            Action.COMMENT_REPLY,
            actor=by,
            client=thread.course.client,
            object_type="comment",
            object_id=reply.pk,
            detail=f"thread={thread.pk}",
        )
    return reply


def comment_resolve(*, by: User, thread: SupervisionComment) -> SupervisionComment:
    if thread.reply_to_id is not None or thread.resolved_at is not None:
        raise ValueError("thread closed")
    with transaction.atomic():
        thread.resolved_at, thread.resolved_by = timezone.now(), by
        thread.save(update_fields=["resolved_at", "resolved_by"])
        record(
            Action.COMMENT_RESOLVE,
            actor=by,
            client=thread.course.client,
            object_type="comment",
            object_id=thread.pk,
        )
    return thread


class NotCosignable(Exception):
    """The note is not signed, is co-signed already, or is the co-signer's own."""


def note_cosign(*, by: User, note: ProgressNote, session: Session) -> None:
    """The supervisor's co-signature on a signed note (ADR 0055): two fields set once, the
    note's text, version and signature untouched. The caller checked ``client.may.supervise``."""
    if note.author_id == by.pk:
        raise NotCosignable
    with transaction.atomic():
        changed = ProgressNote.objects.filter(
            pk=note.pk, status=NoteStatus.SIGNED, cosigned_at__isnull=True
        ).update(cosigned_at=timezone.now(), cosigned_by=by)
        if not changed:
            raise NotCosignable
        record(
            Action.NOTE_COSIGN,
            actor=by,
            client=session.course.client,
            object_type="note",
            object_id=note.pk,
        )


def note_settings_set(*, by: User, clinic, cosign_supervisees: bool) -> NoteSettings:
    with transaction.atomic():
        found, _created = NoteSettings.objects.update_or_create(
            clinic=clinic,
            defaults={"cosign_supervisees": cosign_supervisees, "updated_at": timezone.now()},
        )
        record(
            Action.NOTE_SETTINGS_SET,
            actor=by,
            clinic_id=clinic.pk,
            object_type="note_settings",
            object_id=found.pk,
            detail=f"cosign={int(cosign_supervisees)}",
        )
    return found


def supervision_meeting_add(
    *,
    by: User,
    clinic,
    clinician: User,
    held_on,
    minutes: int,
    courses,
    topics: str,
    actions: str,
) -> SupervisionMeeting:
    """A meeting in ``clinician``'s supervision log (ADR 0055). The caller checked that ``by``
    supervises them and that ``courses`` are of their clients (``supervision_log_for``)."""
    with transaction.atomic():
        meeting = SupervisionMeeting.objects.create(
            clinic=clinic,
            supervisor=by,
            clinician=clinician,
            held_on=held_on,
            minutes=minutes,
            topics=topics,
            actions=actions,
        )
        meeting.courses.set(courses)
        record(
            Action.SUPERVISION_MEETING_ADD,
            actor=by,
            clinic_id=clinic.pk,
            object_type="supervision_meeting",
            object_id=meeting.pk,
            detail=f"clinician={clinician.pk} courses={len(courses)}",
        )
    return meeting


LETTER_TEXT_FIELDS = (
    "recipient",
    "focus",
    "attendance",
    "outcome",
    "relapse_plan",
    "recommendations",
)


class LetterIsFinal(ValueError):
    """A final letter is read-only: start a new version instead."""


def letter_start(*, by, course: Course, language: str, fields: dict, scores: list, chart: str):
    """A new draft letter to the referrer for ``course``, pre-filled by the caller (the staff
    app composes the course's facts); its version follows the course's last letter."""
    with transaction.atomic():
        last = (
            Letter.objects.select_for_update()
            .filter(course=course)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        letter = Letter.objects.create(
            course=course,
            version=(last or 0) + 1,
            language=language,
            scores=scores,
            chart=chart,
            created_by=by,
            **{name: fields.get(name, "") for name in LETTER_TEXT_FIELDS},
        )
        record(
            Action.LETTER_CREATE,
            actor=by,
            client=course.client,
            object_type="letter",
            object_id=letter.pk,
        )
    return letter


def letter_save(*, by, letter: Letter, fields: dict) -> Letter:
    """Save a draft's text; a final letter is not changed (``LetterIsFinal``)."""
    with transaction.atomic():
        changed = Letter.objects.filter(pk=letter.pk, status=LetterStatus.DRAFT).update(
            updated_at=timezone.now(), **{name: fields[name] for name in LETTER_TEXT_FIELDS}
        )
        if not changed:
            raise LetterIsFinal(letter.pk)
        record(
            Action.LETTER_UPDATE,
            actor=by,
            client=letter.course.client,
            object_type="letter",
            object_id=letter.pk,
        )
    letter.refresh_from_db()
    return letter


def letter_finalise(*, by, letter: Letter) -> Letter:
    """Make a draft final (read-only from now on) and queue its PDF for the worker."""
    from gentle.courses.tasks import render_letter

    with transaction.atomic():
        now = timezone.now()
        changed = Letter.objects.filter(pk=letter.pk, status=LetterStatus.DRAFT).update(
            status=LetterStatus.FINAL,
            finalised_by=by,
            finalised_at=now,
            updated_at=now,
            pdf_status=PdfStatus.QUEUED,
            pdf_progress=0,
        )
        if not changed:
            raise LetterIsFinal(letter.pk)
        record(
            Action.LETTER_FINAL,
            actor=by,
            client=letter.course.client,
            object_type="letter",
            object_id=letter.pk,
        )
        # In the same transaction as the letter (the database task backend), as the record
        # copy does: a final letter always has its PDF on the way.
        render_letter.enqueue(letter.pk)
    letter.refresh_from_db()
    return letter
