"""``tel_links``: crisis texts and safety plans with every phone number tap-to-call."""

from django import template

from gentle.lib.phones import tel_links as _tel_links
from gentle.safety.selectors import plan_view

register = template.Library()


@register.filter(is_safe=False)
def tel_links(text):
    """Escapes ``text``, then links its phone numbers (gentle.lib.phones)."""
    return _tel_links(text)


@register.filter
def plan_crisis_sections(version):
    """The written sections of a safety plan version that a crisis shows (what I can do, whom
    to ask, which lines to call), as selectors.plan_view gives them."""
    return plan_view(version, crisis_only=True) if version is not None else []
