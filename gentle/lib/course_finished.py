"""What other apps do, in the same transaction, when a course finishes
(docs/adr/0052-outcome-thresholds-fixed-when-a-course-finishes.md).

``courses`` may not use ``measures`` (docs/ARCHITECTURE.md), yet the reliable-change
thresholds a finished course's outcome is judged by are fixed the moment it finishes.
``measures`` registers a callback at start-up; ``courses.actions.course_update`` calls
``finished(course)`` inside its transaction when a course's status becomes a finished one.
This module knows no Gentle model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_callbacks: dict[str, Callable[[Any], None]] = {}


def register(name: str, callback: Callable[[Any], None]) -> None:
    """Add (or, under the same name, replace) a callback taking the finished course."""
    _callbacks[name] = callback


def finished(course: Any) -> None:
    for _name, callback in sorted(_callbacks.items()):
        callback(course)
