"""Every write to groups: one transaction each, its audit row inside it (ADR 0023)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.accounts.models import Clinic, Role, User
from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.clients.models import Client
from gentle.courses import actions as course_actions
from gentle.courses.models import Attendance, Course, CourseStatus, Session, SessionMode
from gentle.courses.protocol import PRE_GROUP, agenda_for, defaults_for
from gentle.groups.models import (
    Group,
    GroupAttendance,
    GroupMember,
    GroupSession,
    GroupSessionStatus,
    GroupStatus,
    LeaveReason,
    Setting,
)
from gentle.measures import actions as measure_actions
from gentle.measures.instruments import catalogue
from gentle.measures.models import Administration, Mode, Status
from gentle.measures.scoring import check
from gentle.safety.actions import alert_raise
from gentle.safety.models import Severity

# The member's course: one individual pre-group session, then the group's sessions (ADR 0053).
PRE_GROUP_SESSIONS = 1
PRE_GROUP_MINUTES = 60
PRE_GROUP_HOUR = time(10, 0)
PHQ9 = "phq9"
FOLLOW_UP_SOURCE = "group_attendance"
FOLLOW_UP_RULE = "group_follow_up"

GROUP_FIELDS = (
    "name",
    "format",
    "language",
    "setting",
    "place",
    "starts_on",
    "facilitator",
    "co_facilitator",
)


class GroupRefused(ValueError):
    """Bad input the models' rules refuse; the message says why, for the person."""


def _check(fields: dict[str, Any]) -> None:
    if fields.get("co_facilitator") and fields["co_facilitator"] == fields.get("facilitator"):
        raise GroupRefused(_("The co-facilitator must be someone other than the facilitator."))
    if fields.get("setting") != "video" and not (fields.get("place") or "").strip():
        raise GroupRefused(_("Say where the group meets, or choose video."))


def group_create(*, by: User, clinic: Clinic, **fields: Any) -> Group:
    _check(fields)
    with transaction.atomic():
        group = Group.objects.create(clinic=clinic, created_by=by, **fields)
        record(
            Action.GROUP_CREATE,
            actor=by,
            clinic_id=clinic.pk,
            object_type="group",
            object_id=group.pk,
            detail=f"format={group.format} language={group.language}",
        )
    return group


def group_update(*, by: User, group: Group, status: str, **fields: Any) -> Group:
    """Change the group's details and status. Finishing it closes every open membership as
    completed (on the day it is finished), so its members may join another group."""
    _check(fields)
    first = group.sessions.filter(number=1).first()
    new_start = fields.get("starts_on", group.starts_on)
    moving = first is not None and new_start != group.starts_on
    if moving and first is not None and first.status == GroupSessionStatus.HELD:
        raise GroupRefused(_("The first session was held: its date cannot move."))
    with transaction.atomic():
        if first is not None and new_start != timezone.localtime(first.starts_at).date():
            # starts_on is session 1's date: moving one moves the other (ADR 0053).
            moved_to = _local(new_start, timezone.localtime(first.starts_at).time())
            for booked in _booked(first):
                course_actions.session_move(
                    by=by, session=booked, starts_at=moved_to, minutes=booked.minutes
                )
            first.starts_at = moved_to
            first.save(update_fields=["starts_at"])
        for name, value in fields.items():
            setattr(group, name, value)
        finishing = status == GroupStatus.FINISHED and group.status != GroupStatus.FINISHED
        group.status = status
        group.save()
        closed = 0
        if finishing:
            today = timezone.localdate()
            open_members = group.members.filter(left_on__isnull=True)
            completed = {"leave_reason": LeaveReason.COMPLETED}
            # A member due to join after today leaves on the day they were to join.
            closed = open_members.filter(joined_on__gt=today).update(
                left_on=F("joined_on"), **completed
            )
            closed += open_members.update(left_on=today, **completed)
        record(
            Action.GROUP_UPDATE,
            actor=by,
            clinic_id=group.clinic_id,
            object_type="group",
            object_id=group.pk,
            detail=f"status={group.status}" + (f" closed={closed}" if finishing else ""),
        )
    return group


