"""The clinic-wide bulk FHIR export (docs/fhir.md "Export", ADR 0061)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.accounts.models import Clinic


class BulkStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Stopped")


class BulkExport(models.Model):
    """One clinic-wide export, written by the worker into the data directory as one NDJSON file
    per resource type. It moves through the clinic's clients in batches; after each batch it
    saves where it got to and how long each file was, so a run that stops (a failure, a worker
    killed) resumes at the next batch and cuts each file back to that length first: no resource
    is written twice."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=BulkStatus.choices, default=BulkStatus.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    clients_total = models.PositiveIntegerField(default=0)
    clients_done = models.PositiveIntegerField(default=0)
    after_client = models.PositiveBigIntegerField(
        default=0, help_text="The last client written: the next batch starts after it."
    )
    sizes = models.JSONField(
        default=dict, help_text="Each file's length in bytes at the last saved batch."
    )
    counts = models.JSONField(
        default=dict, help_text="Resources written per type at the last saved batch."
    )
    staff = models.JSONField(
        default=list, help_text="The staff members the written resources refer to."
    )
    runs = models.PositiveSmallIntegerField(default=0, help_text="How many times it was started.")
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["clinic", "-created_at"], name="bulkexport_clinic_recent")]

    def __str__(self) -> str:
        return f"bulk export {self.pk} of clinic {self.clinic_id}"

    @property
    def progress(self) -> int:
        """Percent done: the clients written, 100 only when the files are complete."""
        if self.status == BulkStatus.DONE:
            return 100
        if not self.clients_total:
            return 0
        return min(99, self.clients_done * 100 // self.clients_total)

    @property
    def is_pending(self) -> bool:
        return self.status in (BulkStatus.QUEUED, BulkStatus.RUNNING)

    @property
    def is_done(self) -> bool:
        return self.status == BulkStatus.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == BulkStatus.FAILED

    @property
    def files(self) -> list[tuple[str, int]]:
        """(resource type, count) of each file, in name order."""
        return sorted(self.counts.items())
