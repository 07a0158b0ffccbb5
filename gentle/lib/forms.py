"""Helpers for handling submitted forms (Django forms only, no Gentle app)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
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


def widget_attrs(attrs: dict[str, Any]) -> SafeString:
    """A widget's attributes as Django's own ``attrs.html`` writes them, in their order: a
    True value as the bare name, a False one left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


# Django's own templates for a list of choices and for each of its options.
SELECT_TEMPLATE = forms.Select.template_name
OPTION_TEMPLATE = forms.Select.option_template_name


def select_html(widget: dict[str, Any]) -> SafeString | None:
    """A list of choices (``Select``, ``SelectMultiple``, ...) written out as Django's
    ``select.html`` writes it, groups included, from the widget's context; None when an option
    has a template of its own."""
    optgroups = widget["optgroups"]
    templates = {option["template_name"] for _group, options, _i in optgroups for option in options}
    if templates - {OPTION_TEMPLATE}:
        return None
    # Django's select.html, and its option template, which ends with a new line of its own.
    parts = [format_html('<select name="{}"{}>', widget["name"], widget_attrs(widget["attrs"]))]
    for group_name, options, _index in optgroups:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        parts.extend(
            format_html(
                '\n  <option value="{}"{}>{}</option>\n',
                str(option["value"]),
                widget_attrs(option["attrs"]),
                option["label"],
            )
            for option in options
        )
        if group_name:
            parts.append(SafeString("\n  </optgroup>"))
    parts.append(SafeString("\n</select>"))
    # Every part is escaped above, or fixed markup.
    return SafeString("".join(parts))


class FormRenderer(DjangoTemplates):
    """Django's default form renderer (settings.FORM_RENDERER), except that a list of choices
    is written out by ``select_html``: Django renders each option through a template of its
    own, about 0.1 ms an option, which made a clinician's 200 open courses in the booking
    form most of its page's time at a programme's size (issue 20), and the caseload's filters
    a tenth of its page. The HTML is the same (tests/test_form_markup.py)."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name == SELECT_TEMPLATE:
            html = select_html(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request)
