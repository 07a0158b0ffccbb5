"""Risk alerts and the clinic's crisis text. Alerts are raised only through
``gentle.safety.actions.alert_raise`` by deterministic rules, never by a model's guess."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.accounts.models import Clinic
from gentle.clients.models import Client

if TYPE_CHECKING:
    from gentle.clients.access import May


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
    if TYPE_CHECKING:
        may: May  # what the person may do with it, set by the door; not stored

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


class ContactOutcome(models.TextChoices):
    """What came of one attempt to reach a person at risk (alerts and risk intake requests)."""

    NOT_REACHED = "not_reached", _("Could not reach")
    LEFT_MESSAGE = "left_message", _("Left a message")
    SPOKE_CLIENT = "spoke_client", _("Spoke with the client")
    SPOKE_EMERGENCY_CONTACT = "spoke_emergency_contact", _("Spoke with the emergency contact")
    EMERGENCY_SERVICES = "emergency_services", _("Emergency services called")


class ContactAttemptBase(models.Model):
    """One attempt to reach a person at risk, logged by whoever made it: the fields and rules
    shared by an alert's contact log (``ContactAttempt``) and a risk intake request's
    (``gentle.intake.models.IntakeContactAttempt``). Attempts are only added, never changed:
    the log shows who tried what and when."""

    made_at = models.DateTimeField(_("when"), help_text="When the attempt was made.")
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=30, choices=ContactOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-made_at", "-pk"]

    @staticmethod
    def rules(prefix: str) -> list[models.BaseConstraint]:
        """The checks every contact log keeps, named ``<prefix>_...`` for its table."""
        return [
            models.CheckConstraint(
                condition=models.Q(outcome__in=ContactOutcome.values),
                name=f"{prefix}_known_outcome",
            ),
            models.CheckConstraint(
                condition=models.Q(made_at__lte=models.F("recorded_at")),
                name=f"{prefix}_not_in_future",
            ),
        ]


class ContactAttempt(ContactAttemptBase):
    """An attempt to reach the client about an alert."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="contact_attempts")

    class Meta(ContactAttemptBase.Meta):
        constraints = ContactAttemptBase.rules("contactattempt")

    def __str__(self) -> str:
        return f"contact attempt {self.pk} on alert {self.alert_id}"


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


class PlanAuthor(models.TextChoices):
    CLINICIAN = "clinician", _("Clinician")
    CLIENT = "client", _("Client")


class SafetyPlanVersion(models.Model):
    """One saved version of a client's safety plan (Stanley-Brown sections from
    data/safety_plan.json). The plan is the newest version; a save adds a row and never changes
    one, so every earlier version stays with who saved it and when."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="safety_plan_versions"
    )
    number = models.PositiveIntegerField(help_text="1 for the first save, then 2, 3, ...")
    sections = models.JSONField(default=dict, help_text="Section id to the text written for it.")
    sections_version = models.PositiveSmallIntegerField(
        default=1, help_text="The version of data/safety_plan.json the sections follow."
    )
    saved_at = models.DateTimeField(default=timezone.now)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saved_as = models.CharField(max_length=10, choices=PlanAuthor.choices)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["client", "number"], name="safetyplan_one_per_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="safetyplan_number_1"),
        ]

    def __str__(self) -> str:
        return f"safety plan v{self.number} of client {self.client_id}"


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


class PlanPdfStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Could not be prepared")


class SafetyPlanPdf(models.Model):
    """The safety plan as PDF, made by the worker (ADR 0063) from the HTML of the plan as it
    stood when asked for. The same HTML (the same version, language and crisis text) gives the
    same PDF, so it is made once: ``digest`` is the SHA-256 of that HTML, kept until the
    worker has made it."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    version_number = models.PositiveIntegerField(default=0, help_text="0: no plan saved yet.")
    html = models.TextField(blank=True, help_text="What to render; emptied once rendered.")
    status = models.CharField(
        max_length=10, choices=PlanPdfStatus.choices, default=PlanPdfStatus.QUEUED
    )
    content = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "digest"], name="safety_plan_pdf_once")
        ]

    def __str__(self) -> str:
        return f"safety plan PDF {self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.status in (PlanPdfStatus.QUEUED, PlanPdfStatus.RUNNING)
