"""Phone numbers as links: one number typed in a field (``tel_uri``), and every number in free
text made tap-to-call, safely (``tel_links``: the text is HTML-escaped first, then each run of
digits that reads as a phone number is wrapped in a ``tel:`` link)."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# A run of digits with the separators people write in numbers (spaces, dots, dashes,
# parentheses), perhaps after "+". Not part of a word, a time ("8:00-18:00"), a path or a
# decimal; a run that starts after a dash or a digit is the tail of something else.
_RUN = re.compile(r"(?<![\w:/.,+\-&#])(\+?\(?\d(?:[\d .()\-\u00a0]*\d)?)(?![\w:/]|[.,]\d)")
MIN_DIGITS = 6  # a written-out number: "116 123", "555-0100", "0800 123 456"
SHORT_DIGITS = 3  # emergency and crisis short codes written alone: 112, 024, 988, 911
MAX_DIGITS = 15  # the longest number E.164 allows


def _tel(match: re.Match) -> str:
    shown = match.group(1)
    digits = re.sub(r"\D", "", shown)
    grouped = not shown.isdigit()
    long_enough = len(digits) >= MIN_DIGITS or (len(digits) == SHORT_DIGITS and not grouped)
    if not long_enough or len(digits) > MAX_DIGITS:
        return shown
    plus = "+" if shown.startswith("+") else ""
    return f'<a href="tel:{plus}{digits}">{shown}</a>'


def tel_uri(number: str) -> str:
    """A ``tel:`` URI for a phone number as people type it ('+44 (0)1632 960 123'), keeping a
    leading '+' and the digits (the '(0)' of a trunk prefix goes with an international number);
    '' when there are too few digits to dial."""
    number = (number or "").strip()
    international = number.startswith("+")
    if international:
        number = number.replace("(0)", "")
    digits = re.sub(r"\D", "", number)
    if len(digits) < SHORT_DIGITS:
        return ""
    return f"tel:{'+' if international else ''}{digits}"


def tel_links(text: object) -> SafeString:
    """``text`` escaped, with each phone number in it a ``tel:`` link."""
    return mark_safe(_RUN.sub(_tel, str(escape(text or ""))))  # noqa: S308 - escaped first
