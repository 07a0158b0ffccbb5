"""Risk alerts and the clinic's crisis text. Alerts are raised only through
``gentle.safety.actions.alert_raise`` by deterministic rules, never by a model's guess."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.accounts.models import Clinic
from gentle.clients.models import Client


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MODERATE = "moderate", _("Moderate")
    HIGH = "high", _("High")


class AlertAction(models.TextChoices):
    SAFETY_PLAN = "safety_plan", _("Safety plan made or reviewed")
    CONTACT = "contact", _("Contacted the client")
    REFERRAL = "referral", _("Referred (crisis team, GP, emergency services)")
    REVIEWED = "reviewed", _("Reviewed in session; no further action needed")


class Alert(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="alerts")
    source = models.CharField(max_length=30, help_text="What raised it, e.g. 'administration'.")
    source_id = models.CharField(max_length=40)
    rule_id = models.CharField(max_length=60)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    reason = models.CharField(_("reason"), max_length=200)
    excerpt = models.TextField(
        _("what raised it"),
        blank=True,
        help_text="For free text: the client's words around each risk phrase the scanner found.",
    )
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(
        _("what was done"), max_length=20, choices=AlertAction.choices, blank=True
    )
    action_note = models.TextField(_("note"), blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["client", "acknowledged_at"], name="alert_client_open")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(acknowledged_at__isnull=True)
                | (~models.Q(action="") & models.Q(acknowledged_by__isnull=False)),
                name="alert_acknowledged_with_action",
            ),
            models.UniqueConstraint(
                fields=["source", "source_id", "rule_id"], name="alert_once_per_source_rule"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.severity} alert {self.pk} for client {self.client_id}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


class CrisisText(models.Model):
    """What a client sees at once when a risk answer is given, per clinic and language."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="crisis_texts")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    text = models.TextField(_("crisis text"))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "language"], name="crisistext_one_per_lang")
        ]

    def __str__(self) -> str:
        return f"crisis text {self.clinic_id}/{self.language}"


class SafetySettings(models.Model):
    """The clinic's safety arrangements, set by its administrator."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="safety_settings")
    safety_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("safety lead"),
        help_text="A clinician or supervisor of the clinic who is told of every escalated alert "
        "(with the client's supervisors). Only told while they still hold such a role.",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"safety settings of clinic {self.clinic_id}"
