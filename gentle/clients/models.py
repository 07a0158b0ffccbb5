"""Client records, their care teams and break-glass access.

Client data is reached only through ``gentle.clients.access`` (the one door).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.accounts.models import Clinic


class Client(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="clients")
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    preferred_name = models.CharField(
        _("preferred name"), max_length=100, blank=True, help_text=_("What they like to be called.")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="client_record",
        help_text="The portal login of this client, if they have one (exactly one record each).",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["family_name", "given_name", "pk"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def called(self) -> str:
        return self.preferred_name or self.given_name


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
    flagged to the clinic administrator."""

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
