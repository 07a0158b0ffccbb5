from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.accounts.models import User
from gentle.safety.models import AlertAction, ContactOutcome, SafetyPlanVersion, Severity
from gentle.safety.selectors import PlanSection, plan_sections

MINUTE_INPUT = "%Y-%m-%dT%H:%M"


class AcknowledgeForm(forms.Form):
    action = forms.ChoiceField(label=_("What was done"), choices=AlertAction.choices)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, severity: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.high = severity == Severity.HIGH
        if self.high:
            self.fields["note"].required = True
            self.fields["note"].help_text = _(
                "Required for a high alert: what was done, and how the client is now."
            )
            self.fields["note"].error_messages["required"] = _(
                "A high alert is closed only with a note: say what was done and how the "
                "client is now."
            )

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].strip()
        if self.high and not note:
            raise forms.ValidationError(self.fields["note"].error_messages["required"])
        return note


class ContactAttemptForm(forms.Form):
    """One attempt to reach someone: when (this minute unless said), the outcome, a note."""

    made_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        input_formats=[MINUTE_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=MINUTE_INPUT),
        help_text=_("Leave empty for now."),
        error_messages={"invalid": _("Give the date and time of the attempt.")},
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=ContactOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what came of the attempt.")},
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, since: datetime | None = None, **kwargs: Any) -> None:
        # Its own ids: it shares a page with other forms that have a note.
        kwargs.setdefault("auto_id", "contact_%s")
        super().__init__(*args, **kwargs)
        self.since = since

    def clean_made_at(self) -> datetime:
        made_at = self.cleaned_data["made_at"]
        now = timezone.now()
        if made_at is None:
            return now
        if made_at > now:
            raise forms.ValidationError(_("This time is in the future."))
        if self.since is not None and made_at < self.since.replace(second=0, microsecond=0):
            raise forms.ValidationError(_("This is before the request or alert came in."))
        return made_at


class CrisisTextForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    text = forms.CharField(
        label=_("Crisis text"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Local emergency numbers, helplines and how to reach the "
            "clinic. Clients see it at once after a risk answer."
        ),
    )


SECTION_MAX = 4000


class SafetyPlanForm(forms.Form):
    """One field per section of the plan (data/safety_plan.json). A plan needs at least one
    section written; each section is at most SECTION_MAX characters."""

    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self,
        *args: Any,
        sections: list[PlanSection],
        version: SafetyPlanVersion | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sections = sections
        written = version.sections if version is not None else {}
        self.fields["based_on"].initial = version.number if version is not None else 0
        for section in sections:
            self.fields[section.id] = forms.CharField(
                label=section.label,
                help_text=section.prompt,
                required=False,
                max_length=SECTION_MAX,
                initial=written.get(section.id, ""),
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean gives back cleaned_data
        if not self.errors and not any(
            (data.get(section.id) or "").strip() for section in self.sections
        ):
            raise forms.ValidationError(
                _("Write at least one section: the plan cannot be empty."), code="empty"
            )
        return data

    @classmethod
    def after_conflict(
        cls,
        posted_data: QueryDict,
        plan: SafetyPlanVersion | None,
        *,
        sections: list[PlanSection] | None = None,
    ) -> SafetyPlanForm:
        """After a conflict: what the writer typed, bound to the newer version, to be saved over
        it on purpose."""
        data = posted_data.copy()
        data["based_on"] = str(plan.number if plan else 0)
        form = cls(data, sections=sections or plan_sections(), version=plan)
        form.is_valid()
        form.add_error(
            None,
            _(
                "Someone saved a newer version while you were writing. Nothing was saved; what "
                "you wrote is below. Compare it with the newer version and save again to keep "
                "yours."
            ),
        )
        return form

    def section_texts(self) -> dict[str, str]:
        return {s.id: self.cleaned_data.get(s.id, "") for s in self.sections}


class SafetyLeadForm(forms.Form):
    """Choose the safety lead among the clinic's active clinicians and supervisors."""

    safety_lead = forms.TypedChoiceField(
        label=_("Safety lead"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_(
            "Told by email of every escalated alert, with the client's supervisors, and of new "
            "alerts for clients who have no clinician on their care team."
        ),
    )

    def __init__(self, *args: Any, candidates: Sequence[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in candidates}
        lead = cast(forms.TypedChoiceField, self.fields["safety_lead"])
        lead.choices = [("", _("Nobody"))] + [
            (person.pk, f"{person} <{person.email}>") for person in candidates
        ]

    def clean_safety_lead(self) -> User | None:
        chosen = self.cleaned_data["safety_lead"]
        return None if chosen is None else self.people[chosen]