def course_for_group(*, by: User, group: Group, client: Client) -> Course:
    """The client's open course of the group's format, or a new one with the format's defaults
    (formats.json) starting on the group's first session."""
    course = (
        Course.objects.filter(
            client=client,
            format=group.format,
            status__in=(CourseStatus.PLANNED, CourseStatus.ACTIVE),
        )
        .order_by("-start_date", "-pk")
        .first()
    )
    if course is not None:
        return course
    defaults = defaults_for(group.format)
    # 1 pre-group + the group's sessions: course session 1 is the pre-group session, course
    # session n + 1 is group session n, so the course's phases follow the group's (ADR 0053).
    return course_actions.course_create(
        by=by,
        client=client,
        format=group.format,
        contracted_sessions=defaults.sessions + PRE_GROUP_SESSIONS,
        session_minutes=defaults.minutes,
        initial_last=defaults.initial_sessions + PRE_GROUP_SESSIONS,
        termination_first=defaults.sessions
        - defaults.termination_sessions
        + 1
        + PRE_GROUP_SESSIONS,
        start_date=group.starts_on - timedelta(days=7),
    )


def _local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def pre_group_session(*, by: User, group: Group, course: Course, joined_on: date) -> Session:
    """The member's individual pre-group session on their own course (ADR 0053): a week before
    the group's first session, or on the day a late joiner joins; booked with the person adding
    them, who can move it like any session. Kept if the course already has one."""
    found = course.sessions.filter(agenda_format=PRE_GROUP).first()
    if found is not None:
        return found
    late = joined_on > group.starts_on
    day = joined_on if late else group.starts_on - timedelta(days=7)
    mode = SessionMode.VIDEO if group.setting == Setting.VIDEO else SessionMode.IN_PERSON
    return course_actions.session_schedule(
        by=by,
        course=course,
        starts_at=_local(day, PRE_GROUP_HOUR),
        minutes=PRE_GROUP_MINUTES,
        mode=mode,
        agenda_format=PRE_GROUP,
    )


def member_add(*, by: User, group: Group, client: Client, joined_on: date) -> GroupMember:
    """Put a client on the group's roster with their course of its format (found or created).
    Refused: a finished group, a client of another clinic, a client already in a group."""
    if group.status == GroupStatus.FINISHED:
        raise GroupRefused(_("This group has finished: it takes no new members."))
    if client.clinic_id != group.clinic_id:
        raise GroupRefused(_("Choose a client of this clinic."))
    if GroupMember.objects.filter(client=client, left_on__isnull=True).exists():
        raise GroupRefused(
            _(
                "%(name)s is already a member of a group. Record them leaving it before "
                "adding them to another."
            )
            % {"name": client.full_name}
        )
    try:
        with transaction.atomic():
            course = course_for_group(by=by, group=group, client=client)
            member = GroupMember.objects.create(
                group=group, client=client, course=course, joined_on=joined_on, added_by=by
            )
            pre_group_session(by=by, group=group, course=course, joined_on=joined_on)
            _book_member(by=by, group=group, member=member, sessions=list(group.sessions.all()))
            record(
                Action.GROUP_MEMBER_ADD,
                actor=by,
                client=client,
                object_type="group_member",
                object_id=member.pk,
                detail=f"group={group.pk} course={course.pk} late={int(member.late)}",
            )
    except IntegrityError:  # added meanwhile by someone else (group_member_one_open_group)
        raise GroupRefused(
            _("%(name)s is already a member of a group.") % {"name": client.full_name}
        ) from None
    return member


