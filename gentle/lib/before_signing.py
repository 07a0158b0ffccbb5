"""What a clinician is warned of before signing a progress note: risk signals of the client
that the note's risk review should answer (docs/adr/0042-notes-are-never-lost.md).

The note lives in ``courses``, which may not read alerts or questionnaires. ``safety`` and
``measures`` each register a check in their ``AppConfig.ready()``; the confirmation page asks
:func:`warnings` for what they found. A warning never blocks signing. This module knows no
Gentle model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = Callable[[Any, Any], list[str]]
"""``check(session, client)``: sentences (translated, free of the client's words) naming risk
signals for the session's client on the session's day; a fixed number of queries."""

_checks: dict[str, Check] = {}


def register(key: str, check: Check) -> None:
    """Add ``check`` (at start-up). Registering a key twice replaces it (tests reload apps)."""
    _checks[key] = check


def warnings(session: Any, client: Any) -> list[str]:
    """Every registered check's sentences, in the order of their keys."""
    found: list[str] = []
    for key in sorted(_checks):
        found.extend(_checks[key](session, client))
    return found
