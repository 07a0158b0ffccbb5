"""The door to the portal's own objects."""

from datetime import timedelta

from django.http import Http404
from django.utils import timezone

from gentle.audit.names import Action
from gentle.clients.access import as_id, audit_own, client_for, own_client
from gentle.portal.models import RecordExport, Task

KEPT = timedelta(days=1)  # a copy of the record is kept for a day, then deleted


def own_export(request, export_id, *, action: str = Action.RECORD_EXPORT_VIEW) -> RecordExport:
    """A copy of the record that the signed-in client asked for (404 for anything else)."""
    client = own_client(request)
    export = RecordExport.objects.filter(
        pk=as_id(export_id), client=client, created_at__gte=timezone.now() - KEPT
    ).first()
    if export is None:
        raise Http404
    audit_own(client, action, object_type="recordexport", object_id=export.pk)
    export.client = client
    return export


def task_for(request, task_id, *, write: bool = False) -> Task:
    task = Task.objects.filter(pk=as_id(task_id)).first()
    if task is None:
        raise Http404
    task.client = client_for(
        request,
        task.client_id,
        write=write,
        action=Action.TASK_OPEN if write else Action.TASK_VIEW,
        object_type="task",
        object_id=task.pk,
    )
    return task
