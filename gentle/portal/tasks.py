"""Background work for the portal: preparing a copy of the client's record."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from gentle.portal.models import ExportStatus, RecordExport


@task()
def prepare_export(export_id: int) -> str:
    """Gather the record section by section, then print it as PDF (ADR 0063), saving the
    progress so the page can show it: the sections are the first 80%, the PDF the rest."""
    from gentle.portal.record import build_record, render_pdf

    export = RecordExport.objects.select_related("client").filter(pk=export_id).first()
    if export is None or export.status == ExportStatus.DONE:
        return "gone"
    RecordExport.objects.filter(pk=export_id).update(status=ExportStatus.RUNNING, progress=1)

    def progress(percent: int) -> None:
        RecordExport.objects.filter(pk=export_id).update(progress=min(int(percent), 99))

    try:
        data = build_record(export.client, progress=lambda p: progress(p * 80 // 100))
        pdf = render_pdf(data)
    except Exception:
        RecordExport.objects.filter(pk=export_id).update(status=ExportStatus.FAILED)
        raise
    RecordExport.objects.filter(pk=export_id).update(
        status=ExportStatus.DONE, progress=100, data=data, pdf=pdf, finished_at=timezone.now()
    )
    return "done"


@task()
def delete_old_exports() -> int:
    """Copies of the record are kept for a day: delete older ones."""
    from gentle.portal.access import KEPT

    deleted, _ = RecordExport.objects.filter(created_at__lt=timezone.now() - KEPT).delete()
    return deleted
