"""The fidelity app's background work, run by `gentle worker`: keeping each clinic's sample of
held sessions for supervisors' ratings (ADR 0057, amended for issue 20)."""

from __future__ import annotations

from django_tasks import task

from gentle.accounts.models import Clinic


@task()
def refresh_samples() -> int:
    """Hourly: work out and store every clinic's sample; returns how many clinics' samples
    changed."""
    from gentle.fidelity.actions import sample_refresh

    return sum(1 for clinic in Clinic.objects.order_by("pk") if any(sample_refresh(clinic=clinic)))


@task()
def refresh_clinic_sample(clinic_id: int) -> int:
    """After the clinic's sampling rate changed: its sample now; returns the rows changed."""
    from gentle.fidelity.actions import sample_refresh

    clinic = Clinic.objects.filter(pk=clinic_id).first()
    return sum(sample_refresh(clinic=clinic)) if clinic else 0
