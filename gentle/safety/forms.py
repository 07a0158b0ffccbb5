from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from gentle.safety.models import AlertAction
from gentle.safety.selectors import plan_sections


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


SECTION_MAX = 4000


class SafetyPlanForm(forms.Form):
    """One field per section of the plan (data/safety_plan.json). A plan needs at least one
    section written; each section is at most SECTION_MAX characters."""

    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, sections, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = sections
        written = version.sections if version is not None else {}
        self.fields["based_on"].initial = version.number if version is not None else 0
        for section in sections:
            self.fields[section.id] = forms.CharField(
                label=section.label,
                help_text=section.prompt,
                required=False,
                max_length=SECTION_MAX,
                initial=written.get(section.id, ""),
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def clean(self):
        data = super().clean()
        if not self.errors and not any(
            (data.get(section.id) or "").strip() for section in self.sections
        ):
            raise forms.ValidationError(
                _("Write at least one section: the plan cannot be empty."), code="empty"
            )
        return data

    @classmethod
    def after_conflict(cls, posted_data, plan, *, sections=None):
        """After a conflict: what the writer typed, bound to the newer version, to be saved over
        it on purpose."""
        data = posted_data.copy()
        data["based_on"] = str(plan.number if plan else 0)
        form = cls(data, sections=sections or plan_sections(), version=plan)
        form.is_valid()
        form.add_error(
            None,
            _(
                "Someone saved a newer version while you were writing. Nothing was saved; what "
                "you wrote is below. Compare it with the newer version and save again to keep "
                "yours."
            ),
        )
        return form

    def section_texts(self) -> dict[str, str]:
        return {s.id: self.cleaned_data.get(s.id, "") for s in self.sections}
