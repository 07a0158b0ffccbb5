"""The clinic's public pages and the consultation requests people send from them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.accounts.models import Clinic
from gentle.clients.models import Client
from gentle.safety.models import ContactAttemptBase


class PublicText(models.Model):
    """A clinic's own wording for one section of its public pages, in one language. Plain text
    with a few line marks (paragraphs, '## ' headings, '- ' lists), rendered without markup."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="public_texts")
    section = models.CharField(max_length=20)
    language = models.CharField(max_length=8)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=6000)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "section", "language"], name="publictext_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.section} ({self.language}) of clinic {self.clinic_id}"


class Contact(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")


class RequestStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    CONVERTED = "converted", _("Became a client")
    DECLINED = "declined", _("Declined")


class IntakeRequest(models.Model):
    """A consultation request from the public form. Requests that do not become a client are
    deleted after GENTLE_INTAKE_RETENTION_DAYS."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="intake_requests")
    name = models.CharField(_("name or alias"), max_length=100)
    contact = models.CharField(_("how to contact"), max_length=10, choices=Contact.choices)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    message = models.TextField(_("what brings them"))
    screen = models.JSONField(default=dict, blank=True, help_text="PHQ-2 and GAD-2 answers.")
    phq2 = models.PositiveSmallIntegerField(null=True, blank=True)
    gad2 = models.PositiveSmallIntegerField(null=True, blank=True)
    risk_words = models.BooleanField(default=False, help_text="The message had risk words.")
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.NEW
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    client = models.ForeignKey(
        Client, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decline_reason = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-risk_words", "-created_at", "-pk"]
        indexes = [models.Index(fields=["clinic", "status"], name="intake_clinic_status")]

    def __str__(self) -> str:
        return f"intake request {self.pk}"


class IntakeContactAttempt(ContactAttemptBase):
    """One attempt to reach the person behind a request, with the same outcomes and rules as
    an alert's contact log (gentle.safety). A request with risk words is not declined or purged
    before one is logged. Deleted with its request."""

    intake = models.ForeignKey(
        IntakeRequest, on_delete=models.CASCADE, related_name="contact_attempts"
    )

    class Meta(ContactAttemptBase.Meta):
        constraints = ContactAttemptBase.rules("intakecontact")

    def __str__(self) -> str:
        return f"contact attempt {self.pk} on intake request {self.intake_id}"


class AddressCount(models.Model):
    """How many consultation requests one network address sent one clinic in the current hour
    (``GENTLE_INTAKE_PER_HOUR``). Counted in the database with one statement, so that requests
    at the same moment in several processes or hosts cannot all slip under the limit. The
    address is kept only as a salted hash, with the clinic; a row is deleted within the hour
    after its hour ends (``gentle.intake.tasks.forget_address_counts``)."""

    digest = models.CharField(max_length=32, primary_key=True)
    hour = models.BigIntegerField(help_text="The hour counted, in hours since 1970 (UTC).")
    requests = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["hour"], name="intake_addresscount_hour")]

    def __str__(self) -> str:
        return f"{self.requests} in hour {self.hour}"
