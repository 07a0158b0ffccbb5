"""Template filters for rendering forms (registered as the ``gentle_forms`` library in
settings.TEMPLATES, since gentle/lib is not an app)."""

from __future__ import annotations

from django import forms, template

register = template.Library()


@register.filter
def has_required(form: forms.BaseForm) -> bool:
    """Whether any field the person sees must be filled in: the form then says once what the
    mark on those fields means."""
    return any(field.field.required for field in form.visible_fields())
