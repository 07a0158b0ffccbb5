from django_tasks import task

from gentle.intake.actions import forget_address_counts, purge_old


@task()
def purge_old_requests() -> int:
    """Delete consultation requests that did not become a client, past the retention period."""
    return purge_old()


@task()
def forget_old_address_counts() -> int:
    """Delete the hourly request counts of public visitors' addresses once their hour ends."""
    return forget_address_counts()
