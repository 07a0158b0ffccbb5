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
