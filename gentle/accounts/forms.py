from allauth.account.forms import ResetPasswordForm
from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from gentle.accounts.backends import users_by_email
from gentle.accounts.models import ApiScope, Role, User
from gentle.audit.names import family_choices

STAFF_ROLE_CHOICES = [(r.value, r.label) for r in Role if r != Role.CLIENT]


class PasswordResetForm(ResetPasswordForm):
    """allauth's form, finding the account by its sign-in address only (not allauth's
    EmailAddress rows), so that a reset link goes to no other address."""

    def clean_email(self) -> str:
        email = super().clean_email()
        self.users = users_by_email(email, is_active=True)
        return email


class InviteStaffForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES)

    def __init__(self, *args, inviter, **kwargs):
        super().__init__(*args, **kwargs)
        self.inviter = inviter

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email.strip().lower() == self.inviter.email.lower():
            raise forms.ValidationError(
                _(
                    "You cannot invite yourself: a role for you comes from another "
                    "administrator of this clinic."
                )
            )
        return email


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=STAFF_ROLE_CHOICES)


class SupervisorsForm(forms.Form):
    supervisors = forms.ModelMultipleChoiceField(
        label=_("Supervisors"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisors"].queryset = candidates


class AuditFilterForm(forms.Form):
    actor = forms.EmailField(
        label=_("Who (email address)"),
        help_text=_("The whole address of the person, as they sign in."),
        max_length=254,
        required=False,
    )
    action = forms.ChoiceField(
        label=_("Action"),
        # Called for each form, so that the labels are in the reader's language.
        choices=lambda: [("", _("Every action")), *family_choices()],
        required=False,
    )
    client_id = forms.IntegerField(
        label=_("Client record number"), min_value=1, max_value=2**63 - 1, required=False
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned


class SwitchClinicForm(forms.Form):
    clinic = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class ApiTokenForm(forms.Form):
    """A personal access token for the API (ADR 0062), for a clinician or supervisor of the
    clinic."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “Outcome reporting to the programme”."),
    )
    user = forms.ModelChoiceField(
        label=_("Acts as"),
        queryset=None,
        help_text=_(
            "The token reads and writes as this person, and only what they may open themselves."
        ),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, initial=90)

    def __init__(self, *args, clinic, max_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(
                memberships__clinic=clinic,
                memberships__role__in=(Role.CLINICIAN, Role.SUPERVISOR),
                is_active=True,
            )
            .distinct()
            .order_by("display_name", "email")
        )
        self.fields["days"].max_value = max_days
        self.fields["days"].validators.append(MaxValueValidator(max_days))
        self.fields["days"].widget.attrs["max"] = max_days
