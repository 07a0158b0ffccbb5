"""Reads that only the portal composes: the client's home, and how far the client is with
daily tasks.

The portal's home is the page a client opens most. Its reads are prepared (built once per
process, ``gentle.lib.prepared``): built in the ORM on every opening they cost several times
what running them does."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from gentle.clients.models import CareTeamMember, Client, TeamRole
from gentle.courses.models import Attendance, Session
from gentle.grief.models import Loss, Transition
from gentle.lib.prepared import PreparedQuery
from gentle.measures.models import Administration, Mode, Status
from gentle.portal.models import Task
from gentle.timeline.models import DiaryEntry

# The open tasks the home lists; "All my tasks" has the rest.
HOME_TASKS = 10


def _open_tasks(_shape: None, *, client_id: int) -> QuerySet:
    return Task.objects.filter(client_id=client_id, done_at=None)[:HOME_TASKS]


def _diary_days(_shape: None, *, client_id: int, since: date) -> QuerySet:
    return DiaryEntry.objects.filter(client_id=client_id, day__gte=since).values_list("day")


def _home_facts(_shape: None, *, client_id: int, today: date) -> QuerySet:
    of_client = {"client_id": OuterRef("pk")}
    due = (
        Administration.objects.filter(**of_client, mode=Mode.PORTAL)
        .exclude(status=Status.SUBMITTED)
        .values("client_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Client.objects.filter(pk=client_id)
        .annotate(
            due=Coalesce(Subquery(due), Value(0), output_field=IntegerField()),
            loss_shared=Exists(Loss.objects.filter(**of_client, shared_with_client=True)),
            transition_shared=Exists(
                Transition.objects.filter(**of_client, shared_with_client=True)
            ),
            diary_today=Exists(DiaryEntry.objects.filter(**of_client, day=today)),
        )
        .values_list("due", "loss_shared", "transition_shared", "diary_today")
    )


def _next_session(_shape: None, *, client_id: int, now: datetime) -> QuerySet:
    return Session.objects.filter(
        course__client_id=client_id, starts_at__gte=now, attendance=Attendance.SCHEDULED
    ).order_by("starts_at", "pk")[:1]


def _clinicians(_shape: None, *, client_id: int) -> QuerySet:
    return (
        CareTeamMember.objects.select_related("user")
        .filter(client_id=client_id, role=TeamRole.CLINICIAN)
        .order_by("pk")
    )


OPEN_TASKS = PreparedQuery(_open_tasks, values=("client_id",))
DIARY_DAYS = PreparedQuery(_diary_days, values=("client_id",), dates=("since",))
HOME_FACTS = PreparedQuery(_home_facts, values=("client_id",), dates=("today",))
NEXT_SESSION = PreparedQuery(_next_session, values=("client_id",), times=("now",))
CLINICIANS = PreparedQuery(_clinicians, values=("client_id",))


@dataclass(frozen=True)
class PortalHome:
    tasks: list[Task]
    team: list[CareTeamMember]
    next_session: Session | None
    due: int
    grief_shared: bool
    diary_today: bool


def portal_home(client: Client) -> PortalHome:
    """What the client's home shows: open tasks (with daily progress), the clinicians, the next
    session booked, the questionnaires to fill in, whether loss or change work is shared, and
    whether today's diary is written. Six reads, however much the record holds."""
    today = timezone.localdate()
    tasks = OPEN_TASKS.objects(None, client_id=client.pk)
    with_daily_progress(client, tasks)
    [(due, loss_shared, transition_shared, diary_today)] = HOME_FACTS.rows(
        None, client_id=client.pk, today=today
    )
    sessions = NEXT_SESSION.objects(None, client_id=client.pk, now=timezone.now())
    return PortalHome(
        tasks=tasks,
        team=CLINICIANS.objects(None, client_id=client.pk),
        next_session=sessions[0] if sessions else None,
        due=due,
        grief_shared=bool(loss_shared or transition_shared),
        diary_today=bool(diary_today),
    )


def with_daily_progress(client: Client, tasks: Iterable[Task]) -> None:
    """Give each open daily task (the mood diary) ``done_today`` and ``days_done``: the days
    with an entry since the day it was assigned. One query, however many tasks."""
    daily = [task for task in tasks if task.is_daily and task.done_at is None]
    if not daily:
        return
    since = min(timezone.localdate(task.created_at) for task in daily)
    days = {day for (day,) in DIARY_DAYS.rows(None, client_id=client.pk, since=since)}
    today = timezone.localdate()
    for task in daily:
        start = timezone.localdate(task.created_at)
        task.done_today = today in days
        task.days_done = sum(1 for day in days if day >= start)
