"""The "before this session" panel on a session's page: parts contributed by the apps that
keep what a clinician prepares with (docs/adr/0039-a-session-panel-from-each-app.md).

The session page lives in ``courses``, which may not read measures, alerts, the diary, goals
or the portal's tasks. Each app that has something to show registers a :class:`PanelPart` in
its ``AppConfig.ready()``; the page asks :func:`build` for the parts in order. This module knows
no Gentle model: each part's ``build`` does its own querying.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PanelPart:
    """One part of the panel.

    ``build(session, previous, client)`` returns the template's context (a dict) or ``None``
    when the part has nothing to say for this session. ``session`` is the session whose page is
    shown (``session.course`` loaded, ``number`` and ``phase`` set); ``previous`` the course's
    session before it, or ``None`` for the first; ``client`` the client as the access helpers
    returned it (with ``client.may``). It runs a fixed number of queries whatever the data's
    size. ``template`` is included with that context plus ``session``, ``previous`` and
    ``client``.
    """

    key: str
    order: int  # smaller first
    template: str
    build: Callable[[Any, Any, Any], dict[str, Any] | None]


_parts: dict[str, PanelPart] = {}


def register(part: PanelPart) -> None:
    """Add ``part`` (at start-up). Registering a key twice replaces it (tests reload apps)."""
    _parts[part.key] = part


def parts() -> list[PanelPart]:
    return sorted(_parts.values(), key=lambda part: (part.order, part.key))


def build(session: Any, previous: Any, client: Any) -> list[tuple[PanelPart, dict[str, Any]]]:
    """The parts with something to say for ``session``, in order, each with its context."""
    shown = []
    for part in parts():
        context = part.build(session, previous, client)
        if context is not None:
            shown.append(
                (part, {**context, "session": session, "previous": previous, "client": client})
            )
    return shown
