"""The interpersonal inventory: the people in the client's life (IPT.md section 3), their
place on the closeness circle, and dated snapshots of both."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.clients.models import Client


class Relationship(models.TextChoices):
    PARTNER = "partner", _("Partner or spouse")
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    SIBLING = "sibling", _("Brother or sister")
    FAMILY = "family", _("Other family")
    FRIEND = "friend", _("Friend")
    COLLEAGUE = "colleague", _("Colleague")
    # School as a role (IPT for adolescents, docs/adolescents.md).
    TEACHER = "teacher", _("Teacher")
    CLASSMATE = "classmate", _("Classmate")
    NEIGHBOUR = "neighbour", _("Neighbour")
    PROFESSIONAL = "professional", _("Professional (doctor, social worker...)")
    OTHER = "other", _("Other")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Every week")
    MONTHLY = "monthly", _("Every month")
    RARELY = "rarely", _("Rarely")
    NEVER = "never", _("No contact now")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known")


class Person(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="inventory")
    name = models.CharField(_("name or label"), max_length=100)
    name_key = models.CharField(
        max_length=100, help_text="The name normalised (NFC, case-folded): one person per name."
    )
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    ring = models.PositiveSmallIntegerField(
        _("ring"), default=2, help_text=_("1 is the closest ring to the client.")
    )
    contact = models.CharField(
        _("how often in contact"), max_length=10, choices=Frequency.choices, blank=True
    )
    activities = models.TextField(_("shared activities"), blank=True)
    satisfying = models.TextField(_("what is satisfying"), blank=True)
    unsatisfying = models.TextField(_("what is not satisfying"), blank=True)
    expectations = models.TextField(_("expectations of each other"), blank=True)
    expectations_met = models.CharField(
        _("expectations met"), max_length=10, choices=Answer.choices, default=Answer.UNKNOWN
    )
    can_talk = models.TextField(_("what can be talked about"), blank=True)
    cannot_talk = models.TextField(_("what cannot be talked about"), blank=True)
    conflicts = models.TextField(_("conflicts (how often, pattern, resolved?)"), blank=True)
    in_conflict = models.BooleanField(_("in conflict now"), default=False)
    knows_about_depression = models.CharField(
        _("knows about the depression"),
        max_length=10,
        choices=Answer.choices,
        default=Answer.UNKNOWN,
    )
    supportive = models.BooleanField(_("a source of support"), default=False)
    confides = models.BooleanField(_("the client confides in them"), default=False)
    change_since_onset = models.TextField(_("change since the symptoms began"), blank=True)
    change_wanted = models.TextField(_("change the client wants"), blank=True)
    in_focus = models.BooleanField(_("part of the treatment focus"), default=False)
    deceased = models.BooleanField(_("deceased"), default=False)
    lost_contact = models.BooleanField(_("lost contact"), default=False)
    past = models.BooleanField(_("from the past"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    accepted = models.BooleanField(
        default=True, help_text="False while a client's draft awaits the clinician's review."
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["ring", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["client", "name_key"], name="inventory_person_once"),
            models.CheckConstraint(
                condition=models.Q(ring__gte=1, ring__lte=5), name="inventory_ring_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"person {self.pk} of client {self.client_id}"


class Snapshot(models.Model):
    """The inventory and circle as they stood on a date (people, rings and marks)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="snapshots")
    label = models.CharField(_("label"), max_length=100)
    taken_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    people = models.JSONField(default=list)

    class Meta:
        ordering = ["taken_at", "pk"]

    def __str__(self) -> str:
        return f"snapshot {self.pk} of client {self.client_id}"
