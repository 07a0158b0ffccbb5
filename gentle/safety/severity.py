"""The one severity table (``data/severity.json``, explained in docs/severity.md).

Every way Gentle hears risk names a *sign* (a wish to be dead, a plan, a screen that asks for an
assessment, ...), and the table alone says which alert severity each sign raises. Instrument
safety rules name their sign, and the free-text categories of the risk scanner map to one, so
two instruments can no longer rate the same thing differently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "severity.json"
SEVERITIES = ("low", "moderate", "high")
# A free-text category missing from the table is treated as the most urgent sign, never ignored.
FREE_TEXT_FALLBACK = "assessment_needed_urgently"


class SeverityTableError(ValueError):
    """The table is malformed; the message names the part."""


@dataclass(frozen=True)
class Sign:
    id: str
    severity: str
    meaning: str


@dataclass(frozen=True)
class Table:
    version: int
    signs: dict[str, Sign]
    free_text: dict[str, str]  # the risk scanner's category -> sign

    def severity(self, sign: str) -> str:
        return self.signs[sign].severity

    def free_text_sign(self, category: str) -> str:
        return self.free_text.get(category, FREE_TEXT_FALLBACK)


def parse(data: object) -> Table:
    """Build and validate the table from its JSON form."""
    if not isinstance(data, dict):
        raise SeverityTableError("severity table: expected an object")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SeverityTableError("severity table: version must be a positive whole number")
    raw_signs = data.get("signs")
    if not isinstance(raw_signs, dict) or not raw_signs:
        raise SeverityTableError("severity table: needs signs")
    signs = {}
    for sign_id, raw in raw_signs.items():
        if not isinstance(raw, dict) or raw.get("severity") not in SEVERITIES:
            raise SeverityTableError(
                f"severity table sign {sign_id}: severity is one of {', '.join(SEVERITIES)}"
            )
        signs[sign_id] = Sign(sign_id, raw["severity"], str(raw.get("meaning", "")))
    if FREE_TEXT_FALLBACK not in signs:
        raise SeverityTableError(f"severity table: needs the sign {FREE_TEXT_FALLBACK}")
    free_text = data.get("free_text") or {}
    if not isinstance(free_text, dict):
        raise SeverityTableError("severity table: free_text maps categories to signs")
    for category, sign in free_text.items():
        if sign not in signs:
            raise SeverityTableError(f"severity table free_text {category}: unknown sign {sign!r}")
    return Table(version, signs, dict(free_text))


@cache
def table() -> Table:
    """The shipped table, loaded and validated once."""
    try:
        data = json.loads(DATA.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SeverityTableError(f"severity table cannot be read ({exc})") from None
    return parse(data)
