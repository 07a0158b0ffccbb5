"""What other apps do, in the same transaction, when a course finishes
(docs/adr/0052-outcome-thresholds-fixed-when-a-course-finishes.md).

``courses`` may not use ``measures`` (docs/ARCHITECTURE.md), yet the reliable-change
thresholds a finished course's outcome is judged by are fixed the moment it finishes.
``measures`` registers a callback at start-up; ``courses.actions.course_update`` calls
``finished(course)`` inside its transaction when a course's status becomes a finished one,
and ``reopened(course)`` when a finished course is set running again (its stored result,
ADR 0058, no longer holds). This module knows no Gentle model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_callbacks: dict[str, Callable[[Any], None]] = {}
_changed: dict[str, Callable[[Any], None]] = {}
_reopened: dict[str, Callable[[Any], None]] = {}


def register(name: str, callback: Callable[[Any], None]) -> None:
    """Add (or, under the same name, replace) a callback taking the finished course."""
    _callbacks[name] = callback


def finished(course: Any) -> None:
    for _name, callback in sorted(_callbacks.items()):
        callback(course)


def register_reopened(name: str, callback: Callable[[Any], None]) -> None:
    """Add (or replace) a callback taking a finished course that is running again."""
    _reopened[name] = callback


def reopened(course: Any) -> None:
    for _name, callback in sorted(_reopened.items()):
        callback(course)


def register_changed(name: str, callback: Callable[[Any], None]) -> None:
    """Add (or replace) a callback taking a finished course whose sessions changed after it
    finished (an attendance corrected, who took part): what was stored when it finished is
    written again."""
    _changed[name] = callback


def changed(course: Any) -> None:
    for _name, callback in sorted(_changed.items()):
        callback(course)
