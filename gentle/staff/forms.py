from __future__ import annotations

from django import forms
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
