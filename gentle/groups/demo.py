"""Demo groups (issue 24): a lay facilitator running two groups of Group IPT, one in English
(with the demo clinician as co-facilitator) and one in Spanish, with fictional members.

The demo client whose course is a group course (the courses demo's eighth plan) is a member of
the English group, which began on that course's first session; the other members are new
fictional clients on the care team of the clinic's second clinician, so the other clinicians'
caseloads stay as the other demos tell them; the demo clinician, the English group's
co-facilitator, sees its members by name, and only their own client's record.
"""

from __future__ import annotations

from datetime import timedelta
from random import Random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from gentle.accounts import actions as account_actions
from gentle.accounts.models import Role, User
from gentle.clients import actions as client_actions
from gentle.clients.demo import FAMILY, GIVEN
from gentle.clients.models import Client
from gentle.groups import actions
from gentle.groups.models import Group, GroupMember, GroupStatus, LeaveReason, Setting

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
    context["groups"] = [english, spanish]
    context.setdefault("counts", {}).update(
        groups=2, group_members=GroupMember.objects.filter(group__clinic=clinic).count()
    )


def remove(clinic_slug: str) -> None:
    GroupMember.objects.filter(group__clinic__slug=clinic_slug).delete()
    Group.objects.filter(clinic__slug=clinic_slug).delete()
