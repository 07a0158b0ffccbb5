"""``tel_links``: crisis texts and safety plans with every phone number tap-to-call."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from gentle.lib.phones import tel_links as _tel_links
from gentle.safety.models import SafetyPlanVersion
from gentle.safety.selectors import PlanSectionText, plan_view

register = template.Library()


@register.filter(is_safe=False)
def tel_links(text: object) -> SafeString:
    """Escapes ``text``, then links its phone numbers (gentle.lib.phones)."""
    return _tel_links(text)


@register.filter
def plan_crisis_sections(version: SafetyPlanVersion | None) -> list[PlanSectionText]:
    """The written sections of a safety plan version that a crisis shows (what I can do, whom
    to ask, which lines to call), as selectors.plan_view gives them."""
    return plan_view(version, crisis_only=True) if version is not None else []
