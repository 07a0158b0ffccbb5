"""Background work for reports: rendering the outcome report's PDF (ADR 0058)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone, translation
from django_tasks import task

from gentle.reports.models import PdfStatus, ReportPdf


@task()
def render_report_pdf(pdf_id: int) -> str:
    """Count the report as asked, render it, store the PDF, saving the progress on the way."""
    from django.template.loader import render_to_string

    from gentle.lib import pdf
    from gentle.reports.report import Period, build
    from gentle.reports.views import context_for

    job = ReportPdf.objects.select_related("clinic").filter(pk=pdf_id).first()
    if job is None or job.status == PdfStatus.DONE:
        return "gone"
    ReportPdf.objects.filter(pk=pdf_id).update(status=PdfStatus.RUNNING, progress=5)
    params = job.params
    try:
        with translation.override(params.get("language") or "en"):
            period = Period(date.fromisoformat(params["start"]), date.fromisoformat(params["end"]))
            report = build(job.clinic, period, params.get("breakdown", ""))
            ReportPdf.objects.filter(pk=pdf_id).update(progress=30)
            html = render_to_string(
                "reports/print/outcomes.html",
                {**context_for(report), "printed": timezone.localtime()},
            )
            ReportPdf.objects.filter(pk=pdf_id).update(progress=50)
            content = pdf.html_to_pdf(html, page_size=params.get("size", "a4"), landscape=True)
    except Exception:
        ReportPdf.objects.filter(pk=pdf_id).update(status=PdfStatus.FAILED)
        raise
    ReportPdf.objects.filter(pk=pdf_id).update(
        status=PdfStatus.DONE, progress=100, content=content, finished_at=timezone.now()
    )
    return "done"


@task()
def delete_old_report_pdfs() -> int:
    """A report's PDF is kept for a day: delete older ones."""
    from datetime import timedelta

    deleted, _ = ReportPdf.objects.filter(
        created_at__lt=timezone.now() - timedelta(days=1)
    ).delete()
    return deleted
