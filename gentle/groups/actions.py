"""Every write to groups: one transaction each, its audit row inside it (ADR 0023)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.accounts.models import Clinic, User
from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.clients.models import Client
from gentle.courses import actions as course_actions
from gentle.courses.models import Course, CourseStatus
from gentle.courses.protocol import defaults_for
from gentle.groups.models import Group, GroupMember, GroupStatus, LeaveReason

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
    with transaction.atomic():
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
    return course_actions.course_create(
        by=by,
        client=client,
        format=group.format,
        contracted_sessions=defaults.sessions,
        session_minutes=defaults.minutes,
        initial_last=defaults.initial_sessions,
        termination_first=defaults.sessions - defaults.termination_sessions + 1,
        start_date=group.starts_on,
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
        record(
            Action.GROUP_MEMBER_LEAVE,
            actor=by,
            client=member.client,
            object_type="group_member",
            object_id=member.pk,
            detail=f"group={member.group_id} reason={reason}",
        )
