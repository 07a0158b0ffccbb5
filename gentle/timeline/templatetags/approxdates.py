"""``{{ value|when }}``: an approximate date as a person reads it, in the page's language."""

from __future__ import annotations

from django import template

from gentle.lib import approxdate

register = template.Library()


@register.filter
def when(value: object) -> object:
    """An ApproxDate, or its notation as kept in a record copy ("2024-03"), read aloud;
    anything else unchanged."""
    if isinstance(value, str):
        try:
            value = approxdate.parse(value)
        except approxdate.ApproxDateError:
            return value
    if isinstance(value, approxdate.ApproxDate):
        return value.display()
    return value
