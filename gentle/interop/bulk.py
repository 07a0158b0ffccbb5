"""Writing a clinic-wide bulk export: NDJSON files per resource type in the data directory, in
the FHIR Bulk Data layout (docs/fhir.md "Export", ADR 0061).

The clinic's clients are read in batches of ``BATCH`` in id order; each batch's resources are
written with the fixed queries of the apps' writers (not a query per client or per row). After
each batch the export saves the last client and each file's length; a run that starts again
cuts the files back to those lengths and goes on from the next client, so a failure or a killed
worker never leaves a resource twice. The staff (Organization, Practitioner, PractitionerRole)
are written last, once, for everyone the clients' resources refer to and every care role of
the clinic.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gentle.accounts.fhir_export import CARE_ROLES
from gentle.accounts.models import Membership
from gentle.clients.models import Client
from gentle.interop.models import BulkExport, BulkStatus
from gentle.interop.records import client_resources, practitioner_ids, staff_resources
from gentle.lib.datadir import ensure_writable_dir

BATCH = 200
RESOURCE_TYPE = re.compile(r"^[A-Z][A-Za-z]{1,63}$")
MANIFEST = "manifest.json"


def export_dir(export: BulkExport) -> Path:
    return Path(settings.DATA_DIR) / "fhir-exports" / str(export.pk)


def file_path(export: BulkExport, resource_type: str) -> Path | None:
    """The NDJSON file of one resource type of a finished export, or None."""
    if not RESOURCE_TYPE.match(resource_type) or resource_type not in export.counts:
        return None
    path = export_dir(export) / f"{resource_type}.ndjson"
    return path if path.is_file() else None


def _line(resource: dict) -> bytes:
    return (json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def _restore(directory: Path, sizes: dict[str, int]) -> None:
    """Cut every file back to its length at the last saved batch; remove any file begun
    after it."""
    for path in directory.glob("*.ndjson"):
        kept = sizes.get(path.stem)
        if kept is None:
            path.unlink()
        elif path.stat().st_size != kept:
            with path.open("r+b") as handle:
                handle.truncate(kept)


def _append(directory: Path, lines: dict[str, list[bytes]], sizes: dict[str, int]) -> None:
    for resource_type, chunk in lines.items():
        path = directory / f"{resource_type}.ndjson"
        with path.open("ab") as handle:
            handle.write(b"".join(chunk))
        sizes[resource_type] = path.stat().st_size


def _write(export: BulkExport, directory: Path, resources: list[dict]) -> None:
    lines: dict[str, list[bytes]] = defaultdict(list)
    for resource in resources:
        lines[resource["resourceType"]].append(_line(resource))
        export.counts[resource["resourceType"]] = export.counts.get(resource["resourceType"], 0) + 1
    _append(directory, lines, export.sizes)


def run(export_id: int) -> str:
    """Write (or go on writing) the export; returns its status."""
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
    directory = ensure_writable_dir(export_dir(export))
    _restore(directory, export.sizes)
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
            _write(export, directory, resources)
            export.staff = sorted(set(export.staff) | practitioner_ids(resources))
            export.after_client = batch[-1].pk
            export.clients_done += len(batch)
            export.save(update_fields=["counts", "sizes", "staff", "after_client", "clients_done"])
        members = Membership.objects.filter(clinic=clinic, role__in=CARE_ROLES).values_list(
            "user_id", flat=True
        )
        _write(export, directory, staff_resources(clinic, set(export.staff) | set(members)))
        _manifest(export, directory)
    except Exception as exc:
        BulkExport.objects.filter(pk=export.pk).update(
            status=BulkStatus.FAILED, error=type(exc).__name__[:200]
        )
        raise
    export.status = BulkStatus.DONE
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "finished_at", "counts", "sizes"])
    return BulkStatus.DONE


def _manifest(export: BulkExport, directory: Path) -> None:
    """The Bulk Data manifest: the files, their types and counts (their addresses are the
    download page's, relative)."""
    manifest = {
        "transactionTime": (export.started_at or timezone.now()).isoformat(),
        "request": f"gentle bulk export {export.pk} of clinic {export.clinic.slug}",
        "requiresAccessToken": True,
        "output": [
            {"type": resource_type, "url": f"{resource_type}.ndjson", "count": count}
            for resource_type, count in sorted(export.counts.items())
        ],
        "error": [],
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")


def remove_files(export: BulkExport) -> None:
    shutil.rmtree(export_dir(export), ignore_errors=True)
