from django.utils import timezone
from django_tasks import task

from gentle.safety.actions import alerts_escalate
from gentle.safety.models import PlanPdfStatus, SafetyPlanPdf


@task()
def escalate_open_alerts() -> int:
    """Every 5 minutes: escalate open alerts left unacknowledged past their severity's delay
    (GENTLE_ALERT_ESCALATE_HIGH, _MODERATE, _LOW) and tell the supervisors and safety lead."""
    return alerts_escalate()


@task()
def render_plan_pdf(pdf_id: int) -> str:
    """Render a safety plan's PDF from the HTML stored when it was asked for (ADR 0063)."""
    from gentle.lib.pdf import html_to_pdf

    job = SafetyPlanPdf.objects.filter(pk=pdf_id).first()
    if job is None or job.status == PlanPdfStatus.DONE:
        return "gone"
    SafetyPlanPdf.objects.filter(pk=pdf_id).update(status=PlanPdfStatus.RUNNING)
    try:
        content = html_to_pdf(job.html)
    except Exception:
        SafetyPlanPdf.objects.filter(pk=pdf_id).update(status=PlanPdfStatus.FAILED)
        raise
    SafetyPlanPdf.objects.filter(pk=pdf_id).update(
        status=PlanPdfStatus.DONE, content=content, html="", finished_at=timezone.now()
    )
    return "done"
