"""Role-play rehearsal of difficult conversations: scenarios, rehearsals turn by turn with the
partner's replies and the statement feedback, the client's reflection, the clinician's notes,
and each clinic's optional language-model partner."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.accounts.models import Clinic
from gentle.clients.models import Client
from gentle.inventory.models import Person


class Manner(models.TextChoices):
    RECEPTIVE = "receptive", _("Receptive")
    DEFENSIVE = "defensive", _("Defensive")
    DISMISSIVE = "dismissive", _("Dismissive")
    HOSTILE = "hostile", _("Hostile")
    SAD = "sad", _("Sad")


class Scenario(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="scenarios")
    title = models.CharField(_("title"), max_length=150)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person_label = models.CharField(max_length=100, blank=True)
    relationship = models.CharField(
        max_length=20, blank=True, help_text="Sent to the partner as a role label, never a name."
    )
    goal = models.CharField(_("what I want from the conversation"), max_length=500)
    opening = models.CharField(_("how I will open"), max_length=500)
    manner = models.CharField(_("their likely manner"), max_length=12, choices=Manner.choices)
    library_id = models.CharField(max_length=40, blank=True, help_text="Starter it came from.")
    shared_with_client = models.BooleanField(
        _("shared with the client in the portal"), default=False
    )
    created_role = models.CharField(max_length=20, default="clinician")
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"scenario {self.pk} of client {self.client_id}"


class Status(models.TextChoices):
    ACTIVE = "active", _("In progress")
    PAUSED = "paused", _("Paused for safety")
    FINISHED = "finished", _("Finished")


class Rehearsal(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="rehearsals")
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="rehearsals")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    language = models.CharField(max_length=8, default="en")
    tension = models.PositiveSmallIntegerField(default=0, help_text="0 calm to 4 very heated.")
    confidence_before = models.PositiveSmallIntegerField(_("confidence before (0–10)"))
    confidence_after = models.PositiveSmallIntegerField(
        _("confidence after (0–10)"), null=True, blank=True
    )
    worked = models.TextField(_("what worked"), blank=True)
    try_next = models.TextField(_("what to try next time"), blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confidence_before__lte=10)
                & (models.Q(confidence_after__isnull=True) | models.Q(confidence_after__lte=10)),
                name="rehearsal_confidence_0_10",
            )
        ]

    def __str__(self) -> str:
        return f"rehearsal {self.pk} of client {self.client_id}"

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE

    @property
    def is_paused(self) -> bool:
        return self.status == Status.PAUSED

    @property
    def is_finished(self) -> bool:
        return self.status == Status.FINISHED


class Turn(models.Model):
    rehearsal = models.ForeignKey(Rehearsal, on_delete=models.CASCADE, related_name="turns")
    number = models.PositiveIntegerField(help_text="Order in the transcript, from 1.")
    speaker = models.CharField(
        max_length=10, choices=[("client", "client"), ("partner", "partner")]
    )
    text = models.TextField()
    features = models.JSONField(default=list, help_text="What the analyser found (client turns).")
    engine = models.CharField(max_length=10, blank=True, help_text="offline or model (partner).")
    fallback = models.CharField(max_length=20, blank=True, help_text="Why the model was not used.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["rehearsal", "number"], name="turn_once_per_number")
        ]

    def __str__(self) -> str:
        return f"turn {self.number} of rehearsal {self.rehearsal_id}"


class Annotation(models.Model):
    """The clinician's note on a transcript, on the whole or on one turn."""

    rehearsal = models.ForeignKey(Rehearsal, on_delete=models.CASCADE, related_name="annotations")
    turn_number = models.PositiveIntegerField(null=True, blank=True)
    text = models.CharField(_("note"), max_length=1000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["turn_number", "created_at", "pk"]

    def __str__(self) -> str:
        return f"note {self.pk} on rehearsal {self.rehearsal_id}"


class PartnerSettings(models.Model):
    """A clinic's optional language-model partner (OpenAI-compatible endpoint). Off by default:
    the offline partner needs nothing. The API key is stored encrypted."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="partner")
    enabled = models.BooleanField(_("use a language model for the partner"), default=False)
    endpoint = models.URLField(_("endpoint"), blank=True)
    model = models.CharField(_("model name"), max_length=100, blank=True)
    api_key_encrypted = models.TextField(blank=True)
    timeout = models.PositiveSmallIntegerField(_("timeout in seconds"), default=8)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"partner settings of clinic {self.clinic_id}"
