"""The ``icon`` template tag (registered as the ``gentle_icons`` library in settings.TEMPLATES):
one of the vendored Lucide icons in gentle/static/gentle/icons/, drawn inline so that it takes
the text's colour and needs no script, style attribute or extra request (the CSP allows it).
Icons are decoration beside a text label: hidden from screen readers, never focusable."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ICONS = Path(__file__).resolve().parents[1] / "static" / "gentle" / "icons"
_NAME = re.compile(r"[a-z0-9-]+")
_BODY = re.compile(r"<svg\b[^>]*>(.*)</svg>", re.S)


@cache
def _body(name: str) -> str:
    """The drawing inside the icon file's <svg> element (paths and shapes only)."""
    if not _NAME.fullmatch(name) or not (ICONS / f"{name}.svg").is_file():
        raise template.TemplateSyntaxError(f"no icon {name!r} in {ICONS}")
    found = _BODY.search((ICONS / f"{name}.svg").read_text(encoding="utf-8"))
    if not found:
        raise template.TemplateSyntaxError(f"{name}.svg has no <svg> element")
    return " ".join(found.group(1).split())


@register.simple_tag
def icon(name: str) -> SafeString:
    return format_html(
        '<svg class="icon icon-{}" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
        'stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" '
        'focusable="false">{}</svg>',
        name,
        mark_safe(_body(name)),  # noqa: S308 - a vendored file of this repository, not input
    )