def member_leave(*, by: User, member: GroupMember, left_on: date, reason: str) -> None:
    """Record that a member left the group (on a day not before they joined, with a reason)."""
    if member.left_on is not None:
        raise GroupRefused(_("This member's leaving is already recorded."))
    if left_on < member.joined_on:
        raise GroupRefused(_("They cannot leave before the day they joined."))
    if reason not in LeaveReason.values:
        raise GroupRefused(_("Choose why they left."))
    with transaction.atomic():
        member.left_on, member.leave_reason = left_on, reason
        member.save(update_fields=["left_on", "leave_reason"])
        # The group sessions booked on their course after they left are called off.
        after = member.course.sessions.filter(
            attendance=Attendance.SCHEDULED,
            group_attendance__isnull=True,
            agenda_format=member.group.format,
            starts_at__gte=_local(left_on + timedelta(days=1), time(0, 0)),
        ).select_related("course__client")
        for booked in after:
            course_actions.session_set_attendance(
                by=by, session=booked, attendance=Attendance.CANCELLED
            )
        record(
            Action.GROUP_MEMBER_LEAVE,
            actor=by,
            client=member.client,
            object_type="group_member",
            object_id=member.pk,
            detail=f"group={member.group_id} reason={reason}",
        )


# The schedule and the shared session record (issue 24 part 3, ADR 0053) ----------------------


def _book_member(
    *, by: User, group: Group, member: GroupMember, sessions: list[GroupSession]
) -> int:
    """Book the member's course sessions for the group's scheduled sessions from the day they
    join (held by the facilitator, under the group's agenda), so their course's numbering and
    measures schedule (the PHQ-9 due each session, also in the portal) run ahead of the
    meetings; recording a meeting takes the one booked at its time (ADR 0053)."""
    mode = SessionMode.VIDEO if group.setting == Setting.VIDEO else SessionMode.IN_PERSON
    booked = 0
    for session in sessions:
        day = timezone.localtime(session.starts_at).date()
        if session.status != GroupSessionStatus.SCHEDULED or day < member.joined_on:
            continue
        if member.course.sessions.filter(starts_at=session.starts_at).exists():
            continue
        course_actions.session_schedule(
            by=by,
            course=member.course,
            starts_at=session.starts_at,
            minutes=session.minutes,
            mode=mode,
            clinician=group.facilitator,
            agenda_format=group.format,
        )
        booked += 1
    return booked


def _booked(session: GroupSession) -> list[Session]:
    """The members' course sessions booked for this group session and not yet recorded."""
    return list(
        Session.objects.filter(
            course__group_memberships__group_id=session.group_id,
            starts_at=session.starts_at,
            attendance=Attendance.SCHEDULED,
            group_attendance__isnull=True,
        ).select_related("course__client")
    )


def schedule_make(*, by: User, group: Group, at: time) -> list[GroupSession]:
    """The group's sessions, 1 to its format's count, weekly from its first session's date at
    the time given. Made once; then each session is moved or cancelled on its own."""
    if group.status == GroupStatus.FINISHED:
        raise GroupRefused(_("This group has finished."))
    if group.sessions.exists():
        raise GroupRefused(_("This group already has its schedule."))
    defaults = defaults_for(group.format)
    with transaction.atomic():
        sessions = GroupSession.objects.bulk_create(
            GroupSession(
                group=group,
                number=n,
                starts_at=_local(group.starts_on + timedelta(days=7 * (n - 1)), at),
                minutes=defaults.minutes,
            )
            for n in range(1, defaults.sessions + 1)
        )
        for member in group.members.filter(left_on__isnull=True).select_related("course"):
            _book_member(by=by, group=group, member=member, sessions=sessions)
        record(
            Action.GROUP_SCHEDULE,
            actor=by,
            clinic_id=group.clinic_id,
            object_type="group",
            object_id=group.pk,
            detail=f"sessions={len(sessions)}",
        )
    return sessions


