from allauth.account.forms import ResetPasswordForm
from django import forms
from django.utils.translation import gettext_lazy as _

from gentle.accounts.backends import users_by_email
from gentle.accounts.models import Role
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
