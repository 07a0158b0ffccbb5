"""Background work for courses, run by `gentle worker`."""

from __future__ import annotations

from django_tasks import task


@task()
def queue_session_reminders() -> int:
    """Every 15 minutes: queue the reminders of sessions within the lead time
    (GENTLE_REMINDER_HOURS) for clients who agreed to them."""
    from gentle.courses.actions import session_reminders_queue

    return session_reminders_queue()


@task()
def render_letter(letter_id: int) -> str:
    """The PDF of a final letter to the referrer (ADR 0063), in the letter's language."""
    from django.utils import timezone

    from gentle.courses.letters import letter_pdf
    from gentle.courses.models import Letter, LetterStatus, PdfStatus

    letter = (
        Letter.objects.select_related("course__client__clinic", "finalised_by")
        .filter(pk=letter_id, status=LetterStatus.FINAL)
        .first()
    )
    if letter is None or letter.pdf_status == PdfStatus.DONE:
        return "gone"
    Letter.objects.filter(pk=letter_id).update(pdf_status=PdfStatus.RUNNING, pdf_progress=10)
    try:
        data = letter_pdf(letter)
    except Exception:
        Letter.objects.filter(pk=letter_id).update(pdf_status=PdfStatus.FAILED)
        raise
    Letter.objects.filter(pk=letter_id).update(
        pdf_status=PdfStatus.DONE, pdf_progress=100, pdf=data, updated_at=timezone.now()
    )
    return "done"