def session_move(*, by: User, session: GroupSession, starts_at: datetime) -> None:
    """Move a session not yet held, keeping the sessions in their order; moving session 1 moves
    the group's first session date (``starts_on``)."""
    if session.status != GroupSessionStatus.SCHEDULED:
        raise GroupRefused(_("Only a session not yet held or cancelled can be moved."))
    siblings = GroupSession.objects.filter(group_id=session.group_id)
    before = siblings.filter(number__lt=session.number, starts_at__gte=starts_at).exists()
    after = siblings.filter(number__gt=session.number, starts_at__lte=starts_at).exists()
    if before or after:
        raise GroupRefused(_("A session must come after the one before it and before the next."))
    with transaction.atomic():
        for booked in _booked(session):
            course_actions.session_move(
                by=by, session=booked, starts_at=starts_at, minutes=booked.minutes
            )
        session.starts_at = starts_at
        session.save(update_fields=["starts_at"])
        if session.number == 1:
            Group.objects.filter(pk=session.group_id).update(
                starts_on=timezone.localtime(starts_at).date()
            )
        record(
            Action.GROUP_SESSION_MOVE,
            actor=by,
            clinic_id=session.group.clinic_id,
            object_type="group_session",
            object_id=session.pk,
            detail=f"group={session.group_id} number={session.number}",
        )


def session_cancel(*, by: User, session: GroupSession) -> None:
    if session.status != GroupSessionStatus.SCHEDULED:
        raise GroupRefused(_("Only a session not yet held can be cancelled."))
    with transaction.atomic():
        for booked in _booked(session):
            course_actions.session_set_attendance(
                by=by, session=booked, attendance=Attendance.CANCELLED
            )
        session.status = GroupSessionStatus.CANCELLED
        session.save(update_fields=["status"])
        record(
            Action.GROUP_SESSION_CANCEL,
            actor=by,
            clinic_id=session.group.clinic_id,
            object_type="group_session",
            object_id=session.pk,
            detail=f"group={session.group_id} number={session.number}",
        )


def session_phase(group: Group, number: int) -> str:
    defaults = defaults_for(group.format)
    if number <= defaults.initial_sessions:
        return "initial"
    if number > defaults.sessions - defaults.termination_sessions:
        return "termination"
    return "middle"


def session_roster(session: GroupSession, *, past_members: bool = True) -> list[GroupMember]:
    """The members on the roster on the session's day: joined by then and not left before it
    (a lay facilitator: the current members among them)."""
    day = timezone.localtime(session.starts_at).date()
    members = GroupMember.objects.filter(group_id=session.group_id, joined_on__lte=day).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=day)
    )
    if not past_members:
        members = members.filter(left_on__isnull=True)
    return list(members.select_related("client", "course").order_by("client__given_name", "pk"))


@dataclass
class Mark:
    """What was typed for one member: came (True), did not come (False) or not marked (None)."""

    attended: bool | None
    note: str = ""
    follow_up: bool = False
    follow_up_reason: str = ""
    phq9: dict[str, object] = field(default_factory=dict)


class SessionRefused(ValueError):
    """The session's record is refused; ``errors`` say why, by member id (0: the session)."""

    def __init__(self, errors: dict[int, list[str]]):
        super().__init__("; ".join(str(m) for ms in errors.values() for m in ms))
        self.errors = errors


def _session_errors(
    session: GroupSession,
    roster: list[GroupMember],
    marks: dict[int, Mark],
    agenda_done: list[str],
    entered: set[int],
) -> dict[int, list[str]]:
    errors: dict[int, list[str]] = {}

    def say(key: int, message: Any) -> None:
        errors.setdefault(key, []).append(str(message))

    on_roster = {member.pk for member in roster}
    if marks.keys() - on_roster:
        say(
            0,
            _("Someone marked is not on this session's roster (left before it, or not a member)."),
        )
    if not any(marks.get(pk) and marks[pk].attended is not None for pk in on_roster):
        say(0, _("Mark who came and who did not: nobody is marked."))
    phase = session_phase(session.group, session.number)
    ids = {item.id for item in agenda_for(session.group.format).phases[phase]}
    if set(agenda_done) - ids:
        say(0, _("Tick only this session's agenda items."))
    instrument = catalogue()[PHQ9]
    for member in roster:
        mark = marks.get(member.pk)
        if mark is None or mark.attended is None:
            say(member.pk, _("Mark whether they came."))
            continue
        if mark.follow_up and not mark.follow_up_reason.strip():
            say(member.pk, _("Say why they need follow-up."))
        if mark.phq9:
            if not mark.attended:
                say(member.pk, _("A PHQ-9 is entered only for someone who came."))
            elif member.pk in entered:
                say(member.pk, _("Their PHQ-9 for this session is already recorded."))
            else:
                for message in check(instrument, mark.phq9).values():
                    say(member.pk, _("PHQ-9: %(problem)s") % {"problem": message})
    return errors


