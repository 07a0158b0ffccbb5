"""What only the portal knows: tasks the care team assigns to the client, and copies of the
record the client asks for."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.clients.models import Client
from gentle.communication.models import Kind as WorksheetKind
from gentle.courses.models import Session


class TaskKind(models.TextChoices):
    INVENTORY = "inventory", _("Add people to my inventory")
    EXCHANGE = "exchange", _("Look back at an exchange")
    WORKSHEET = "worksheet", _("Worksheet")
    SCENARIO = "scenario", _("Rehearse a conversation")
    LOSS = "loss", _("Grief log and check-in")
    TRANSITION = "transition", _("Transition worksheet")
    DIARY = "diary", _("Mood diary")
    PRACTICE = "practice", _("Practice between sessions")


class Outcome(models.TextChoices):
    """How a practice task went, in the client's report."""

    DONE = "done", _("I did it")
    PARTLY = "partly", _("I did some of it")
    NOT_YET = "not_yet", _("Not yet")


class TaskTitle(models.TextChoices):
    """Titles Gentle words itself (the demo's), kept as a key and read in each reader's
    language."""

    DIARY_EVERY_EVENING = "diary-evening", _("Mood diary every evening")
    ADD_ANYONE = "inventory-anyone", _("Add anyone we have not talked about yet")


# A task whose title the care team leaves empty is named for its tool (a worksheet for its kind
# of worksheet), followed by the work's own name as it was typed.
TITLE_NAMES = {
    **{kind.value: kind.label for kind in TaskKind},
    **{f"worksheet-{kind.value}": kind.label for kind in WorksheetKind},
    **{title.value: title.label for title in TaskTitle},
}


def tool_title(kind: str, target: object) -> tuple[str, str]:
    """A task's title when the care team types none: the key of its tool's name and the
    work's own name (its title, or who was lost), for ``Task.title_key`` and ``Task.title``."""
    key = f"worksheet-{getattr(target, 'kind', '')}" if kind == TaskKind.WORKSHEET else kind
    named = getattr(target, "title", "") or getattr(target, "who", "")
    return key, named[:150]


# Kinds done day by day: an entry does the task for that day, not for good. The task stays
# open (showing whether today is done and how many days are) until the client marks it done
# or the care team removes it.
DAILY_KINDS = frozenset({TaskKind.DIARY})

# A practice task's report: its longest note (the form says so before anything is lost).
REPORT_MAX = 2000

# Outcomes that close a practice task; "not yet" keeps it open to try again and report again.
CLOSING_OUTCOMES = frozenset({Outcome.DONE, Outcome.PARTLY})


class Task(models.Model):
    """Something to do between sessions: a piece of work (kind and object id), or a practice
    task in the care team's own words (``title``) that the client reports back on."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=12, choices=TaskKind.choices)
    object_id = models.BigIntegerField(null=True, blank=True)
    title = models.CharField(_("task"), max_length=150, blank=True)
    title_key = models.CharField(
        max_length=24,
        blank=True,
        default="",
        help_text="Set when Gentle named the task (a key of TITLE_NAMES): the name is shown in "
        "each reader's language, and title holds only the work's own name, as typed. Empty "
        "when the care team typed the title.",
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The session the task was set in, when it was set from the session's page.",
    )
    outcome = models.CharField(
        _("how it went"), max_length=8, choices=Outcome.choices, blank=True, default=""
    )
    report = models.TextField(
        _("your note"),
        blank=True,
        default="",
        help_text="The client's own words on how a practice task went (heard by the safety "
        "path when saved).",
    )
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["done_at", "due_on", "pk"]
        indexes = [models.Index(fields=["client", "done_at"], name="task_client_open")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title="", title_key=""), name="task_has_a_title"
            ),
            # A practice task is its words: the care team's, never a name Gentle gives.
            models.CheckConstraint(
                condition=~models.Q(kind="practice")
                | (~models.Q(title="") & models.Q(title_key="")),
                name="task_practice_in_words",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=["", *Outcome.values]), name="task_outcome_valid"
            ),
            # Only a practice task is reported on; a report has an outcome and a time, and a
            # note only with an outcome.
            models.CheckConstraint(
                condition=models.Q(kind="practice")
                | models.Q(outcome="", report="", reported_at=None),
                name="task_report_only_practice",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="", report="", reported_at=None)
                | (~models.Q(outcome="") & models.Q(reported_at__isnull=False)),
                name="task_report_has_outcome_and_time",
            ),
            # A practice task is done by reporting back that it was done (or partly).
            models.CheckConstraint(
                condition=~models.Q(kind="practice")
                | models.Q(done_at=None)
                | models.Q(outcome__in=sorted(o.value for o in CLOSING_OUTCOMES)),
                name="task_practice_done_by_report",
            ),
        ]

    def __str__(self) -> str:
        return f"task {self.pk} of client {self.client_id}"

    @property
    def is_daily(self) -> bool:
        return self.kind in DAILY_KINDS

    @property
    def is_practice(self) -> bool:
        return self.kind == TaskKind.PRACTICE

    @property
    def shown_title(self) -> str:
        """The title for the reader: a name Gentle gave in the reader's language (with the
        work's own name after it), a title the care team typed as typed."""
        name = TITLE_NAMES.get(self.title_key)
        if name is None:
            return self.title
        return f"{name}: {self.title}" if self.title else str(name)


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Could not be prepared")


class RecordExport(models.Model):
    """A copy of the client's record, made in the background; kept for a day."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    data = models.JSONField(null=True, blank=True, help_text="The record, when ready.")
    pdf = models.BinaryField(
        null=True, blank=True, help_text="The readable copy as PDF (ADR 0063)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"export {self.pk} of client {self.client_id}"

    @property
    def is_pending(self) -> bool:
        """Waiting for the worker or being prepared: the page keeps asking for its progress."""
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def is_done(self) -> bool:
        return self.status == ExportStatus.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == ExportStatus.FAILED
