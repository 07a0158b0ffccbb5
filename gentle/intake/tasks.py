from django_tasks import task

from gentle.intake.actions import purge_old


@task()
def purge_old_requests() -> int:
    """Delete consultation requests that did not become a client, past the retention period."""
    return purge_old()
