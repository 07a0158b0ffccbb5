"""Session fidelity (ADR 0057): each session rated for adherence to IPT and for the quality of
its delivery, by its clinician (a self-rating) and, for sampled or recorded sessions, by a
supervisor. Staff data: not part of the client's record copy."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.accounts.models import Clinic
from gentle.clients.models import Client
from gentle.courses.models import Session

DEFAULT_SAMPLE_EVERY = 4


class RaterRole(models.TextChoices):
    # The same values as gentle.clients.access.RATER_SELF / RATER_SUPERVISOR.
    SELF = "self", _("Clinician's self-rating")
    SUPERVISOR = "supervisor", _("Supervisor's rating")


class FidelityRating(models.Model):
    """One rater's rating of one session: the answers as given, and the scores they make."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="fidelity_ratings")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("rated as"), max_length=12, choices=RaterRole.choices)
    instrument_version = models.PositiveSmallIntegerField()
    phase = models.CharField(max_length=12, help_text="The phase whose items were rated.")
    answers = models.JSONField(default=dict)
    adherence = models.FloatField(_("adherence (%)"), null=True, blank=True)
    quality = models.FloatField(_("quality"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "rater"], name="fidelity_one_per_rater"),
            models.CheckConstraint(
                condition=models.Q(role__in=RaterRole.values), name="fidelity_role_known"
            ),
            models.CheckConstraint(
                condition=models.Q(adherence__isnull=True)
                | models.Q(adherence__gte=0, adherence__lte=100),
                name="fidelity_adherence_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"fidelity rating {self.pk} of session {self.session_id}"


class RecordedSession(models.Model):
    """A session its clinician marked as recorded for supervision: its supervisor is asked to
    rate it whatever the sampling."""

    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, related_name="recorded_for_supervision"
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"session {self.session_id} recorded for supervision"


class FidelitySettings(models.Model):
    """The clinic's sampling rule for supervisors' ratings, set by its administrator: one in
    ``sample_every`` of each clinician's held sessions (the N-th, 2N-th, ... in time)."""

    clinic = models.OneToOneField(
        Clinic, on_delete=models.CASCADE, related_name="fidelity_settings"
    )
    sample_every = models.PositiveSmallIntegerField(
        _("supervisors rate one in this many of each clinician's held sessions"),
        default=DEFAULT_SAMPLE_EVERY,
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sample_every__gte=1, sample_every__lte=50),
                name="fidelity_sample_every_1_50",
            ),
        ]

    def __str__(self) -> str:
        return f"fidelity settings of clinic {self.clinic_id}"


class SampledSession(models.Model):
    """A held session in the clinic's fidelity sample, as the worker last worked it out
    (``fidelity.actions.sample_refresh``, hourly and after a change of the sampling rate): the
    ``place``-th of its clinician's held sessions in time order, a multiple of the rate. Kept so
    that a supervisor's home reads the sample instead of ranking every held session of their
    supervisees on each visit (issue 20; ADR 0057, amended). Derived data: the home still checks
    that each session is held."""

    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, primary_key=True, related_name="fidelity_sample"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    place = models.PositiveIntegerField()
    # The session's time, copied when the worker stores the row (and again when it changes), so
    # that the home finds a clinic's recent sample by index instead of joining every recent
    # session of the supervised clients (issue 20). The home still reads the session's own time.
    starts_at = models.DateTimeField()
    # The session's client (a course never changes client), so that the home keeps only the
    # supervised clients' rows of the sample before it reads any session: at a programme's
    # size a supervisor sees a fifth of the clinic's sample (issue 20).
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")

    class Meta:
        # With the client and the session, the home's candidates are read from the index
        # alone: looking up each of a clinic's 5,000 recent rows cost SQLite 1.7 of the 6.3 ms
        # of the sessions to rate at a programme's size (issue 20).
        indexes = [
            models.Index(
                fields=["clinic", "starts_at", "client", "session"], name="sampled_clinic_recent"
            )
        ]

    def __str__(self) -> str:
        return f"session {self.session_id} sampled ({self.place})"
