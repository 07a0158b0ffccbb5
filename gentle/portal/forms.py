from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.portal.models import REPORT_MAX, Outcome, TaskKind


class TaskForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to do"), choices=TaskKind.choices)
    object_id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    title = forms.CharField(
        label=_("In a few words, for the client"),
        max_length=150,
        required=False,
        help_text=_(
            "Leave empty to use the tool's name. A practice task is only its words, e.g. "
            "“Raise the budget with Tomás using what we rehearsed”."
        ),
    )
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # Set by the session page's form: the session the practice task is set in.
    session = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def clean_due_on(self):
        due = self.cleaned_data["due_on"]
        if due and due < timezone.localdate():
            raise forms.ValidationError(_("The due date has passed. Choose today or a later day."))
        return due

    def clean(self):
        data = super().clean()
        practice = data.get("kind") == TaskKind.PRACTICE
        if practice and "title" in data and not data["title"].strip():
            self.add_error(
                "title", _("Write the practice task in a few words, as the client will read it.")
            )
        if data.get("session") and not practice:
            self.add_error("kind", _("Only a practice task is set from a session's page."))
        return data


class PracticeForm(TaskForm):
    """The session page's short form: a practice task in words, set in that session. Only
    drawn here: it posts to the tasks page, whose ``TaskForm`` checks it."""

    kind = forms.CharField(widget=forms.HiddenInput, initial=TaskKind.PRACTICE)
    title = forms.CharField(
        label=_("Practice task, in the client's words"),
        max_length=150,
        help_text=_("E.g. “Raise the budget with Tomás using what we rehearsed”."),
    )


class ReportForm(forms.Form):
    """How a practice task went, in the client's words."""

    outcome = forms.ChoiceField(
        label=_("How did it go?"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    report = forms.CharField(
        label=_("A few words about it (optional)"),
        max_length=REPORT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What happened, what was hard, what you noticed."),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("The client's email address"), max_length=254)