def phone_answers(session: GroupSession) -> dict[int, Administration]:
    """The PHQ-9s sent to members' phones for this meeting (on the session booked on their
    course at its time), by member id: one query."""
    sent = Administration.objects.filter(
        instrument_id=PHQ9,
        mode=Mode.PORTAL,
        course__group_memberships__group_id=session.group_id,
        session__starts_at=session.starts_at,
        corrections__isnull=True,
    ).annotate(member_id=F("course__group_memberships__id"))
    return {a.member_id: a for a in sent.order_by("pk")}


def phq9_send(*, by: User, session: GroupSession) -> int:
    """Send the PHQ-9 to the phones of the current members who have a portal account and no
    PHQ-9 sent for this meeting yet, on the session booked on their course, due on the day.
    Answered there, it goes through the one safety path as any portal answer. Returns how many
    were sent."""
    group = session.group
    if group.status == GroupStatus.FINISHED or session.status != GroupSessionStatus.SCHEDULED:
        raise GroupRefused(_("The PHQ-9 is sent only before a scheduled session is recorded."))
    booked = {s.course_id: s for s in _booked(session)}
    already = phone_answers(session)
    sent = 0
    with transaction.atomic():
        for member in session_roster(session, past_members=False):
            course_session = booked.get(member.course_id)
            if member.client.user_id is None or member.pk in already or course_session is None:
                continue
            measure_actions.administration_start(
                by=by,
                client=member.client,
                instrument=catalogue()[PHQ9],
                mode=Mode.PORTAL,
                course=member.course,
                session=course_session,
                due_on=timezone.localtime(session.starts_at).date(),
            )
            sent += 1
        record(
            Action.GROUP_PHQ9_SEND,
            actor=by,
            clinic_id=group.clinic_id,
            object_type="group_session",
            object_id=session.pk,
            detail=f"group={group.pk} number={session.number} sent={sent}",
        )
    return sent


# A session may be recorded from a little before its start (the facilitator opens the screen
# as members arrive), never for a later day.
EARLY_RECORDING = timedelta(minutes=30)


