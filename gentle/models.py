from django.db import models
from django.utils import timezone


class ScheduledRun(models.Model):
    """One enqueued run of a periodic job. The unique slot stops two workers from both
    enqueuing the same run."""

    job = models.CharField(max_length=100)
    slot = models.BigIntegerField(help_text="Start of the run's period, in seconds since 1970.")
    task_result_id = models.CharField(max_length=64, blank=True)
    enqueued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="scheduledrun_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot}"
