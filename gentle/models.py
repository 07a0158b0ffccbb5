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


class CourseWatch(models.Model):
    """What a supervisor's home says of one current (planned or active) course, as the worker
    last worked it out (``gentle.watch.refresh``, every 5 minutes; ADR 0064): whether it could
    be checked against its expected recovery (two scores of its tracked questionnaire), whether
    it is behind, and whether it held more sessions than its initial phase has with no agreed
    focus. Kept so that the home reads a supervisor's courses' flags instead of working them
    out over every supervised course on each visit (issue 20). Derived data: a course that is
    no longer current loses its row at the next run, and the home lists current courses only."""

    course = models.OneToOneField(
        "courses.Course", on_delete=models.CASCADE, primary_key=True, related_name="watch"
    )
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.CASCADE, related_name="+")
    checked = models.BooleanField(default=False)
    behind = models.BooleanField(default=False)
    no_focus = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"watch of course {self.course_id}"


class CourseWatchRun(models.Model):
    """When the worker last worked out a clinic's ``CourseWatch`` rows (the home says it)."""

    clinic = models.OneToOneField(
        "accounts.Clinic", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    finished_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"course watch of clinic {self.clinic_id} at {self.finished_at:%Y-%m-%d %H:%M}"
