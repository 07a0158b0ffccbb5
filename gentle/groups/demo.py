"""Demo groups (issue 24): a lay facilitator running two groups of Group IPT, one in English
(with the demo clinician as co-facilitator) and one in Spanish, with fictional members.

The demo client whose course is a group course (the courses demo's eighth plan) is a member of
the English group, which began on that course's first session; the other members are new
fictional clients on the care team of the clinic's second clinician, so the other clinicians'
caseloads stay as the other demos tell them; the demo clinician, the English group's
co-facilitator, sees its members by name, and only their own client's record.
"""

from __future__ import annotations

from datetime import time, timedelta
from random import Random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from gentle.accounts import actions as account_actions
from gentle.accounts.models import Role, User
from gentle.clients import actions as client_actions
from gentle.clients.demo import FAMILY, GIVEN
from gentle.clients.models import Client
from gentle.courses import actions as course_actions
from gentle.courses.protocol import PRE_GROUP, agenda_for
from gentle.groups import actions
from gentle.groups.models import (
    Group,
    GroupAttendance,
    GroupMember,
    GroupSession,
    GroupStatus,
    LeaveReason,
    Setting,
)

PLACE = "Riverside Community Centre, room 2 (fictional)"
PLACE_ES = "Centro comunitario Riverside, sala 3 (ficticio)"


def _new_clients(rng: Random, context: dict[str, Any], count: int, clinician: User) -> list[Client]:
    clinic, admin = context["clinic"], context["users"]["admin"]
    taken = set(Client.objects.filter(clinic=clinic).values_list("given_name", "family_name"))
    pool = [(g, f) for g in GIVEN for f in FAMILY if (g, f) not in taken]
    made = []
    for given, family in rng.sample(pool, count):
        client = client_actions.client_create(
            by=admin, clinic=clinic, given_name=given, family_name=family
        )
        client_actions.care_team_set(
            by=admin, client=client, clinicians=[clinician], supervisor=None
        )
        made.append(client)
    return made


def seed(rng: Random, context: dict[str, Any]) -> None:
    clinic, users = context["clinic"], context["users"]
    admin, clinician = users["admin"], users["clinician"]
    facilitator = User.objects.create(
        email=f"facilitator@{context['domain']}",
        display_name="Wanjiru Castell",
        password=make_password(context["password"]),
    )
    account_actions.membership_add(by=admin, clinic=clinic, user=facilitator, role=Role.FACILITATOR)
    users["facilitator"] = facilitator
    today = timezone.localdate()
    # The English group: running since the group-course client's first session.
    member_of_old = context["clients"][7]
    course = member_of_old.courses.get(format="group")
    first = course.sessions.order_by("starts_at").first()
    starts = timezone.localdate(first.starts_at) if first else today - timedelta(days=21)
    english = actions.group_create(
        by=admin,
        clinic=clinic,
        name="Tuesday evening group",
        format="group",
        language="en",
        setting=Setting.IN_PERSON,
        place=PLACE,
        starts_on=starts,
        facilitator=facilitator,
        co_facilitator=clinician,
        status=GroupStatus.RUNNING,
    )
    added = []
    owner = member_of_old.care_team.get(role="clinician").user
    added.append(
        actions.member_add(
            by=owner, group=english, client=member_of_old, joined_on=starts - timedelta(days=7)
        )
    )
    for index, client in enumerate(_new_clients(rng, context, 4, users["clinician2"])):
        # The last joined after the first session (a late join); one stopped coming.
        joined = starts + timedelta(days=7) if index == 3 else starts - timedelta(days=5)
        added.append(
            actions.member_add(
                by=users["clinician2"], group=english, client=client, joined_on=joined
            )
        )
    actions.member_leave(
        by=facilitator,
        member=added[2],
        left_on=min(today, starts + timedelta(days=14)),
        reason=LeaveReason.DROPPED_OUT,
    )
    # The Spanish group: running for a week, in person.
    spanish = actions.group_create(
        by=admin,
        clinic=clinic,
        name="Grupo de los jueves",
        format="group",
        language="es",
        setting=Setting.IN_PERSON,
        place=PLACE_ES,
        starts_on=today - timedelta(days=7),
        facilitator=facilitator,
        co_facilitator=None,
        status=GroupStatus.RUNNING,
    )
    for client in _new_clients(rng, context, 5, users["clinician2"]):
        Client.objects.filter(pk=client.pk).update(language="es")
        client.language = "es"
        actions.member_add(
            by=users["clinician2"],
            group=spanish,
            client=client,
            joined_on=today - timedelta(days=12),
        )
    _pre_group_held(rng, context, [english, spanish])
    at = timezone.localtime(first.starts_at).time() if first else time(18, 0)
    actions.schedule_make(by=clinician, group=english, at=at)
    actions.schedule_make(by=users["clinician2"], group=spanish, at=time(17, 30))
    _hold_sessions(rng, english, facilitator, risk_at_last=True)
    _hold_sessions(rng, spanish, facilitator, risk_at_last=False)
    context["groups"] = [english, spanish]
    context.setdefault("counts", {}).update(
        groups=2, group_members=GroupMember.objects.filter(group__clinic=clinic).count()
    )


