"""Life events and symptom episodes on the client's timeline, with approximate dates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gentle.clients.models import Client
from gentle.inventory.models import Person
from gentle.lib import approxdate


class Category(models.TextChoices):
    DEATH = "death", _("Death")
    SEPARATION = "separation", _("Separation or divorce")
    RELATIONSHIP = "relationship", _("New relationship")
    BIRTH = "birth", _("Birth")
    PREGNANCY = "pregnancy", _("Pregnancy")
    MOVE = "move", pgettext_lazy("life event", "Move")
    MIGRATION = "migration", _("Migration")
    NEW_JOB = "new_job", _("New job")
    SCHOOL = "school", _("Started or changed school")
    JOB_LOSS = "job_loss", _("Job loss")
    RETIREMENT = "retirement", _("Retirement")
    ILLNESS = "illness", _("Illness")
    CONFLICT = "conflict", _("Conflict")
    OTHER = "other", pgettext_lazy("life event", "Other")


class Impact(models.TextChoices):
    VERY_HARD = "very_hard", _("Very hard")
    HARD = "hard", _("Hard")
    MIXED = "mixed", _("Mixed")
    GOOD = "good", _("Good")
    VERY_GOOD = "very_good", _("Very good")


class Precision(models.TextChoices):
    DAY = approxdate.DAY, _("Day")
    MONTH = approxdate.MONTH, _("Month")
    YEAR = approxdate.YEAR, _("Year")
    AGE = approxdate.AGE, _("Age")


class ApproxDateFields(models.Model):
    """An approximate date as stored: precision and its parts (see gentle.lib.approxdate)."""

    precision = models.CharField(max_length=5, choices=Precision.choices)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    day = models.PositiveSmallIntegerField(null=True, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def when(self) -> approxdate.ApproxDate:
        return approxdate.from_parts(self.precision, self.year, self.month, self.day, self.age)


class LifeEvent(ApproxDateFields):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="life_events")
    category = models.CharField(_("kind of event"), max_length=20, choices=Category.choices)
    description = models.CharField(_("what happened"), max_length=300)
    people = models.ManyToManyField(
        Person, blank=True, related_name="life_events", verbose_name=_("people involved")
    )
    people_text = models.CharField(
        _("people involved (as written)"),
        max_length=300,
        blank=True,
        help_text="Kept when a linked person is later removed from the inventory.",
    )
    impact = models.CharField(_("how it felt"), max_length=10, choices=Impact.choices, blank=True)
    planned = models.BooleanField(_("planned (in the future)"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"life event {self.pk} of client {self.client_id}"


class Episode(ApproxDateFields):
    """A symptom episode: its start here, its end (if it has ended) in the end_ fields."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="episodes")
    description = models.CharField(_("description"), max_length=300, blank=True)
    end_precision = models.CharField(max_length=5, choices=Precision.choices, blank=True)
    end_year = models.PositiveSmallIntegerField(null=True, blank=True)
    end_month = models.PositiveSmallIntegerField(null=True, blank=True)
    end_day = models.PositiveSmallIntegerField(null=True, blank=True)
    end_age = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"episode {self.pk} of client {self.client_id}"

    @property
    def ends(self) -> approxdate.ApproxDate | None:
        if not self.end_precision:
            return None
        return approxdate.from_parts(
            self.end_precision, self.end_year, self.end_month, self.end_day, self.end_age
        )


class DiaryEntry(models.Model):
    """The client's interpersonal mood diary: one entry a day (a second save that day edits
    it), shown as the mood line on the timeline beside session ratings."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="diary")
    day = models.DateField(_("day"), default=timezone.localdate)
    mood = models.PositiveSmallIntegerField(_("mood (0 very low, 10 very good)"))
    people = models.ManyToManyField(Person, blank=True, related_name="diary_entries")
    what_happened = models.TextField(_("what happened"), blank=True)
    how_i_felt = models.TextField(_("how I felt"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["client", "day"], name="diary_one_entry_a_day"),
            models.CheckConstraint(condition=models.Q(mood__lte=10), name="diary_mood_0_10"),
        ]

    def __str__(self) -> str:
        return f"diary entry {self.pk} of client {self.client_id}"
