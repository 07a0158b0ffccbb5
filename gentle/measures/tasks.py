"""The measures app's periodic job, run by `gentle worker`."""

from __future__ import annotations

from django_tasks import task

from gentle.accounts.models import Clinic
from gentle.measures.actions import statistics_compute


@task()
def compute_clinic_statistics() -> int:
    """Hourly: compute and store each clinic's expected-recovery curve and spread of first
    scores (the clinic-wide work the measures pages read the result of); returns how many
    clinics had a value change."""
    changed = 0
    for clinic in Clinic.objects.order_by("pk"):
        if statistics_compute(clinic=clinic):
            changed += 1
    return changed
