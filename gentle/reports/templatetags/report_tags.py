"""The report's one cell: a proportion with its count, n and interval. A filter, not an
included template: a breakdown by group has thousands of cells, and an include per cell made
the page take most of its time rendering (docs/performance.md)."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from gentle.lib.outcomes import Proportion

register = template.Library()


@register.filter
def proportion(figure: Proportion) -> SafeString:
    """ "66.7% (4 of 6; 95% CI 30.0–90.3%)", or "Not enough data" when n is 0."""
    if not figure.n:
        return format_html('<span class="muted">{}</span>', _("Not enough data"))
    of = _("%(count)s of %(n)s") % {"count": figure.count, "n": figure.n}
    interval = _("95%% CI %(low)s–%(high)s%%") % {
        "low": number_format(figure.low_percent, 1),
        "high": number_format(figure.high_percent, 1),
    }
    return format_html(
        '{}% <span class="muted">({}; {})</span>', number_format(figure.percent, 1), of, interval
    )
