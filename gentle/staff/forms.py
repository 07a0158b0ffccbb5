from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from gentle.courses.models import CourseFormat, CourseStatus
from gentle.lib.search import MAX_TERM

WHOSE = [
    ("", _("All clients")),
    ("own", _("My own clients")),
    ("supervised", _("My supervisees' clients")),
]


class CaseloadFilterForm(forms.Form):
    # Only for a supervisor who is also a clinician (the view removes it otherwise).
    whose = forms.ChoiceField(label=_("Whose clients"), required=False, choices=WHOSE)
    q = forms.CharField(label=_("Search by name"), required=False, max_length=MAX_TERM)
    phase = forms.ChoiceField(
        label=_("Phase"),
        required=False,
        choices=[
            ("", _("Any phase")),
            ("initial", _("Initial")),
            ("middle", _("Middle")),
            ("termination", _("Termination")),
        ],
    )
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("Any format")), *CourseFormat.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *CourseStatus.choices]
    )


LETTER_TEXT_MAX = 4000  # characters per part of a letter: a page at most


class LetterStartForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the letter"), choices=settings.LANGUAGES)


class LetterForm(forms.Form):
    recipient = forms.CharField(
        label=_("To"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The referrer's name and address, as they go at the top of the letter."),
    )
    focus = forms.CharField(
        label=_("Focus of the work"),
        max_length=LETTER_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attendance = forms.CharField(
        label=_("Sessions"),
        max_length=LETTER_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    outcome = forms.CharField(
        label=_("Scores and outcome"),
        max_length=LETTER_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    relapse_plan = forms.CharField(
        label=_("Staying well"),
        max_length=LETTER_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("From the relapse-prevention plan: warning signs and what to do."),
    )
    recommendations = forms.CharField(
        label=_("Recommendations"),
        max_length=LETTER_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
