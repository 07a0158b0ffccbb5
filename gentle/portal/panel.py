"""The portal's part of a session page's "Before this session" panel (ADR 0039): the tasks set
since the previous session or due by this one, whether they were done, and the client's report
on each practice task; and, for the care team, a short form to set a practice task in this
session."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from gentle.lib.session_panel import PanelPart
from gentle.portal.forms import PracticeForm
from gentle.portal.models import Task, TaskKind

SHOWN = 30  # the most tasks the panel lists (a course sets a few a week)


def build(session: Any, previous: Any, client: Any) -> dict[str, Any] | None:
    """One query, whatever the number of tasks."""
    day = timezone.localdate(session.starts_at)
    if previous is None:
        since: Q = Q(created_at__lt=session.starts_at) | Q(due_on__lte=day)
    else:
        since = (
            Q(session=previous)
            | Q(created_at__gte=previous.starts_at, created_at__lt=session.starts_at)
            | Q(due_on__gt=timezone.localdate(previous.starts_at), due_on__lte=day)
        )
    tasks = list(
        Task.objects.filter(Q(client=client) & (since | Q(session=session))).order_by(
            "created_at", "pk"
        )[:SHOWN]
    )
    before = [task for task in tasks if task.session_id != session.pk]
    here = [task for task in tasks if task.session_id == session.pk]
    form = None
    if client.may.write:
        form = PracticeForm(
            initial={"kind": TaskKind.PRACTICE, "session": session.pk}, auto_id="practice_%s"
        )
    if not tasks and form is None:
        return None
    return {"tasks": before, "set_here": here, "form": form}


PART = PanelPart(key="tasks", order=30, template="portal/session_panel_tasks.html", build=build)
