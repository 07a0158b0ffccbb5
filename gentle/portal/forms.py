from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.portal.models import TaskKind


class TaskForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to do"), choices=TaskKind.choices)
    object_id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    title = forms.CharField(
        label=_("In a few words, for the client"),
        max_length=150,
        required=False,
        help_text=_("Leave empty to use the tool's name."),
    )
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_due_on(self):
        due = self.cleaned_data["due_on"]
        if due and due < timezone.localdate():
            raise forms.ValidationError(_("The due date has passed."))
        return due


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("The client's email address"), max_length=254)
