from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gentle.fidelity.instrument import NOT_APPLICABLE, Instrument

COMMENT_MAX = 2000


def _radio() -> forms.RadioSelect:
    return forms.RadioSelect(attrs={"class": "scale"})


class RatingForm(forms.Form):
    """One rating: the phase's adherence items (each on the adherence scale, or not
    applicable), the quality items, and a comment. Every item must be answered."""

    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, instrument: Instrument, phase: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        comment = self.fields.pop("comment")
        adherence = [(str(c.value), c.text) for c in instrument.adherence_scale]
        adherence.append((NOT_APPLICABLE, str(_("Not applicable in this session"))))
        self.adherence_names = []
        for item in instrument.items_for(phase):
            name = f"a_{item.id}"
            self.fields[name] = forms.ChoiceField(
                label=item.text,
                help_text=item.anchor,
                choices=adherence,
                widget=_radio(),
                error_messages={"required": _("Choose how far this was done.")},
            )
            self.adherence_names.append((item.id, name))
        quality = [(str(c.value), c.text) for c in instrument.quality_scale]
        self.quality_names = []
        for item in instrument.quality:
            name = f"q_{item.id}"
            self.fields[name] = forms.ChoiceField(
                label=item.text,
                help_text=item.anchor,
                choices=quality,
                widget=_radio(),
                error_messages={"required": _("Choose a rating.")},
            )
            self.quality_names.append((item.id, name))
        self.fields["comment"] = comment

    @property
    def adherence_fields(self) -> list[Any]:
        return [self[name] for _item, name in self.adherence_names]

    @property
    def quality_fields(self) -> list[Any]:
        return [self[name] for _item, name in self.quality_names]

    def answers(self) -> dict[str, dict[str, Any]]:
        """The answers in the stored shape (after is_valid)."""
        data = self.cleaned_data

        def value(raw: str) -> Any:
            return raw if raw == NOT_APPLICABLE else int(raw)

        return {
            "adherence": {item: value(data[name]) for item, name in self.adherence_names},
            "quality": {item: int(data[name]) for item, name in self.quality_names},
        }

    @staticmethod
    def initial_from(answers: dict[str, Any], comment: str) -> dict[str, Any]:
        initial: dict[str, Any] = {"comment": comment}
        for item, value in (answers.get("adherence") or {}).items():
            initial[f"a_{item}"] = str(value)
        for item, value in (answers.get("quality") or {}).items():
            initial[f"q_{item}"] = str(value)
        return initial


class RecordedForm(forms.Form):
    recorded = forms.BooleanField(label=_("Recorded for supervision"), required=False)


class SettingsForm(forms.Form):
    sample_every = forms.IntegerField(
        label=_("Supervisors rate one in this many of each clinician's held sessions"),
        help_text=_(
            "1 asks for every held session; 4 for the 4th, 8th, 12th… of each clinician's held "
            "sessions in time. Sessions a clinician marks as recorded for supervision are asked "
            "for as well."
        ),
        min_value=1,
        max_value=50,
    )
