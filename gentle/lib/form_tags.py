"""Template filters for rendering forms (registered as the ``gentle_forms`` library in
settings.TEMPLATES, since gentle/lib is not an app)."""

from __future__ import annotations

from django import forms, template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from gentle.lib.forms import widget_attrs

register = template.Library()


@register.filter
def must_fill(field: forms.BoundField) -> bool:
    """Whether the person must fill this field in, and so sees it marked: it is required and
    can be left empty. A list that always has a choice made (no empty first choice) cannot,
    and Django gives it no "required" attribute either; a list of checkboxes can."""
    widget = field.field.widget
    return field.field.required and (
        widget.use_required_attribute(field.initial)
        or getattr(widget, "allow_multiple_selected", False)
    )


@register.filter
def has_required(form: forms.BaseForm) -> bool:
    """Whether any field the person sees is marked: the form then says once what the mark
    means."""
    return any(must_fill(field) for field in form.visible_fields())


@register.filter
def choice_tags(field: forms.BoundField) -> list[tuple[SafeString, str]]:
    """A field of radio buttons or checkboxes as (input, label) pairs, each input written here
    as Django's own templates write it: rendering each through those templates took about
    0.3 ms a choice, most of a supervision meeting's form with a caseload of 200 courses to
    name (issue 20)."""
    pairs = []
    for choice in field.subwidgets:
        data = choice.data
        value = data["value"]
        shown = format_html(' value="{}"', str(value)) if value is not None else ""
        tag = format_html(
            '<input type="{}" name="{}"{}{}>',
            data["type"],
            data["name"],
            shown,
            widget_attrs(data["attrs"]),
        )
        pairs.append((tag, data["label"]))
    return pairs
