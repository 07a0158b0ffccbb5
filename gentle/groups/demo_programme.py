"""Demo for the groups programme view (issue 24 part 5): last season's group, finished, run by
the demo's lay facilitator, so the programme page has held sessions, attendance, completion and
PHQ-9 change to show beside the two running groups (gentle/groups/demo.py). Removed with
them (``groups.demo.remove`` deletes every group of the demo clinic).

Six fictional members on the second clinician's care team: one joined at the second session (a
late join), one stopped coming after the third; the rest completed. Each gave a PHQ-9 at the
first and the last group session they attended (item 9 always 0: no risk story here). The
shared session rows are created directly, each member's attendance with its session of their
own course as the session screen makes it.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from random import Random
from typing import Any

from django.utils import timezone

from gentle.courses import actions as course_actions
from gentle.courses.models import Attendance, Course, CourseStatus, Session, SessionMode
from gentle.groups import actions
from gentle.groups.demo import AREAS, PLACE, _new_clients
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
from gentle.lib import course_finished
from gentle.measures import actions as measure_actions
from gentle.measures.demo import _answers
from gentle.measures.instruments import catalogue
from gentle.measures.models import Administration, Mode

SESSIONS = 8
# Each member: the session they joined at, the last they came to (None: to the end), sessions
# missed, and their first and last PHQ-9 totals.
MEMBERS: tuple[tuple[int, int | None, set[int], int, int], ...] = (
    (1, None, {4}, 16, 7),  # a case who recovered
    (1, None, set(), 12, 10),  # a case, better but still at the threshold: not recovered
    (1, None, {6}, 8, 5),  # not a case at the start
    (1, 3, set(), 14, 13),  # stopped coming after session 3
    (2, None, {5}, 18, 8),  # joined late, a case who recovered
    (1, None, set(), 11, 6),  # a case who recovered
)


def seed(rng: Random, context: dict[str, Any]) -> None:
    clinic, users = context["clinic"], context["users"]
    admin, facilitator, clinician = users["admin"], users["facilitator"], users["clinician2"]
    today = timezone.localdate()
    starts = today - timedelta(days=16 * 7)
    group = actions.group_create(
        by=admin,
        clinic=clinic,
        name="Spring group",
        format="group",
        language="en",
        setting=Setting.IN_PERSON,
        place=PLACE,
        starts_on=starts,
        facilitator=facilitator,
        co_facilitator=None,
        status=GroupStatus.RUNNING,
    )
    days = [starts + timedelta(days=7 * n) for n in range(SESSIONS)]
    sessions = [
        GroupSession.objects.create(
            group=group,
            number=n + 1,
            starts_at=timezone.make_aware(datetime.combine(day, time(18))),
            status=GroupSessionStatus.HELD,
            recorded_by=facilitator,
            recorded_at=timezone.make_aware(datetime.combine(day, time(20))),
        )
        for n, day in enumerate(days)
    ]
    phq9 = catalogue()["phq9"]
    for client, (joins, last, missed, first_score, last_score) in zip(
        _new_clients(rng, context, len(MEMBERS), clinician), MEMBERS, strict=True
    ):
        joined = days[joins - 1] - timedelta(days=0 if joins > 1 else 5)
        member = actions.member_add(by=clinician, group=group, client=client, joined_on=joined)
        # The problem area named at the pre-group session; the formulation demo writes it up
        # (``formulation.demo.seed_group_courses``), as for the running groups' members.
        course_actions.course_update(by=clinician, course=member.course, focus=rng.choice(AREAS))
        context.setdefault("group_courses", []).append(member.course)
        until = last or SESSIONS
        came = [n for n in range(joins, until + 1) if n not in missed]
        held: dict[int, Session] = {}
        for number in range(joins, until + 1):
            # As the session screen records it (groups.actions.session_record): each member's
            # attendance is also a session of their own course, so the course's attended
            # sessions (and its outcome, issue 25) count the group's meetings.
            held[number] = course_actions.session_schedule(
                by=facilitator,
                course=member.course,
                starts_at=sessions[number - 1].starts_at,
                minutes=sessions[number - 1].minutes,
                mode=SessionMode.IN_PERSON,
                clinician=facilitator,
                agenda_format=group.format,
                attendance=Attendance.ATTENDED if number in came else Attendance.NO_SHOW,
            )
            GroupAttendance.objects.create(
                group_session=sessions[number - 1],
                member=member,
                attended=number in came,
                recorded_by=facilitator,
                course_session=held[number],
            )
        for number, total in ((came[0], first_score), (came[-1], last_score)):
            given = measure_actions.administration_start(
                by=clinician,
                client=client,
                instrument=phq9,
                mode=Mode.IN_SESSION,
                course=member.course,
                session=held[number],
            )
            answers = _answers(rng, "phq9_", 9, total, keep_last_zero=True)
            measure_actions.administration_submit(
                by=clinician, administration=given, answers=answers, role="clinician"
            )
            Administration.objects.filter(pk=given.pk).update(
                submitted_at=sessions[number - 1].starts_at + timedelta(minutes=10)
            )
        if last is not None:
            actions.member_leave(
                by=facilitator,
                member=member,
                left_on=days[last - 1] + timedelta(days=1),
                reason=LeaveReason.DROPPED_OUT,
            )
        else:
            actions.member_leave(
                by=facilitator, member=member, left_on=days[-1], reason=LeaveReason.COMPLETED
            )
    fields = {name: getattr(group, name) for name in ("name", "language", "place", "starts_on")}
    actions.group_update(by=admin, group=group, status=GroupStatus.FINISHED, **fields)
    _close_courses(group)
    context["groups"] = [*context.get("groups", []), group]
    context.setdefault("counts", {}).update(
        groups=Group.objects.filter(clinic=clinic).count(),
        group_members=GroupMember.objects.filter(group__clinic=clinic).count(),
    )


def _close_courses(group: Group) -> None:
    """Last season's members' own courses ended with the group (or when they stopped coming),
    their pre-group sessions held: the story their clinician's caseload and home tell."""
    for member in GroupMember.objects.filter(group=group).select_related("course"):
        Session.objects.filter(
            course=member.course, starts_at__lt=timezone.now(), attendance=Attendance.SCHEDULED
        ).update(attendance=Attendance.ATTENDED)
        dropped = member.leave_reason == LeaveReason.DROPPED_OUT
        Course.objects.filter(pk=member.course_id).update(
            status=CourseStatus.ENDED_EARLY if dropped else CourseStatus.COMPLETED,
            ended_on=member.left_on,
            end_reason="Stopped coming to the group after session 3." if dropped else "",
        )
        course_finished.finished(Course.objects.get(pk=member.course_id))  # thresholds fixed
