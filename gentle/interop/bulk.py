"""Writing a clinic-wide bulk export: NDJSON files per resource type in the FHIR Bulk Data
layout (docs/fhir.md "Export", ADR 0061), kept in the database.

The clinic's clients are read in batches of ``BATCH`` in id order; each batch's resources are
written with the fixed queries of the apps' writers (not a query per client or per row). Each
batch's lines are saved as one ``BulkExportPart`` per resource type, in the same transaction as
the export's new place (the last client, each file's count and length), so a run that stops
leaves nothing of an unsaved batch and a run that starts again goes on from the next client:
no resource is written twice. Every run has a number; a run whose export has been started again
since (the worker's sweep of stalled tasks re-enqueues a long run) finds it at its next save
and stops without writing. The staff (Organization, Practitioner, PractitionerRole) are written
last, once, for everyone the clients' resources refer to and every care role of the clinic.

The files live in the shared database, not on a host's disk, so that with several hosts any
web host serves what any worker host wrote (docs/deployment.md "Several hosts").
"""

from __future__ import annotations

import json
import re
import zlib
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gentle.accounts.fhir_export import CARE_ROLES
from gentle.accounts.models import Membership
from gentle.clients.models import Client
from gentle.interop.models import BulkExport, BulkExportPart, BulkStatus
from gentle.interop.records import client_resources, practitioner_ids, staff_resources

BATCH = 200
RESOURCE_TYPE = re.compile(r"^[A-Z][A-Za-z]{1,63}$")
#: What ``run`` returns when a later run of the same export has taken over.
SUPERSEDED = "superseded"


def file_parts(export: BulkExport, resource_type: str) -> list[int] | None:
    """The ids, in order, of the parts of one file of a finished export, or None."""
    if not export.is_done or not RESOURCE_TYPE.match(resource_type):
        return None
    if resource_type not in export.counts:
        return None
    parts = list(
        BulkExportPart.objects.filter(export=export, resource_type=resource_type)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return parts or None


#: How many bytes of a part a download inflates at a time.
INFLATE_STEP = 1024 * 1024


def pack(lines: bytes) -> bytes:
    """A part's lines as stored: compressed (the scale benchmark's NDJSON shrank thirtyfold),
    since an export would otherwise be as large as the records it holds, and sits in every
    backup while it is kept."""
    return zlib.compress(lines, 1)


def stream(parts: list[int]) -> Iterator[bytes]:
    """A file's bytes, one part (one batch of clients) read at a time and inflated
    ``INFLATE_STEP`` bytes at a time."""
    for pk in parts:
        content = BulkExportPart.objects.values_list("content", flat=True).get(pk=pk)
        inflate = zlib.decompressobj()
        left = bytes(content)
        while left:
            piece = inflate.decompress(left, INFLATE_STEP)
            left = inflate.unconsumed_tail
            if piece:
                yield piece
        if rest := inflate.flush():
            yield rest


def _line(resource: dict) -> bytes:
    return (json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def _save(
    export: BulkExport,
    run: int,
    resources: list[dict],
    *,
    batch: list[Client] | None = None,
    staff: set[int] | None = None,
) -> bool:
    """Save one batch's lines and the export's new place in one transaction; with no batch,
    the last lines, and the export is done. False (nothing saved) if another run has taken
    the export over since this one started."""
    lines: dict[str, list[bytes]] = defaultdict(list)
    for resource in resources:
        lines[resource["resourceType"]].append(_line(resource))
    with transaction.atomic():
        now = (
            BulkExport.objects.select_for_update()
            .filter(pk=export.pk)
            .values_list("runs", "status", "after_client")
            .first()
        )
        if now != (run, BulkStatus.RUNNING, export.after_client):
            return False
        BulkExportPart.objects.bulk_create(
            BulkExportPart(
                export_id=export.pk,
                resource_type=resource_type,
                resources=len(chunk),
                content=pack(b"".join(chunk)),
            )
            for resource_type, chunk in sorted(lines.items())
        )
        for resource_type, chunk in lines.items():
            export.counts[resource_type] = export.counts.get(resource_type, 0) + len(chunk)
            export.sizes[resource_type] = export.sizes.get(resource_type, 0) + sum(
                len(line) for line in chunk
            )
        fields = ["counts", "sizes"]
        if batch:
            export.staff = sorted(staff or ())
            export.after_client = batch[-1].pk
            export.clients_done += len(batch)
            fields += ["staff", "after_client", "clients_done"]
        else:
            export.status = BulkStatus.DONE
            export.finished_at = timezone.now()
            fields += ["status", "finished_at"]
        export.save(update_fields=fields)
    return True


def run(export_id: int) -> str:
    """Write (or go on writing) the export; returns its status, or ``SUPERSEDED``."""
    with transaction.atomic():
        export = BulkExport.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status == BulkStatus.DONE:
            return "gone" if export is None else BulkStatus.DONE
        export.status = BulkStatus.RUNNING
        export.started_at = export.started_at or timezone.now()
        export.runs += 1
        export.error = ""
        export.clients_total = Client.objects.filter(clinic_id=export.clinic_id).count()
        export.save(update_fields=["status", "started_at", "runs", "error", "clients_total"])
    this_run = export.runs
    clinic = export.clinic
    try:
        while True:
            batch = list(
                Client.objects.filter(
                    clinic_id=export.clinic_id, pk__gt=export.after_client
                ).order_by("pk")[:BATCH]
            )
            if not batch:
                break
            resources = client_resources(batch)
            staff = set(export.staff) | practitioner_ids(resources)
            if not _save(export, this_run, resources, batch=batch, staff=staff):
                return SUPERSEDED
        members = Membership.objects.filter(clinic=clinic, role__in=CARE_ROLES).values_list(
            "user_id", flat=True
        )
        resources = staff_resources(clinic, set(export.staff) | set(members))
        if not _save(export, this_run, resources):
            return SUPERSEDED
    except Exception as exc:
        BulkExport.objects.filter(pk=export.pk, runs=this_run).update(
            status=BulkStatus.FAILED, error=type(exc).__name__[:200], finished_at=timezone.now()
        )
        raise
    return BulkStatus.DONE


def delete_old(now: datetime | None = None) -> int:
    """Delete exports (their files with them) that finished or last stopped more than
    ``GENTLE_FHIR_EXPORT_DAYS`` ago; one waiting or running is kept. Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.GENTLE_FHIR_EXPORT_DAYS)
    ended = Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    old = BulkExport.objects.filter(ended, status__in=(BulkStatus.DONE, BulkStatus.FAILED))
    _total, by_model = old.delete()  # the parts go with it, by one statement
    return by_model.get("interop.BulkExport", 0)
