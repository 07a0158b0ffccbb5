"""The interpersonal formulation of a course (focus, text, agreement) and its goals with Goal
Attainment Scaling ratings per session."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.courses.models import Course, Session

AREA_CHOICES = [
    ("grief", "grief"),
    ("dispute", "dispute"),
    ("transition", "transition"),
    ("deficits", "deficits"),
]


class DisputeStage(models.TextChoices):
    RENEGOTIATION = "renegotiation", _("Renegotiation (both still engaged)")
    IMPASSE = "impasse", _("Impasse (stalled)")
    DISSOLUTION = "dissolution", _("Dissolution (ending)")


class Formulation(models.Model):
    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="formulation")
    primary_area = models.CharField(_("primary focus"), max_length=12, choices=AREA_CHOICES)
    dispute_stage = models.CharField(
        _("stage of the dispute"), max_length=15, choices=DisputeStage.choices, blank=True
    )
    secondary_area = models.CharField(
        _("secondary focus"), max_length=12, choices=AREA_CHOICES, blank=True
    )
    secondary_dispute_stage = models.CharField(
        _("stage of the secondary dispute"),
        max_length=15,
        choices=DisputeStage.choices,
        blank=True,
        help_text="The stage when the secondary focus is a role dispute; it chooses the agenda.",
    )
    symptoms = models.TextField(_("symptoms and diagnosis"), blank=True)
    onset_events = models.TextField(_("events near the onset"), blank=True)
    connection = models.TextField(_("how the focus connects to the episode"), blank=True)
    strengths = models.TextField(_("strengths and supports"), blank=True)
    plan = models.TextField(_("plan"), blank=True)
    text = models.TextField(_("formulation to share with the client"), blank=True)
    text_edited = models.BooleanField(
        default=False, help_text="The clinician changed the text by hand since it was made."
    )
    agreed_on = models.DateField(_("the client agreed on"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(secondary_area=models.F("primary_area")),
                name="formulation_two_different_areas",
            ),
            models.CheckConstraint(
                condition=models.Q(primary_area="dispute") | models.Q(dispute_stage=""),
                name="formulation_stage_only_for_dispute",
            ),
            models.CheckConstraint(
                condition=models.Q(secondary_area="dispute") | models.Q(secondary_dispute_stage=""),
                name="formulation_secondary_stage_only_for_dispute",
            ),
        ]

    def __str__(self) -> str:
        return f"formulation of course {self.course_id}"


class Goal(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="ipt_goals")
    area = models.CharField(_("focus"), max_length=12, choices=AREA_CHOICES)
    text = models.CharField(_("goal"), max_length=300)
    minus2 = models.CharField(_("−2: much less than expected"), max_length=200)
    minus1 = models.CharField(_("−1: somewhat less than expected"), max_length=200)
    zero = models.CharField(_("0: the expected outcome"), max_length=200)
    plus1 = models.CharField(_("+1: somewhat more than expected"), max_length=200)
    plus2 = models.CharField(_("+2: much more than expected"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"goal {self.pk} of course {self.course_id}"

    @property
    def levels(self) -> list[tuple[int, str]]:
        return [
            (-2, self.minus2),
            (-1, self.minus1),
            (0, self.zero),
            (1, self.plus1),
            (2, self.plus2),
        ]


class GoalRating(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="ratings")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="goal_ratings")
    rating = models.SmallIntegerField(_("rating"))
    rated_at = models.DateTimeField(default=timezone.now)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["goal", "session"], name="goalrating_once_a_session"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=-2, rating__lte=2), name="goalrating_minus2_to_plus2"
            ),
        ]

    def __str__(self) -> str:
        return f"rating {self.rating} of goal {self.goal_id}"
