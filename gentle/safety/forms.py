from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.safety.models import AlertAction, ContactOutcome, Severity

MINUTE_INPUT = "%Y-%m-%dT%H:%M"


class AcknowledgeForm(forms.Form):
    action = forms.ChoiceField(label=_("What was done"), choices=AlertAction.choices)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, severity: str = "", **kwargs):
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

    def clean_note(self):
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

    def __init__(self, *args, since=None, **kwargs):
        # Its own ids: it shares a page with other forms that have a note.
        kwargs.setdefault("auto_id", "contact_%s")
        super().__init__(*args, **kwargs)
        self.since = since

    def clean_made_at(self):
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
