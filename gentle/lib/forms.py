"""Helpers for handling submitted forms (Django forms only, no Gentle app)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
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


class LongSelect(forms.Select):
    """A list of choices that may run to hundreds (a clinician's open courses), written out
    here: Django's ``Select`` renders each option through a template of its own, about 0.1 ms
    an option, which made such a list most of its page's time at a programme's size (issue 20).
    The same HTML as ``Select``, groups included."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        lines = [format_html('<select name="{}"{}>', widget["name"], widget_attrs(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                lines.append(format_html('  <optgroup label="{}">', group_name))
            lines.extend(
                format_html(
                    '  <option value="{}"{}>{}</option>',
                    str(option["value"]),
                    widget_attrs(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group_name:
                lines.append(SafeString("  </optgroup>"))
        lines.append(SafeString("</select>"))
        # Every line is escaped above, or fixed markup.
        return SafeString("\n".join(lines))
