from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.inventory.forms import PeopleChoiceField
from gentle.lib import approxdate
from gentle.lib.forms import not_future
from gentle.timeline.models import Category, Impact


class ApproxDateField(forms.CharField):
    """A date as people remember it: 2024-03-15, 2024-03, 2024, or 'age 30'."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault(
            "help_text",
            _("A day (2024-03-15), a month (2024-03), a year (2024) or an age ('age 30')."),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return approxdate.parse(value)
        except approxdate.ApproxDateError as error:
            raise forms.ValidationError(self.message(error)) from None

    @staticmethod
    def message(error: approxdate.ApproxDateError) -> str:
        accepted = _(
            "Write a date as 2024-03-15, a month as 2024-03, a year as 2024, or an age as 'age 30'."
        )
        if error.code == "no_such_day":
            return _("There is no such day.") + " " + accepted
        if error.code == "no_such_month":
            return _("There is no month %(month)s.") % error.params + " " + accepted
        if error.code == "year_range":
            return _("Choose a year between %(low)s and %(high)s.") % error.params
        if error.code == "age_range":
            return _("An age is between 0 and 120.")
        return str(accepted)


def _after_today(when) -> bool:
    start = when.start()
    return start is not None and start > timezone.localdate()


class EventForm(forms.Form):
    when = ApproxDateField(label=_("When"))
    category = forms.ChoiceField(label=_("Kind of event"), choices=Category.choices)
    description = forms.CharField(label=_("What happened"), max_length=300)
    people = forms.MultipleChoiceField(
        label=_("People involved"), required=False, widget=forms.CheckboxSelectMultiple
    )
    impact = forms.ChoiceField(
        label=_("How it felt"), required=False, choices=[("", "—"), *Impact.choices]
    )
    planned = forms.BooleanField(label=_("Planned (a transition still to come)"), required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = [(str(p.pk), p.name) for p in people]

    def clean(self):
        cleaned = super().clean()
        when = cleaned.get("when")
        if when is not None and _after_today(when) and not cleaned.get("planned"):
            self.add_error(
                "when",
                _(
                    "This date is in the future. Tick 'Planned' for a "
                    "transition still to come, or correct the date."
                ),
            )
        return cleaned


class EpisodeForm(forms.Form):
    start = ApproxDateField(label=_("Began"))
    end = ApproxDateField(
        label=_("Ended"), required=False, help_text=_("Leave empty if it is still going on.")
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        for name in ("start", "end"):
            if cleaned.get(name) is not None and _after_today(cleaned[name]):
                self.add_error(name, _("An episode cannot begin or end in the future."))
        if start and end and start.start() and end.start() and end.start() < start.start():
            self.add_error("end", _("The end is before the beginning."))
        return cleaned


class DiaryForm(forms.Form):
    """The portal's mood diary: one entry a day, up to a month back."""

    day = forms.DateField(
        label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    mood = forms.TypedChoiceField(
        label=_("My mood today (0 very low, 10 very good)"),
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
        error_messages={"required": _("Choose a number from 0 to 10 for your mood.")},
    )
    people = PeopleChoiceField(
        label=_("Whom I spent time with"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    what_happened = forms.CharField(
        label=_("What happened"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    how_i_felt = forms.CharField(
        label=_("How I felt"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        # Nobody who has died is offered as company; someone already on the entry (marked
        # deceased since) stays, so that saving the entry again does not drop them unseen.
        kept = (kwargs.get("initial") or {}).get("people") or []
        self.fields["people"].queryset = client.inventory.filter(accepted=True).filter(
            Q(deceased=False) | Q(pk__in=kept)
        )

    def clean_day(self):
        day = not_future(self.cleaned_data["day"])
        if (timezone.localdate() - day).days > 31:
            raise forms.ValidationError(_("The diary goes back one month at most."))
        return day
