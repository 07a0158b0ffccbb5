"""Communication and conflict (IPT.md sections 5 and 8): style reflections per relationship,
the communication analysis log, and step worksheets (DESC, NVC, DEAR MAN, repair, decision)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.clients.models import Client
from gentle.formulation.models import AREA_CHOICES, Goal
from gentle.inventory.models import Person


class StyleReflection(models.Model):
    """The client's usual way of speaking with one person, from the reflective checklist.
    A reflection, not a test: no validated four-style questionnaire exists."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="style_reflections")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="style_reflections")
    day = models.DateField(_("day"), default=timezone.localdate)
    items = models.JSONField(_("sentences that fit"), default=list)
    counts = models.JSONField(default=dict, help_text="Ticked sentences per style.")
    style = models.CharField(
        _("usual style"), max_length=20, help_text="The most-ticked style, or 'mixed' on a tie."
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    version = models.PositiveSmallIntegerField(default=1, help_text="Checklist data version.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["day", "pk"]

    def __str__(self) -> str:
        return f"style reflection {self.pk}"


class Shared(models.Model):
    """What links a piece of communication work to the record and the portal."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="%(class)ss")
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person_label = models.CharField(
        max_length=100, blank=True, help_text="The person's name when linked, kept if removed."
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    shared_with_client = models.BooleanField(
        _("shared with the client in the portal"), default=False
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


EXCHANGE_TEXTS = (
    "i_said",
    "they_said",
    "i_meant",
    "i_felt",
    "how_it_ended",
    "could_have_said",
    "might_have_landed",
)


class Exchange(Shared):
    """A communication analysis: a recent charged exchange re-created step by step."""

    day = models.DateField(_("when it happened"), default=timezone.localdate)
    area = models.CharField(_("focus"), max_length=12, choices=AREA_CHOICES, blank=True)
    i_said = models.TextField(_("What I said"), blank=True)
    they_said = models.TextField(_("What they said"), blank=True)
    i_meant = models.TextField(_("What I meant"), blank=True)
    i_felt = models.TextField(_("What I felt"), blank=True)
    how_it_ended = models.TextField(_("How it ended"), blank=True)
    could_have_said = models.TextField(_("What else I could have said"), blank=True)
    might_have_landed = models.TextField(_("How that might have landed"), blank=True)

    class Meta:
        ordering = ["-day", "-pk"]

    def __str__(self) -> str:
        return f"exchange {self.pk} of client {self.client_id}"


class Kind(models.TextChoices):
    DESC = "desc", _("DESC script")
    NVC = "nvc", _("Nonviolent Communication")
    DEAR_MAN = "dear_man", _("DEAR MAN")
    REPAIR = "repair", _("Repair plan")
    DECISION = "decision", _("Decision analysis")


class Worksheet(Shared):
    """A step worksheet; its steps come from data/worksheets.json (``version``)."""

    kind = models.CharField(_("worksheet"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=150)
    answers = models.JSONField(default=dict, help_text="Step id to the text written for it.")
    version = models.PositiveSmallIntegerField(default=1)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return f"worksheet {self.pk} of client {self.client_id}"
