"""What raised an alert, told by the app that raised it.

Safety sits above the apps that raise alerts (docs: ARCHITECTURE.md, arrows point down), so it
cannot read their objects. Each such app registers, at start-up (its AppConfig.ready), a
function that describes the alerts of its ``source`` for the alert page; free-text alerts
carry their own excerpt and need none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gentle.safety.models import Alert


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    triggered: bool = False  # this answer is the one the alert's rule matched


@dataclass(frozen=True)
class Raised:
    """What raised an alert: e.g. an instrument's name, its risk items' answers, its score."""

    title: str
    answers: tuple[Answer, ...] = ()
    score: str = ""
    link: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


Describer = Callable[["Alert"], "Raised | None"]
_DESCRIBERS: dict[str, Describer] = {}


def register(source: str, describe: Describer) -> None:
    """``describe(alert) -> Raised | None`` for alerts whose ``source`` is this. It must make
    a fixed number of queries, whatever the client's history."""
    _DESCRIBERS[source] = describe


def raised_by(alert: Alert) -> Raised | None:
    describe = _DESCRIBERS.get(alert.source)
    return describe(alert) if describe else None
