from django import forms
from django.utils.translation import gettext_lazy as _

from gentle.inventory.models import Answer, Frequency, Relationship
from gentle.inventory.selectors import rings
from gentle.measures.selectors import ABOUT_TARGETS

TEXT = {"rows": 2}
LONG = 2000


class PersonChoiceField(forms.ModelChoiceField):
    """A choice among the client's people, shown by name."""

    def label_from_instance(self, obj):
        return obj.name


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    """Several of the client's people, shown by name."""

    def label_from_instance(self, obj):
        return obj.name


def _text(label):
    return forms.CharField(
        label=label, required=False, max_length=LONG, widget=forms.Textarea(attrs=TEXT)
    )


class PersonForm(forms.Form):
    name = forms.CharField(
        label=_("Name or label"),
        max_length=100,
        help_text=_("A first name or a label such as 'my manager'."),
    )
    relationship = forms.ChoiceField(label=_("Relationship"), choices=Relationship.choices)
    ring = forms.TypedChoiceField(label=_("Ring"), coerce=int)
    contact = forms.ChoiceField(
        label=_("How often in contact"), required=False, choices=[("", "—"), *Frequency.choices]
    )
    supportive = forms.BooleanField(label=_("A source of support"), required=False)
    confides = forms.BooleanField(label=_("The client confides in them"), required=False)
    in_conflict = forms.BooleanField(label=_("In conflict now"), required=False)
    in_focus = forms.BooleanField(label=_("Part of the treatment focus"), required=False)
    knows_about_depression = forms.ChoiceField(
        label=_("Knows about the depression"), choices=Answer.choices, initial=Answer.UNKNOWN
    )
    expectations_met = forms.ChoiceField(
        label=_("Expectations met"), choices=Answer.choices, initial=Answer.UNKNOWN
    )
    activities = _text(_("Shared activities"))
    satisfying = _text(_("What is satisfying"))
    unsatisfying = _text(_("What is not satisfying"))
    expectations = _text(_("Expectations of each other"))
    can_talk = _text(_("What can be talked about"))
    cannot_talk = _text(_("What cannot be talked about"))
    conflicts = _text(_("Conflicts: how often, the pattern, resolved?"))
    change_since_onset = _text(_("Change since the symptoms began"))
    change_wanted = _text(_("Change the client wants"))
    deceased = forms.BooleanField(label=_("Deceased"), required=False)
    lost_contact = forms.BooleanField(label=_("Lost contact"), required=False)
    past = forms.BooleanField(label=_("From the past"), required=False)
    notes = _text(_("Notes"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ring"].choices = ring_choices()
        self.fields["ring"].initial = 2


def ring_choices():
    return [
        (n, _("Ring %(n)s") % {"n": n} + (" " + str(_("(closest)")) if n == 1 else ""))
        for n in range(1, rings() + 1)
    ]


class MoveForm(forms.Form):
    ring = forms.TypedChoiceField(label=_("Ring"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ring"].choices = ring_choices()


class SnapshotForm(forms.Form):
    label = forms.CharField(
        label=_("Label"), max_length=100, help_text=_("For example 'Session 2' or 'Last session'.")
    )


ECR_TARGETS = ABOUT_TARGETS  # one list, so that the measures page names them the same


class DraftPersonForm(forms.Form):
    """What a client can add about someone in the portal; it waits for the clinician's review
    and is completed together in session."""

    name = forms.CharField(
        label=_("Name or label"),
        max_length=100,
        help_text=_("A first name or a label such as 'my manager'."),
    )
    relationship = forms.ChoiceField(label=_("Who they are to me"), choices=Relationship.choices)
    ring = forms.TypedChoiceField(label=_("How close they feel (1 is closest)"), coerce=int)
    supportive = forms.BooleanField(label=_("They support me"), required=False)
    in_conflict = forms.BooleanField(label=_("We are in conflict now"), required=False)
    satisfying = _text(_("What is good about it"))
    unsatisfying = _text(_("What is hard about it"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ring"].choices = ring_choices()
        self.fields["ring"].initial = 2
