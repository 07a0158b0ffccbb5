"""The agreed focus of a course, and the plain names of the areas, as the apps below
``formulation`` need them (docs/adr/0045-middle-phase-agendas-and-the-focus-registry.md).

``courses`` shows the middle-phase agenda for the course's focus, but may not read the
formulation, which keeps the dispute stage and the secondary focus. ``formulation`` registers
one provider at start-up; the session page and the course grid ask :func:`of`. Without a
provider, or before a formulation is written, the course's own ``focus`` field is used, not
agreed. The client's copy of the record names a course's focus by :func:`plain_names`, which
``formulation`` also provides. This module knows no Gentle model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Focus:
    """The problem areas a course works on, primary first, each with its dispute stage ("" for
    none or not a dispute), and whether the client agreed the formulation."""

    areas: tuple[tuple[str, str], ...]
    agreed: bool


Provider = Callable[[Any], Focus | None]
_provider: list[Provider] = []
PlainNames = Callable[[], dict[str, str]]
_plain_names: list[PlainNames] = []


def register(provider: Provider) -> None:
    """Set the provider (at start-up): ``provider(course)`` returns the course's focus from its
    formulation in one query, or ``None`` when it has none. Registering again replaces it."""
    _provider[:] = [provider]


def of(course: Any) -> Focus:
    """The course's focus: from the registered provider, else from ``course.focus``."""
    found = _provider[0](course) if _provider else None
    if found is not None:
        return found
    return Focus(areas=((course.focus, ""),) if course.focus else (), agreed=False)


def register_plain_names(names: PlainNames) -> None:
    """Set where the areas' plain names come from (at start-up): ``names()`` returns {area code:
    the name a client reads, in the active language} (WHO group IPT's plain names)."""
    _plain_names[:] = [names]


def plain_names(fallback: dict[str, str]) -> dict[str, str]:
    """The areas as the client reads them: from the registered source, else ``fallback``."""
    return _plain_names[0]() if _plain_names else fallback
