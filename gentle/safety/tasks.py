from django_tasks import task

from gentle.safety.actions import alerts_escalate


@task()
def escalate_open_alerts() -> int:
    """Flag open alerts older than GENTLE_ALERT_ESCALATE_HOURS to the supervisors."""
    return alerts_escalate()
