"""What an audit row's action and role codes read as, for the pages that list audit rows."""

from __future__ import annotations

from django import template

from gentle.accounts.selectors import role_label as _role_label
from gentle.audit.names import label_of

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    """``note.sign`` → "Signed a progress note" (the code itself if it is no longer known)."""
    return str(label_of(code))


@register.filter
def role_label(code: str) -> str:
    """``clinician`` → "Clinician"; "" → "Not recorded"."""
    return _role_label(code)
