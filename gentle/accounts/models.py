"""People, clinics and the roles people hold in clinics."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    """A person who signs in. What they may do comes from their memberships, not from flags."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    auth_epoch = models.PositiveIntegerField(
        default=0,
        help_text="Raised to end every session of this person (logout, disable, role change).",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_session_auth_hash(self) -> str:
        """Django checks this on every request: it covers the password and the auth epoch, so
        raising the epoch (or changing the password) ends every session of this person."""
        return salted_hmac(
            "gentle.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.auth_epoch}",
            algorithm="sha256",
        ).hexdigest()


class Clinic(models.Model):
    """A tenant: every client record and every staff role belongs to exactly one clinic."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    crisis_text = models.TextField(
        _("crisis resources"),
        blank=True,
        help_text=_("Shown on the crisis page: local emergency numbers and helplines."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Clinic administrator")
    CLINICIAN = "clinician", _("Clinician")
    SUPERVISOR = "supervisor", _("Supervisor")
    CLIENT = "client", _("Client")
    # A trained non-specialist who runs Group IPT: sees only their groups (ADR 0051).
    FACILITATOR = "facilitator", _("Group facilitator")


class Membership(models.Model):
    """One role of one person in one clinic. A person may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "clinic", "role"], name="membership_one_role_once"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="membership_role_valid"
            ),
        ]
        # The administrator's People page, a page at a time by person (keyset, ADR 0027): the
        # staff (any role but client), and the clients with a portal login; the second also
        # counts the clinic's people without reading the table.
        indexes = [
            models.Index(
                fields=["clinic", "user"],
                name="membership_clinic_staff",
                condition=~models.Q(role=Role.CLIENT),
            ),
            models.Index(fields=["clinic", "role", "user"], name="membership_clinic_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.clinic}"


class Supervision(models.Model):
    """A supervisor oversees a clinician's work in a clinic, and so sees that clinician's
    clients."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="supervisions")
    supervisor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="supervisees")
    clinician = models.ForeignKey(User, on_delete=models.CASCADE, related_name="supervisors")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "supervisor", "clinician"], name="supervision_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(supervisor=models.F("clinician")),
                name="supervision_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} supervises {self.clinician}"


class InvitationPurpose(models.TextChoices):
    STAFF = "staff", _("Staff role")
    CLIENT_PORTAL = "client_portal", _("Client portal")


CODE_ATTEMPTS = 5  # wrong activation codes (or dates of birth) before an invitation is void


class Invitation(models.Model):
    """A one-time, expiring link that gives a role in a clinic. Only a hash of the token is
    stored. A staff invitation's link is shown once to the administrator who creates it. A client
    portal invitation's link goes only by email to the client, and a separate one-time code is
    printed on the clinician's letter: activation needs both (ADR 0013)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    purpose = models.CharField(max_length=20, choices=InvitationPurpose.choices)
    client_id = models.BigIntegerField(
        null=True, blank=True, help_text="For client portal invitations: the client record."
    )
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(
        max_length=255,
        blank=True,
        help_text="For client portal invitations: a slow hash of the code on the printed letter.",
    )
    failed_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Wrong codes or dates of birth entered with this link."
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(purpose="client_portal")
                | (models.Q(role="client") & models.Q(client_id__isnull=False)),
                name="invitation_client_portal_names_a_client",
            ),
            models.CheckConstraint(
                condition=~models.Q(purpose="staff") | ~models.Q(role="client"),
                name="invitation_staff_role_is_staff",
            ),
            models.CheckConstraint(
                condition=~models.Q(purpose="client_portal") | ~models.Q(code_hash=""),
                name="invitation_client_portal_has_a_code",
            ),
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} ({self.role})"

    @property
    def state(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.failed_attempts >= CODE_ATTEMPTS:
            return "locked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"

    @property
    def attempts_left(self) -> int:
        return max(CODE_ATTEMPTS - self.failed_attempts, 0)


class ApiScope(models.TextChoices):
    """What a personal access token may do (ADR 0062). The token's person's own access rules
    still apply on top: a scope never reaches a record the person could not open."""

    READ = "read", _("Read clients, courses, sessions, questionnaires and outcomes")
    ADMINISTRATIONS_WRITE = "administrations:write", _("Start and submit questionnaires")


class ApiToken(models.Model):
    """A personal access token for a machine client (ADR 0062): made by a clinic administrator
    for a clinician or supervisor of the clinic, shown once, stored only as a hash, expiring,
    revocable; each use is audited with its id."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, help_text="The token's first characters, shown.")
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # The rate limit: requests counted in the current minute (``rate_window``, minutes since
    # the epoch), in this row so that every server process shares the count.
    rate_window = models.PositiveBigIntegerField(default=0)
    rate_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"
