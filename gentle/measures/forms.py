from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from gentle.measures.instruments import Instrument, Item, catalogue
from gentle.measures.models import Mode

NOT_SCORED = "na"


def instrument_choices(rater: str | None = None) -> list[tuple[str, str]]:
    return [
        (i.id, i.name)
        for i in sorted(catalogue().values(), key=lambda i: i.name)
        if rater is None or i.rater == rater
    ]


class StartForm(forms.Form):
    instrument = forms.ChoiceField(label=_("Questionnaire"))
    mode = forms.ChoiceField(label=_("Who answers"), choices=Mode.choices, initial=Mode.IN_SESSION)
    due_on = forms.DateField(
        label=_("Due (portal only)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["instrument"]).choices = instrument_choices()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean gives back cleaned_data
        instrument = catalogue().get(cleaned.get("instrument", ""))
        if instrument and instrument.rater == "clinician" and cleaned.get("mode") == Mode.PORTAL:
            self.add_error(
                "mode", _("This questionnaire is rated by the clinician, not the client.")
            )
        return cleaned


class ItemField(forms.ChoiceField):
    """A question's radio group, knowing its item and number for the template."""

    item: Item
    number: int


class AnswersForm(forms.Form):
    """One radio group per item; the instrument engine does the checking, so that messages
    name the question the same way for every instrument."""

    def __init__(
        self,
        *args: Any,
        instrument: Instrument,
        initial_answers: dict[str, object] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        initial_answers = initial_answers or {}
        for number, item in enumerate(instrument.items, start=1):
            choices = [
                (NOT_SCORED if o.value is None else str(o.value), o.text) for o in item.options
            ]
            field = ItemField(
                label=f"{number}. {item.text}",
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
            )
            if item.id in initial_answers:
                value = initial_answers[item.id]
                field.initial = NOT_SCORED if value is None else str(value)
            self.fields[item.id] = field
            field.item = item
            field.number = number

    def answers(self) -> dict[str, object]:
        """The answers given, as the engine expects them (unanswered items absent)."""
        answers: dict[str, object] = {}
        for item in self.instrument.items:
            raw = self.data.get(item.id, "")
            if raw == "":
                continue
            if raw == NOT_SCORED:
                answers[item.id] = None
                continue
            try:
                answers[item.id] = int(raw)
            except (TypeError, ValueError):
                answers[item.id] = raw  # refused by the engine as not an offered answer
        return answers


class ScheduleForm(forms.Form):
    """One 'when' choice per instrument; empty means not scheduled."""

    def __init__(self, *args: Any, rules: dict[str, tuple[str, int | None]], **kwargs: Any) -> None:
        from gentle.measures.models import Rule

        super().__init__(*args, **kwargs)
        for instrument_id, name in instrument_choices():
            rule, n = rules.get(instrument_id, ("", None))
            self.fields[f"rule_{instrument_id}"] = forms.ChoiceField(
                label=name,
                required=False,
                initial=rule,
                choices=[("", _("Not scheduled")), *Rule.choices],
            )
            self.fields[f"n_{instrument_id}"] = forms.IntegerField(
                label=_("N for %(name)s") % {"name": name},
                required=False,
                min_value=2,
                max_value=12,
                initial=n,
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean gives back cleaned_data
        chosen: dict[str, tuple[str, int | None]] = {}
        for instrument_id, _name in instrument_choices():
            rule = cleaned.get(f"rule_{instrument_id}")
            n = cleaned.get(f"n_{instrument_id}")
            if not rule:
                continue
            if rule == "every_n" and not n:
                self.add_error(f"n_{instrument_id}", _("Say every how many sessions (2 to 12)."))
            chosen[instrument_id] = (rule, n if rule == "every_n" else None)
        cleaned["rules"] = chosen
        return cleaned
