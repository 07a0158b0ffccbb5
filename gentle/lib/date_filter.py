"""The ``date`` template filter, as Django writes it, kept for the dates shown again (a builtin
library: settings.TEMPLATES).

Django's ``date`` filter works each date out afresh: the format of the language, then the
format string split and each part looked up and translated, about 12 µs a date (4 µs for
``date:'c'``). A clinician's home at a programme's size shows about 70 dates, each at every
opening (issue 20). What the filter writes is a function of the date (with its time zone and
fold), the format asked for and the active language, and of settings, so it is kept in a
bounded table by exactly those, and the table is emptied whenever a setting changes.
Anything other than a date or a datetime is left to Django's filter as it is.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.template import defaultfilters
from django.utils import translation

register = template.Library()

KEPT = 4096  # dates kept, the most recently shown


@register.filter(expects_localtime=True, is_safe=False)
def date(value: Any, arg: str | None = None) -> str:
    """Django's ``date`` filter, kept for each (date, time zone, fold, format, language)."""
    if type(value) in (dt.datetime, dt.date) and isinstance(arg, str | None):
        try:
            return _written(
                type(value).__name__,
                value,
                getattr(value, "tzinfo", None),
                getattr(value, "fold", 0),
                arg,
                translation.get_language(),
            )
        except TypeError:  # a time zone that cannot be a key
            pass
    return defaultfilters.date(value, arg)


@lru_cache(maxsize=KEPT)
def _written(
    kind: str, value: dt.date, tzinfo: object, fold: int, arg: str | None, language: str | None
) -> str:
    del kind, tzinfo, fold, language  # parts of the key only
    return defaultfilters.date(value, arg)


def forget(**_kwargs: object) -> None:
    """Empty the table: formats, time zones and languages are settings."""
    _written.cache_clear()


setting_changed.connect(forget)
