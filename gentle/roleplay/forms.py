from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from gentle.inventory.forms import PersonChoiceField
from gentle.roleplay import selectors
from gentle.roleplay.models import Manner

MAX_TURN = 1000
SCALE = [(n, str(n)) for n in range(11)]


class ScenarioForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    person = PersonChoiceField(
        label=_("With whom"),
        queryset=None,
        required=False,
        help_text=_("The partner is only ever told the kind of relationship, never the name."),
    )
    goal = forms.CharField(
        label=_("What I want from the conversation"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    opening = forms.CharField(
        label=_("How I will open"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    manner = forms.ChoiceField(label=_("Their likely manner"), choices=Manner.choices)

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = client.inventory.all()


class LibraryForm(forms.Form):
    library = forms.ChoiceField(label=_("Start from an example"))
    person = PersonChoiceField(label=_("With whom"), queryset=None, required=False)

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].choices = selectors.library_choices()
        self.fields["person"].queryset = client.inventory.all()
        self.fields["person"].widget.attrs["id"] = "id_library_person"


class StartForm(forms.Form):
    confidence_before = forms.TypedChoiceField(
        label=_("How confident do I feel about this conversation now? (0 not at all, 10 very)"),
        choices=SCALE,
        coerce=int,
        initial=5,
    )


class TurnForm(forms.Form):
    text = forms.CharField(
        label=_("What I say"),
        max_length=MAX_TURN,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write what you would say, even a few words.")},
    )
    number = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class EndForm(forms.Form):
    confidence_after = forms.TypedChoiceField(
        label=_("How confident do I feel now? (0 not at all, 10 very)"),
        choices=[("", "—"), *SCALE],
        coerce=int,
        empty_value=None,
        error_messages={"required": _("Choose how confident you feel now, from 0 to 10.")},
    )
    worked = forms.CharField(
        label=_("What worked"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    try_next = forms.CharField(
        label=_("What I will try next time"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AnnotationForm(forms.Form):
    turn_number = forms.IntegerField(
        label=_("About turn (optional)"), required=False, min_value=1, max_value=10_000
    )
    text = forms.CharField(
        label=_("Note for the review"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PartnerSettingsForm(forms.Form):
    """The clinic's model partner. The endpoint is chosen among those the operator allows
    (GENTLE_ROLEPLAY_ENDPOINTS), never typed: an administrator cannot send rehearsals to a
    server of their own choosing. With none allowed, the model cannot be switched on."""

    enabled = forms.BooleanField(label=_("Use a language model for the partner"), required=False)
    endpoint = forms.ChoiceField(
        label=_("Endpoint (OpenAI-compatible)"),
        required=False,
        help_text=_("The endpoints this server allows. Names are never sent."),
        error_messages={
            "invalid_choice": _("Choose one of the endpoints this server allows."),
        },
    )
    model = forms.CharField(label=_("Model name"), required=False, max_length=100)
    api_key = forms.CharField(
        label=_("API key"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput,
        help_text=_("Leave empty to keep the key already saved."),
    )
    timeout = forms.IntegerField(
        label=_("Timeout in seconds"),
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        initial=8,
    )

    def __init__(self, *args, endpoints: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["endpoint"].choices = [("", "—"), *((url, url) for url in endpoints)]
        if not endpoints:
            # Nothing to switch on; a clinic that had the model on can still save it off.
            self.fields["enabled"].disabled = True
            self.initial["enabled"] = False

    def clean(self):
        data = super().clean()
        if data.get("enabled") and not (data.get("endpoint") and data.get("model")):
            raise forms.ValidationError(
                _("To use a language model, choose its endpoint and give its model name.")
            )
        return data
