"""Helpers for handling submitted forms (Django forms only, no Gentle app)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data for a POST, None otherwise: a form bound to an empty POST still
    reports what is missing, where ``request.POST or None`` would show a blank form."""
    return request.POST if request.method == "POST" else None


def not_future(day: date | None) -> date | None:
    """A form's clean step for a date that has already happened."""
    if day and day > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future."))
    return day


def phone_input(*, own: bool) -> forms.TextInput:
    """A phone number field that opens the phone's number pad. The browser may offer its
    user's own number only where it is their own (``own``); staff typing a client's number
    get no suggestion of theirs."""
    return forms.TextInput(
        attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel" if own else "off"}
    )
