"""Loss and change: the grief curve (a loss, the dual-process log, check-ins) and the
role-transition worksheet (IPT.md section 7)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.clients.models import Client


class Loss(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="losses")
    who = models.CharField(_("who died"), max_length=100)
    died_on = models.DateField(_("date of the death"))
    notes = models.TextField(_("notes"), blank=True)
    shared_with_client = models.BooleanField(
        _("shared with the client in the portal"), default=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-died_on", "pk"]

    def __str__(self) -> str:
        return f"loss {self.pk} of client {self.client_id}"


class Orientation(models.TextChoices):
    LOSS = "loss", _("Loss-oriented (grieving, remembering, yearning)")
    RESTORATION = "restoration", _("Restoration-oriented (new tasks, new roles, time off grief)")


class Activity(models.Model):
    """An entry in the dual-process log (Stroebe & Schut): what the client did on a day."""

    loss = models.ForeignKey(Loss, on_delete=models.CASCADE, related_name="activities")
    day = models.DateField(_("day"))
    orientation = models.CharField(_("kind"), max_length=12, choices=Orientation.choices)
    what = models.CharField(_("what"), max_length=200)

    class Meta:
        ordering = ["day", "pk"]

    def __str__(self) -> str:
        return f"activity {self.pk}"


class CheckIn(models.Model):
    """'Where am I now': words the client chooses, in no order (grief has no fixed stages)."""

    loss = models.ForeignKey(Loss, on_delete=models.CASCADE, related_name="check_ins")
    day = models.DateField(_("day"))
    words = models.JSONField(_("where I am now"), default=list)
    note = models.CharField(_("in my own words"), max_length=300, blank=True)

    class Meta:
        ordering = ["day", "pk"]

    def __str__(self) -> str:
        return f"check-in {self.pk}"


class BridgesPhase(models.TextChoices):
    ENDING = "ending", _("Ending: letting go of the old role")
    NEUTRAL = "neutral", _("Neutral zone: between the old and the new")
    BEGINNING = "beginning", _("New beginning: taking up the new role")


class Transition(models.Model):
    """The role-transition worksheet: the old role, the new role, and progress across sessions."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="transitions")
    title = models.CharField(_("the change"), max_length=150)
    old_lost = models.TextField(_("old role: what was lost"), blank=True)
    old_good = models.TextField(_("old role: what was good"), blank=True)
    old_hard = models.TextField(_("old role: what was hard"), blank=True)
    new_demands = models.TextField(_("new role: its demands"), blank=True)
    new_opportunities = models.TextField(_("new role: its opportunities"), blank=True)
    new_skills = models.TextField(_("new role: skills to learn"), blank=True)
    new_supports = models.TextField(_("new role: supports"), blank=True)
    phase = models.CharField(
        _("where the client is (Bridges, optional)"),
        max_length=10,
        choices=BridgesPhase.choices,
        blank=True,
    )
    shared_with_client = models.BooleanField(
        _("shared with the client in the portal"), default=False
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"transition {self.pk} of client {self.client_id}"


class TransitionStep(models.Model):
    """Progress through the worksheet, noted at a session."""

    transition = models.ForeignKey(Transition, on_delete=models.CASCADE, related_name="steps")
    day = models.DateField(_("day"), default=timezone.localdate)
    phase = models.CharField(_("phase"), max_length=10, choices=BridgesPhase.choices, blank=True)
    note = models.CharField(_("progress"), max_length=300)

    class Meta:
        ordering = ["day", "pk"]

    def __str__(self) -> str:
        return f"step {self.pk}"
