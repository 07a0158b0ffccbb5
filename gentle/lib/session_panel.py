"""The "before this session" panel on a session's page: parts contributed by the apps that
keep what a clinician prepares with (docs/adr/0039-a-session-panel-from-each-app.md).

The session page lives in ``courses``, which may not read measures, alerts, the diary, goals
or the portal's tasks. Each app that has something to show registers a :class:`PanelPart` in
its ``AppConfig.ready()``; the page asks :func:`build` for the parts in order. This module knows
no Gentle model: each part's ``build`` does its own querying.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
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


FIRST_SESSION_LOOKBACK = timedelta(days=28)


def since(session: Any, previous: Any) -> datetime:
    """Where "since the last session" begins: the previous session's start, or, before the
    first session, four weeks back (what was answered and written on the way in)."""
    if previous is not None:
        return previous.starts_at
    return session.starts_at - FIRST_SESSION_LOOKBACK


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


# The tools a session can be linked to (courses.SessionTool): each app that keeps a kind of tool
# registers how to name its objects, so that courses can show and check the links without
# reading another app's models.


@dataclass(frozen=True)
class ToolRef:
    """One tool as the session page shows it: its kind, id, a label and a link."""

    kind: str
    id: int
    label: str
    url: str
    day: date | None = None


@dataclass(frozen=True)
class ToolKind:
    """``named(client_id, ids)``: the client's tools among ``ids`` (one query; an id of another
    client's tool is left out). ``recent(client_id, limit)``: the client's latest tools of this
    kind, newest first (one query)."""

    kind: str
    named: Callable[[int, Collection[int]], dict[int, ToolRef]]
    recent: Callable[[int, int], list[ToolRef]]


_tools: dict[str, ToolKind] = {}


def register_tool(tool: ToolKind) -> None:
    """Add a kind of tool (at start-up). Registering a kind twice replaces it."""
    _tools[tool.kind] = tool


def tool_kinds() -> dict[str, ToolKind]:
    return dict(_tools)
