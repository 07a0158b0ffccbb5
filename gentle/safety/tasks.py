from django_tasks import task

from gentle.safety.actions import alerts_escalate


@task()
def escalate_open_alerts() -> int:
    """Every 5 minutes: escalate open alerts left unacknowledged past their severity's delay
    (GENTLE_ALERT_ESCALATE_HIGH, _MODERATE, _LOW) and tell the supervisors and safety lead."""
    return alerts_escalate()
