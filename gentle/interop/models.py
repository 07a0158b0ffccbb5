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
    """One clinic-wide export, written by the worker as one NDJSON file per resource type, kept
    in the database (``BulkExportPart``). It moves through the clinic's clients in batches; each
    batch's lines are saved with the export's new place in one transaction, so a run that stops
    (a failure, a worker killed) resumes at the next batch: no resource is written twice, and
    any web host can serve what any worker host wrote."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=BulkStatus.choices, default=BulkStatus.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(
        null=True, blank=True, help_text="When it finished, or last stopped (then resumable)."
    )
    clients_total = models.PositiveIntegerField(default=0)
    clients_done = models.PositiveIntegerField(default=0)
    after_client = models.PositiveBigIntegerField(
        default=0, help_text="The last client written: the next batch starts after it."
    )
    sizes = models.JSONField(
        default=dict, help_text="Each file's length in bytes, as saved so far."
    )
    counts = models.JSONField(
        default=dict, help_text="Resources written per type, as saved so far."
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


class BulkExportPart(models.Model):
    """The NDJSON lines of one resource type written by one batch of a bulk export. A file is
    its parts in id order. Kept in the shared database rather than a host's disk, so that the
    layout of several hosts (docs/deployment.md) serves every file wherever the worker ran; kept
    as long as the export (``GENTLE_FHIR_EXPORT_DAYS``)."""

    export = models.ForeignKey(BulkExport, on_delete=models.CASCADE, related_name="parts")
    resource_type = models.CharField(max_length=64)
    resources = models.PositiveIntegerField(help_text="Lines (resources) in this part.")
    content = models.BinaryField(help_text="The lines, compressed with zlib (bulk.pack).")

    class Meta:
        indexes = [
            models.Index(fields=["export", "resource_type", "id"], name="bulkexportpart_file")
        ]

    def __str__(self) -> str:
        return f"{self.resource_type} part {self.pk} of bulk export {self.export_id}"
