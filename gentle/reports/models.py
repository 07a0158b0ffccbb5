"""The outcome report's PDFs, rendered by the worker (ADR 0058): a breakdown over many
clinicians or groups takes WeasyPrint several seconds, so it runs in the background with its
progress shown, as the client's record copy does (ADR 0004)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.accounts.models import Clinic


class PdfStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Could not be prepared")


class ReportPdf(models.Model):
    """One PDF of the outcome report asked for by one person; kept for a day."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    params = models.JSONField(
        default=dict, help_text="start, end (ISO dates), breakdown, size, language."
    )
    status = models.CharField(max_length=10, choices=PdfStatus.choices, default=PdfStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    content = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["requested_by", "clinic", "created_at"], name="report_pdf_mine")
        ]

    def __str__(self) -> str:
        return f"outcome report PDF {self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.status in (PdfStatus.QUEUED, PdfStatus.RUNNING)
