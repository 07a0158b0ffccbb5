from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.communication import selectors
from gentle.communication.models import EXCHANGE_TEXTS, Exchange, Kind
from gentle.formulation.models import Goal
from gentle.formulation.rules import area_choices
from gentle.inventory.forms import PersonChoiceField
from gentle.lib.forms import not_future

LONG = 2000
TEXT = {"rows": 3}


class GoalChoiceField(forms.ModelChoiceField):
    """A choice among the client's goals, shown by their text."""

    def label_from_instance(self, obj):
        return obj.text


class LinkedForm(forms.Form):
    """A person from the client's inventory and one of their goals, both optional."""

    person = PersonChoiceField(label=_("With whom"), queryset=None, required=False)
    goal = GoalChoiceField(label=_("Goal it serves"), queryset=None, required=False)

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = client.inventory.all()
        self.fields["goal"].queryset = Goal.objects.filter(course__client=client).order_by("pk")


class StyleForm(forms.Form):
    person = PersonChoiceField(label=_("With whom"), queryset=None)
    items = forms.MultipleChoiceField(
        label=_("Which sentences fit how I usually speak with this person?"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one sentence that fits.")},
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = client.inventory.all()
        self.fields["items"].choices = selectors.checklist()


class ExchangeForm(LinkedForm):
    """Communication analysis. What was said on both sides is the least it needs."""

    day = forms.DateField(
        label=_("When it happened"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    area = forms.ChoiceField(label=_("Focus"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The clinic's chosen names for the problem areas (IPT, WHO or Stuart & Robertson).
        self.fields["area"].choices = [("", "—"), *area_choices()]
        for name in EXCHANGE_TEXTS:
            self.fields[name] = forms.CharField(
                label=Exchange._meta.get_field(name).verbose_name,
                required=name in ("i_said", "they_said"),
                max_length=LONG,
                widget=forms.Textarea(attrs=TEXT),
                error_messages={"required": _("Write down what was said: a few words are enough.")},
            )

    def clean_day(self):
        return not_future(self.cleaned_data["day"])


class WorksheetNewForm(LinkedForm):
    kind = forms.ChoiceField(label=_("Worksheet"), choices=Kind.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=150,
        help_text=_("For example 'Asking Sam to share the evening chores'."),
    )

    field_order = ["kind", "title", "person", "goal"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Worksheets from outside IPT say so where they are chosen (DESC · Adjunct (from ...)).
        self.fields["kind"].choices = list(selectors.kind_names().items())


class WorksheetForm(forms.Form):
    """One field per step of the worksheet's kind. Saving keeps whatever is written; finishing
    asks for the required steps, and so does saving a worksheet that is already finished (it
    stays finished)."""

    def __init__(self, *args, worksheet, finishing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.finished = worksheet.completed_at is not None
        self.finishing = finishing or self.finished
        self.steps = selectors.steps(worksheet.kind)
        for step in self.steps:
            self.fields[step.id] = forms.CharField(
                label=step.label,
                help_text=step.prompt,
                required=False,
                max_length=LONG,
                initial=worksheet.answers.get(step.id, ""),
                widget=forms.Textarea(attrs=TEXT),
            )

    def clean(self):
        data = super().clean()
        if self.finishing:
            for step in self.steps:
                if step.required and not (data.get(step.id) or "").strip():
                    self.add_error(
                        step.id,
                        _("This worksheet is finished: this step cannot be left empty.")
                        if self.finished
                        else _("Fill in this step to finish, or save and come back later."),
                    )
        return data


class StatementForm(forms.Form):
    text = forms.CharField(
        label=_("What I mean to say"),
        max_length=LONG,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Write it as you would say it. Nothing here is saved."),
    )
