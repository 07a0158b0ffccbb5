"""Client records, their care teams and break-glass access.

Client data is reached only through ``gentle.clients.access`` (the one door).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.accounts.models import Clinic, Invitation
from gentle.lib.search import SearchTextField

if TYPE_CHECKING:
    from gentle.clients.access import May


class Client(models.Model):
    if TYPE_CHECKING:
        may: May  # what the person may do with it, set by the door; not stored

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="clients")
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    preferred_name = models.CharField(
        _("preferred name"), max_length=100, blank=True, help_text=_("What they like to be called.")
    )
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    emergency_contact_name = models.CharField(_("emergency contact"), max_length=150, blank=True)
    emergency_contact_phone = models.CharField(
        _("emergency contact's phone"), max_length=40, blank=True
    )
    emergency_contact_relation = models.CharField(
        _("relationship to the client"), max_length=80, blank=True
    )
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="client_record",
        help_text="The portal login of this client, if they have one (exactly one record each).",
    )
    portal_invitation = models.ForeignKey(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The invitation the portal login was activated from (who sent it, when used).",
    )
    portal_review_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when the clinician who sent that invitation left the care team: the "
        "remaining team confirms the login is the client's, or ends it.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The names as search compares them (gentle.lib.search, ADR 0031), filled on every save.
    # Its indexes are made by migration 0005: on SQLite the FTS5 table clients_client_search
    # and the triggers that keep it (a migration that remakes this table on SQLite drops the
    # triggers and must create them again), on PostgreSQL a GIN trigram index.
    search_text = SearchTextField(sources=["given_name", "family_name", "preferred_name"])

    class Meta:
        ordering = ["family_name", "given_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(portal_review_since=None)
                | models.Q(portal_invitation__isnull=False),
                name="client_portal_review_names_an_invitation",
            )
        ]
        # The administrator's client records, a page at a time by name (keyset, gentle.lib.keyset).
        indexes = [
            models.Index(
                fields=["clinic", "family_name", "given_name", "id"], name="client_clinic_name"
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return full_name(self.given_name, self.family_name)

    @property
    def called(self) -> str:
        return self.preferred_name or self.given_name


def full_name(given_name: str, family_name: str) -> str:
    """A client's name as pages show it, for a list read as plain values."""
    return f"{given_name} {family_name}".strip()


class TeamRole(models.TextChoices):
    CLINICIAN = "clinician", _("Clinician")
    SUPERVISOR = "supervisor", _("Supervisor")


class CareTeamMember(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_teams"
    )
    role = models.CharField(_("role"), max_length=20, choices=TeamRole.choices)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # A person's clients in a role, read from the index alone: nearly every clinical page
        # asks for them (the care team of a clinician, 200 clients at a programme's size; the
        # supervised clients, 2,000), and looking up each row cost SQLite about 2 ms of the
        # supervisor's home in each list (issue 20).
        indexes = [models.Index(fields=["user", "role", "client"], name="careteam_user_role")]
        constraints = [
            models.UniqueConstraint(fields=["client", "user", "role"], name="careteam_once"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in TeamRole]),
                name="careteam_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) for client {self.client_id}"


class BreakGlassGrant(models.Model):
    """Emergency access to a client outside one's care team: time-limited, with a reason,
    reviewed by someone other than its holder (an administrator or supervisor of the clinic)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="break_glass")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="break_glass_grants"
    )
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("granted_at")),
                name="breakglass_expires_after_grant",
            )
        ]

    def __str__(self) -> str:
        return f"break-glass {self.pk} for client {self.client_id}"

    @property
    def active(self) -> bool:
        return self.expires_at > timezone.now()


class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", _("Consent to treatment")
    PORTAL = "portal", _("Use of the client portal")
    MESSAGES = "messages", _("Reminders by email or text")
    SUPERVISION = "supervision", _("Discussion in clinical supervision")
    RECORDING = "recording", _("Audio or video recording of sessions")


class Consent(models.Model):
    """A consent the client gave (and perhaps later withdrew), with its dates."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("consent"), max_length=20, choices=ConsentKind.choices)
    given_on = models.DateField(_("given on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["kind", "-given_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True)
                | models.Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for client {self.client_id}"
