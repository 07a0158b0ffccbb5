from django import forms
from django.utils.translation import gettext_lazy as _

from gentle.formulation.models import DisputeStage
from gentle.formulation.rules import area_choices

TEXT = {"rows": 3}


class FormulationForm(forms.Form):
    primary_area = forms.ChoiceField(label=_("Primary focus"))
    dispute_stage = forms.ChoiceField(
        label=_("Stage of the dispute"), required=False, choices=[("", "—"), *DisputeStage.choices]
    )
    secondary_area = forms.ChoiceField(label=_("Secondary focus (optional)"), required=False)
    secondary_dispute_stage = forms.ChoiceField(
        label=_("Stage of the secondary dispute"),
        required=False,
        choices=[("", "—"), *DisputeStage.choices],
        help_text=_("Only when the secondary focus is a role dispute."),
    )
    symptoms = forms.CharField(
        label=_("Symptoms and diagnosis"),
        help_text=_(
            "The client reads this after “What you have been living with:”; use their words."
        ),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
    )
    onset_events = forms.CharField(
        label=_("Events near the onset"),
        help_text=_("The client reads this after “When it began:”; use their words."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
    )
    connection = forms.CharField(
        label=_("How the focus connects to the episode"),
        help_text=_("The client reads this after “How the two are connected:”; use their words."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
    )
    strengths = forms.CharField(
        label=_("Strengths and supports"),
        help_text=_("The client reads this after “What you bring:”."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
    )
    plan = forms.CharField(
        label=_("Plan"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("The client reads this after “In these sessions we will”."),
    )
    text = forms.CharField(
        label=_("Formulation to share with the client"),
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Made from the fields above in the client’s language and plain words; edit it freely."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["primary_area"].choices = area_choices()
        self.fields["secondary_area"].choices = [("", "—"), *area_choices()]

    def clean(self):
        cleaned = super().clean()
        primary, secondary = cleaned.get("primary_area"), cleaned.get("secondary_area")
        if primary and secondary == primary:
            self.add_error(
                "secondary_area",
                _("There is one primary focus: choose a different secondary focus, or none."),
            )
        if cleaned.get("dispute_stage") and primary != "dispute":
            self.add_error("dispute_stage", _("A stage belongs to a role dispute."))
        if cleaned.get("secondary_dispute_stage") and secondary != "dispute":
            self.add_error(
                "secondary_dispute_stage",
                _("This stage belongs to a secondary focus that is a role dispute."),
            )
        return cleaned


class GoalForm(forms.Form):
    area = forms.ChoiceField(label=_("Focus"))
    text = forms.CharField(label=_("Goal"), max_length=300)
    minus2 = forms.CharField(label=_("−2: much less than expected"), max_length=200)
    minus1 = forms.CharField(label=_("−1: somewhat less than expected"), max_length=200)
    zero = forms.CharField(label=_("0: the expected outcome"), max_length=200)
    plus1 = forms.CharField(label=_("+1: somewhat more than expected"), max_length=200)
    plus2 = forms.CharField(label=_("+2: much more than expected"), max_length=200)

    def __init__(self, *args, areas: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = areas


class RatingForm(forms.Form):
    session = forms.TypedChoiceField(label=_("Session"), coerce=int)
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[(-2, "−2"), (-1, "−1"), (0, "0"), (1, "+1"), (2, "+2")],
    )

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [
            (s.pk, _("Session %(n)s") % {"n": s.number}) for s in sessions
        ]


def signed(rating: int | None) -> str:
    """A GAS rating as the goals page writes it: −2, −1, 0, +1, +2 (None: "")."""
    if rating is None:
        return ""
    return f"+{rating}" if rating > 0 else f"−{-rating}" if rating < 0 else "0"


class SessionGoalsForm(forms.Form):
    """This session's GAS rating of each of the course's goals; a goal left empty is not
    rated (an earlier rating of it in this session stays)."""

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        for goal in self.goals:
            self.fields[f"goal-{goal.pk}"] = forms.TypedChoiceField(
                label=goal.text,
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", _("Not rated"))]
                + [(value, f"{signed(value)}: {text}") for value, text in goal.levels],
            )

    def ratings(self) -> dict:
        """Goal to rating, for the goals given a rating."""
        return {
            goal: self.cleaned_data[f"goal-{goal.pk}"]
            for goal in self.goals
            if self.cleaned_data.get(f"goal-{goal.pk}") is not None
        }

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.ratings():
            raise forms.ValidationError(_("Choose a rating for at least one goal."))
        return cleaned
