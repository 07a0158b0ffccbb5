"""Background work of the FHIR export: the clinic-wide bulk export."""

from __future__ import annotations

from django_tasks import task


@task()
def run_bulk_export(export_id: int) -> str:
    """Write the clinic's NDJSON files, resuming where an earlier run stopped."""
    from gentle.interop.bulk import run

    return str(run(export_id))
