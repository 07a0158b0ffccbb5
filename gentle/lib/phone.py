"""Phone numbers as links."""

import re


def tel_uri(number: str) -> str:
    """A ``tel:`` URI for a phone number as people type it ('+44 (0)1632 960 123'), keeping a
    leading '+' and the digits (the '(0)' of a trunk prefix goes with an international number);
    '' when there are too few digits to dial."""
    number = (number or "").strip()
    international = number.startswith("+")
    if international:
        number = number.replace("(0)", "")
    digits = re.sub(r"\D", "", number)
    if len(digits) < 3:
        return ""
    return f"tel:{'+' if international else ''}{digits}"
