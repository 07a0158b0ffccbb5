from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from gentle.safety.models import AlertAction


class AcknowledgeForm(forms.Form):
    action = forms.ChoiceField(label=_("What was done"), choices=AlertAction.choices)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


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

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in candidates}
        self.fields["safety_lead"].choices = [("", _("Nobody"))] + [
            (person.pk, f"{person} <{person.email}>") for person in candidates
        ]

    def clean_safety_lead(self):
        chosen = self.cleaned_data["safety_lead"]
        return None if chosen is None else self.people[chosen]