def session_record(
    *,
    by: User,
    session: GroupSession,
    marks: dict[int, Mark],
    agenda_done: list[str],
    summary: str,
    practice: str,
    past_members: bool = True,
) -> list[Any]:
    """Record a group session in one go: the shared record (agenda ticks, summary, practice),
    each member's attendance, note and follow-up flag, the session on each member's own course
    (linked from their attendance), their PHQ-9 (on that session, so its safety rules raise the
    member's alert as anywhere) and, for a follow-up flag, a low alert to their care team.
    Everything is checked first: refused, nothing is saved (``SessionRefused``). Returns the
    safety rules the PHQ-9s triggered."""
    group = session.group
    if group.status == GroupStatus.FINISHED:
        raise SessionRefused({0: [str(_("This group has finished."))]})
    if session.status == GroupSessionStatus.CANCELLED:
        raise SessionRefused({0: [str(_("This session was cancelled."))]})
    if session.starts_at - EARLY_RECORDING > timezone.now():
        # Attendance and answers are facts of a meeting that has taken place (or is starting).
        raise SessionRefused(
            {0: [str(_("This session has not taken place yet: record it once it has begun."))]}
        )
    roster = session_roster(session, past_members=past_members)
    existing = {a.member_id: a for a in session.attendance.select_related("course_session")}
    entered = set(
        Administration.objects.filter(
            instrument_id=PHQ9,
            session_id__in=[a.course_session_id for a in existing.values() if a.course_session_id],
        ).values_list("session__group_attendance__member_id", flat=True)
    )
    # A PHQ-9 the member answered on their phone for this meeting counts as entered too.
    entered |= {
        member_id
        for member_id, sent in phone_answers(session).items()
        if sent.status == Status.SUBMITTED
    }
    errors = _session_errors(session, roster, marks, agenda_done, entered)
    if errors:
        raise SessionRefused(errors)
    phase = session_phase(group, session.number)
    version = agenda_for(group.format).version
    mode = SessionMode.VIDEO if group.setting == Setting.VIDEO else SessionMode.IN_PERSON
    now = timezone.now()
    rules: list[Any] = []
    with transaction.atomic():
        session.status = GroupSessionStatus.HELD
        session.agenda_done = list(agenda_done)
        session.summary, session.practice = summary, practice
        session.recorded_by, session.recorded_at = by, now
        session.save()
        if group.status == GroupStatus.PLANNED:
            Group.objects.filter(pk=group.pk).update(status=GroupStatus.RUNNING)
            group.status = GroupStatus.RUNNING
        for member in roster:
            mark = marks[member.pk]
            attendance = Attendance.ATTENDED if mark.attended else Attendance.NO_SHOW
            row = existing.get(member.pk)
            course_session = row.course_session if row else None
            if course_session is None:
                # A session booked on the member's course for this meeting before the group
                # had its record (the old way, one course at a time) becomes this one.
                course_session = member.course.sessions.filter(
                    starts_at=session.starts_at, group_attendance__isnull=True
                ).first()
                if course_session is not None and course_session.attendance != attendance:
                    course_actions.session_set_attendance(
                        by=by, session=course_session, attendance=attendance
                    )
            elif course_session.attendance != attendance:
                course_actions.session_set_attendance(
                    by=by, session=course_session, attendance=attendance
                )
            if course_session is None:
                course_session = course_actions.session_schedule(
                    by=by,
                    course=member.course,
                    starts_at=session.starts_at,
                    minutes=session.minutes,
                    mode=mode,
                    clinician=group.facilitator,
                    agenda_format=group.format,
                    attendance=attendance,
                )
            course_actions.session_set_agenda(
                by=by,
                session=course_session,
                done=list(agenda_done) if mark.attended else [],
                version=version,
                agenda_format=group.format,
            )
            row, _created = GroupAttendance.objects.update_or_create(
                group_session=session,
                member=member,
                defaults={
                    "attended": bool(mark.attended),
                    "note": mark.note,
                    "follow_up": mark.follow_up,
                    "follow_up_reason": mark.follow_up_reason if mark.follow_up else "",
                    "course_session": course_session,
                    "recorded_by": by,
                    "recorded_at": now,
                },
            )
            if mark.phq9 and mark.attended:
                administration = measure_actions.administration_start(
                    by=by,
                    client=member.client,
                    instrument=catalogue()[PHQ9],
                    mode=Mode.IN_SESSION,
                    course=member.course,
                    session=course_session,
                )
                rules += measure_actions.administration_submit(
                    by=by, administration=administration, answers=mark.phq9, role=by_role(by, group)
                )
            if mark.follow_up:
                # The member's care team hears of it as of any concern: a low alert through
                # safety, once per attendance (ADR 0053).
                alert_raise(
                    client=member.client,
                    source=FOLLOW_UP_SOURCE,
                    source_id=row.pk,
                    rule_id=FOLLOW_UP_RULE,
                    severity=Severity.LOW,
                    reason=f"Flagged for follow-up at group session {session.number}: "
                    + mark.follow_up_reason.strip(),
                    actor=by,
                )
        record(
            Action.GROUP_SESSION_RECORD,
            actor=by,
            clinic_id=group.clinic_id,
            object_type="group_session",
            object_id=session.pk,
            detail=f"group={group.pk} number={session.number} phase={phase} "
            f"members={len(roster)} came={sum(1 for m in roster if marks[m.pk].attended)}",
        )
    return rules


def by_role(by: User, group: Group) -> str:
    """The role written on a PHQ-9 entered at the group: a lay facilitator's, else clinician."""
    runs = by.pk in (group.facilitator_id, group.co_facilitator_id)
    clinician = by.memberships.filter(clinic_id=group.clinic_id, role=Role.CLINICIAN).exists()
    return Role.FACILITATOR if runs and not clinician else Role.CLINICIAN
