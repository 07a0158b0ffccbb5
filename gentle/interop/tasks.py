"""Background work of the FHIR export: the clinic-wide bulk export."""

from __future__ import annotations

from django_tasks import task


@task()
def run_bulk_export(export_id: int) -> str:
    """Write the clinic's NDJSON files, resuming where an earlier run stopped."""
    from gentle.interop.bulk import run

    return str(run(export_id))


@task()
def delete_old_bulk_exports() -> int:
    """Delete clinic-wide exports, files and all, GENTLE_FHIR_EXPORT_DAYS after they ended."""
    from gentle.interop.bulk import delete_old

    return delete_old()
