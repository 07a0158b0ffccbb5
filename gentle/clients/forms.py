from datetime import date

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.accounts.models import Membership, Role, User
from gentle.clients.models import ConsentKind
from gentle.lib.forms import phone_input
from gentle.lib.search import MAX_TERM
from gentle.lib.tokens import normalize_code


class ClientForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100, required=False)
    preferred_name = forms.CharField(label=_("Preferred name"), max_length=100, required=False)


def _people_with_role(clinic, role):
    return User.objects.filter(
        pk__in=Membership.objects.filter(clinic=clinic, role=role).values("user_id"),
        is_active=True,
    ).order_by("display_name", "email")


class CareTeamForm(forms.Form):
    clinicians = forms.ModelMultipleChoiceField(
        label=_("Clinicians"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    supervisor = forms.ModelChoiceField(
        label=_("Supervisor"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("No supervisor"),
    )

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinicians"].queryset = _people_with_role(clinic, Role.CLINICIAN)
        self.fields["supervisor"].queryset = _people_with_role(clinic, Role.SUPERVISOR)


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to open this record now?"),
        min_length=10,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Your reason, your name and the time are shown to the clinic's administrators and "
            "supervisors, who review it."
        ),
    )


class ClientSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=MAX_TERM)


class FindClientForm(forms.Form):
    client_id = forms.IntegerField(
        label=_("Client record number"), min_value=1, max_value=2**63 - 1
    )


class InvitationAcceptForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters. A long passphrase of several words is best."),
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        from django.contrib.auth.password_validation import validate_password

        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                validate_password(
                    first, User(email=self.email, display_name=cleaned.get("display_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class PortalActivationForm(InvitationAcceptForm):
    """The client's side of a portal invitation: the code from the printed letter and, when the
    record has one, the date of birth; a new login also chooses its name and password, an
    account already signed in answers only the first two."""

    code = forms.CharField(
        label=_("Code from your letter"),
        max_length=20,
        help_text=_("8 letters and digits, as printed on the letter from your clinician."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}
        ),
    )
    date_of_birth = forms.DateField(
        label=_("Your date of birth"), widget=forms.DateInput(attrs={"type": "date"})
    )
    field_order = ["code", "date_of_birth", "display_name", "password1", "password2"]

    def __init__(self, *args, email: str, ask_birth_date: bool, new_login: bool, **kwargs):
        super().__init__(*args, email=email, **kwargs)
        self.ask_birth_date, self.new_login = ask_birth_date, new_login
        if not ask_birth_date:
            del self.fields["date_of_birth"]
        if not new_login:
            for name in ("display_name", "password1", "password2"):
                del self.fields[name]

    def clean_code(self):
        code = normalize_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _("Enter the 8 letters and digits printed on your letter, for example K7QM-4TXA.")
            )
        return code

    def refuse(self, message: str) -> None:
        """Show ``message`` and keep every answer for the page again but the code: a secret is
        never sent back (nor are passwords: Django's password inputs never show them)."""
        self.add_error(None, message)
        self.data = self.data.copy()
        self.data["code"] = ""


class ClientDetailsForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100, required=False)
    preferred_name = forms.CharField(label=_("Preferred name"), max_length=100, required=False)
    pronouns = forms.CharField(label=_("Pronouns"), max_length=40, required=False)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    email = forms.EmailField(label=_("Email address"), max_length=254, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False, widget=phone_input(own=False)
    )
    emergency_contact_name = forms.CharField(
        label=_("Emergency contact"), max_length=150, required=False
    )
    emergency_contact_phone = forms.CharField(
        label=_("Emergency contact's phone"),
        max_length=40,
        required=False,
        widget=phone_input(own=False),
    )
    emergency_contact_relation = forms.CharField(
        label=_("Relationship to the client"), max_length=80, required=False
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        if born and not (date(1900, 1, 1) <= born <= timezone.localdate()):
            raise forms.ValidationError(_("Enter a date of birth between 1900 and today."))
        return born


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Consent"), choices=ConsentKind.choices)
    given_on = forms.DateField(label=_("Given on"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_given_on(self):
        given = self.cleaned_data["given_on"]
        if not (date(2000, 1, 1) <= given <= timezone.localdate()):
            raise forms.ValidationError(_("Enter a date between 2000 and today."))
        return given
