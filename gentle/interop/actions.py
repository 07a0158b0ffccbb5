"""Starting and resuming the clinic-wide FHIR export; each start is audited in its
transaction, with the worker's task row."""

from __future__ import annotations

from django.db import transaction

from gentle.accounts.models import Clinic, User
from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.interop.models import BulkExport, BulkStatus


def export_start(*, by: User, clinic: Clinic) -> BulkExport | None:
    """Ask the worker for a new export of the whole clinic; None while one is still waiting or
    running (it is not started twice)."""
    from gentle.interop.tasks import run_bulk_export

    with transaction.atomic():
        if BulkExport.objects.filter(
            clinic=clinic, status__in=(BulkStatus.QUEUED, BulkStatus.RUNNING)
        ).exists():
            return None
        export = BulkExport.objects.create(clinic=clinic, requested_by=by)
        record(
            Action.FHIR_EXPORT_START,
            clinic_id=clinic.pk,
            object_type="bulkexport",
            object_id=export.pk,
        )
        run_bulk_export.enqueue(export.pk)
    return export


def export_resume(*, export: BulkExport) -> bool:
    """Run a stopped export again from its last saved batch; False if it had not stopped."""
    from gentle.interop.tasks import run_bulk_export

    with transaction.atomic():
        resumed = BulkExport.objects.filter(pk=export.pk, status=BulkStatus.FAILED).update(
            status=BulkStatus.QUEUED, finished_at=None
        )
        if not resumed:
            return False
        record(
            Action.FHIR_EXPORT_RESUME,
            clinic_id=export.clinic_id,
            object_type="bulkexport",
            object_id=export.pk,
            detail=f"after_client={export.after_client}",
        )
        run_bulk_export.enqueue(export.pk)
    return True
