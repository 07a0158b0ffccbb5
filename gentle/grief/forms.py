from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.grief.models import BridgesPhase, Orientation
from gentle.grief.selectors import words
from gentle.lib.forms import not_future

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = {"rows": 2}


class LossForm(forms.Form):
    who = forms.CharField(label=_("Who died"), max_length=100)
    died_on = forms.DateField(label=_("Date of the death"), widget=DATE)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXT)
    )

    def clean_died_on(self):
        return not_future(self.cleaned_data["died_on"])


class ActivityForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE, initial=timezone.localdate)
    orientation = forms.ChoiceField(label=_("Kind"), choices=Orientation.choices)
    what = forms.CharField(label=_("What"), max_length=200)

    def __init__(self, *args, loss, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss = loss

    def clean_day(self):
        day = not_future(self.cleaned_data["day"])
        if day < self.loss.died_on:
            raise forms.ValidationError(
                _("This day is before the death: the log starts with the loss.")
            )
        return day


class CheckInForm(ActivityForm):
    orientation = None
    what = None
    words = forms.MultipleChoiceField(
        label=_("Where I am now"), widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("In my own words"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        # Shares a page with the log's form: its own ids keep every label tied to its input.
        kwargs.setdefault("auto_id", "id_checkin_%s")
        super().__init__(*args, **kwargs)
        self.fields["words"].choices = words()


class TransitionForm(forms.Form):
    title = forms.CharField(
        label=_("The change"),
        max_length=150,
        help_text=_("For example 'Retiring from the bakery'."),
    )
    old_lost = forms.CharField(
        label=_("Old role: what was lost"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
    )
    old_good = forms.CharField(
        label=_("Old role: what was good"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
    )
    old_hard = forms.CharField(
        label=_("Old role: what was hard"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
    )
    new_demands = forms.CharField(
        label=_("New role: its demands"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
    )
    new_opportunities = forms.CharField(
        label=_("New role: its opportunities"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
    )
    new_skills = forms.CharField(
        label=_("New role: skills to learn"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
    )
    new_supports = forms.CharField(
        label=_("New role: supports"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
    )
    phase = forms.ChoiceField(
        label=_("Where the client is (Bridges, optional)"),
        required=False,
        choices=[("", "—"), *BridgesPhase.choices],
    )


class StepForm(forms.Form):
    phase = forms.ChoiceField(
        label=_("Phase"), required=False, choices=[("", "—"), *BridgesPhase.choices]
    )
    note = forms.CharField(label=_("Progress this session"), max_length=300)