NOTES = [
    "Took part; spoke about the week.",
    "Quiet today; listened to the others.",
    "Tried the practice and told the group how it went.",
    "Helped another member with a role play.",
]
NOTES_ES = [
    "Participó; habló de su semana.",
    "Hoy estuvo callada; escuchó a los demás.",
    "Hizo la práctica y contó cómo le fue.",
]


AREAS = ("grief", "dispute", "transition", "deficits")


def _pre_group_held(rng: Random, context: dict[str, Any], groups: list[Group]) -> None:
    """Each new member's pre-group session, already past, was held and named their problem area
    (the course's focus); the formulation demo then writes it up (``group_courses``)."""
    now = timezone.now()
    courses = context.setdefault("group_courses", [])
    for member in GroupMember.objects.filter(group__in=groups).select_related("course"):
        course = member.course
        pre = course.sessions.filter(agenda_format=PRE_GROUP, starts_at__lt=now).first()
        if pre is None:
            continue
        clinician = pre.clinician
        course_actions.session_set_attendance(by=clinician, session=pre, attendance="attended")
        course_actions.session_set_agenda(
            by=clinician,
            session=pre,
            done=[item.id for item in agenda_for(PRE_GROUP).phases["initial"]],
            version=agenda_for(PRE_GROUP).version,
            agenda_format=PRE_GROUP,
        )
        if not course.focus:
            course_actions.course_update(by=clinician, course=course, focus=rng.choice(AREAS))
            courses.append(course)


def _phq9(total: int, rng: Random) -> dict[str, object]:
    """Answers to items 1 to 8 that add up to ``total`` (item 9 is 0: no risk answer)."""
    answers = [0] * 8
    for _ in range(min(total, 24)):
        choices = [i for i in range(8) if answers[i] < 3]
        answers[rng.choice(choices)] += 1
    found: dict[str, object] = {f"phq9_{n}": v for n, v in enumerate(answers, start=1)}
    return found | {"phq9_9": 0}


def _hold_sessions(rng: Random, group: Group, facilitator: User, *, risk_at_last: bool) -> None:
    """Record the group's sessions already past, as the facilitator would: most members came,
    each with a short note and a PHQ-9 falling over the weeks. In the English group one member
    is flagged for follow-up, and at the last session held one answers item 9 (an alert the
    facilitator is told of)."""
    now = timezone.now()
    held = list(group.sessions.filter(starts_at__lt=now).order_by("number"))
    start = {m.pk: rng.randint(14, 20) for m in group.members.all()}
    notes = NOTES_ES if group.language == "es" else NOTES
    for session in held:
        roster = actions.session_roster(session)
        marks = {}
        for index, member in enumerate(roster):
            came = not (session.number == 2 and index == 1) and not (
                member.left_on and member.left_on <= timezone.localdate(session.starts_at)
            )
            answers = _phq9(max(3, start[member.pk] - 2 * (session.number - 1)), rng)
            if risk_at_last and session is held[-1] and index == 0:
                answers["phq9_9"] = 1
            follow = group.language == "en" and session.number == 2 and index == 2
            marks[member.pk] = actions.Mark(
                attended=came,
                note=notes[(index + session.number) % len(notes)] if came else "",
                follow_up=follow and came,
                follow_up_reason="Said things at home are getting worse; please check in."
                if follow and came
                else "",
                phq9=answers if came else {},
            )
        agenda = [
            item.id
            for item in agenda_for(group.format).phases[
                actions.session_phase(group, session.number)
            ]
        ]
        actions.session_record(
            by=facilitator,
            session=session,
            marks=marks,
            agenda_done=agenda,
            summary="Each member spoke about their week; the group helped with one problem."
            if group.language == "en"
            else "Cada miembro habló de su semana; el grupo ayudó con un problema.",
            practice="Have one conversation you have been putting off."
            if group.language == "en"
            else "Tener una conversación que has ido dejando.",
        )


def remove(clinic_slug: str) -> None:
    GroupAttendance.objects.filter(group_session__group__clinic__slug=clinic_slug).delete()
    GroupSession.objects.filter(group__clinic__slug=clinic_slug).delete()
    GroupMember.objects.filter(group__clinic__slug=clinic_slug).delete()
    Group.objects.filter(clinic__slug=clinic_slug).delete()
