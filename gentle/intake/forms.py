import re
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from gentle.intake import selectors
from gentle.intake.models import Contact
from gentle.lib.forms import phone_input

STARTED_SALT = "gentle.intake.started"
# A form left open longer than this is sent again with a fresh stamp (nothing typed is lost).
STARTED_MAX_AGE = 24 * 60 * 60


def started_token() -> str:
    """When the form was opened, signed so that it cannot be forged."""
    return signing.dumps(time.time(), salt=STARTED_SALT)


class RequestForm(forms.Form):
    name = forms.CharField(
        label=_("Your name, or a name we can call you"),
        max_length=100,
        help_text=_("A first name or an alias is fine."),
        error_messages={"required": _("Tell us what to call you: a first name or alias.")},
    )
    contact = forms.ChoiceField(
        label=_("How would you like us to contact you?"),
        choices=Contact.choices,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
        error_messages={"required": _("Choose how we should contact you.")},
    )
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone number"), required=False, max_length=40, widget=phone_input(own=True)
    )
    message = forms.CharField(
        label=_("What brings you to us?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("As much or as little as you like (up to 2000 characters)."),
        error_messages={
            "required": _("Tell us a little about what brings you, even one sentence."),
            "max_length": _(
                "That is more than we can take here (2000 characters). Please shorten it; "
                "there will be time to say everything when we talk."
            ),
        },
    )
    consent = forms.BooleanField(
        label=_("I agree that the clinic may contact me about this request."),
        error_messages={"required": _("We can only reply if you agree to be contacted.")},
    )
    # Robots fill every field; people never see this one.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, text, options in selectors.screen_items():
            self.fields[name] = forms.TypedChoiceField(
                label=text,
                choices=[(v, label) for v, label in options],
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect(attrs={"class": "scale"}),
            )
        self.fields["website"].widget.attrs.update(tabindex="-1", autocomplete="off")

    MAIN = ("name", "contact", "email", "phone", "message")

    def main_fields(self):
        return [self[name] for name in self.MAIN]

    def screen_fields(self):
        return [self[name] for name, _t, _o in selectors.screen_items()]

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if not re.search(r"[^\W\d_]{2,}", message):
            raise forms.ValidationError(_("Tell us a little about what brings you, in words."))
        return message

    def clean(self):
        data = super().clean()
        contact = data.get("contact")
        if contact == Contact.EMAIL and not data.get("email"):
            self.add_error("email", _("Give an email address so that we can write to you."))
        if contact in (Contact.PHONE, Contact.TEXT):
            digits = re.sub(r"\D", "", data.get("phone") or "")
            if not 6 <= len(digits) <= 16:
                self.add_error("phone", _("Give a phone number we can reach you on."))
        return data

    def is_robot(self) -> bool:
        return bool(self.data.get("website"))

    def stamp_refused(self) -> bool:
        """No valid stamp, or sent sooner after opening than a person could write, or later
        than STARTED_MAX_AGE. (That a stamp is used only once is the action's to check.)"""
        try:
            opened = float(signing.loads(self.data.get("started", ""), salt=STARTED_SALT))
        except (signing.BadSignature, TypeError, ValueError):
            return True
        elapsed = time.time() - opened
        return not settings.GENTLE_INTAKE_MIN_SECONDS <= elapsed <= STARTED_MAX_AGE


class AssignForm(forms.Form):
    # Every clinician of the clinic.
    clinician = forms.ModelChoiceField(label=_("Assign to"), queryset=None)

    def __init__(self, *args, clinicians, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = clinicians


class ConvertForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100, required=False)
    format = forms.ChoiceField(label=_("Planned course"))
    start_date = forms.DateField(
        label=_("Planned start"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, formats, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = formats


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("Message to send"), widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = selectors.decline_choices()


class PublicTextForm(forms.Form):
    title = forms.CharField(label=_("Heading"), max_length=120)
    body = forms.CharField(
        label=_("Text"),
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Plain text. Leave a blank line between paragraphs; start a line with '## ' for a "
            "small heading or '- ' for a list. Any markup is shown as typed, never run."
        ),
    )
