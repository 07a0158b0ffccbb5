"""The people in a client's life, as the apps below ``inventory`` need them
(docs/adr/0050-role-plays-tied-to-the-inventory.md).

``courses`` records role plays done in the session with the person they were about, but may
not read the interpersonal inventory (docs/ARCHITECTURE.md). ``inventory`` registers one
provider at start-up; the session page asks it for the people to offer and for the names of
the people already linked. Without a provider there are no people to offer and a link names
nobody (the text written with it is shown). This module knows no Gentle model.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class PersonRef:
    """One person as another app shows them: the id, the name or label the clinician uses, the
    relationship (translated), and the link to the person's page in the inventory."""

    id: int
    name: str
    relationship: str
    url: str


@dataclass(frozen=True)
class People:
    """``offered(client_id)``: the client's people a clinician may link to, in the inventory's
    order (one query). ``named(client_id, ids)``: the client's people among ``ids`` (one query;
    an id of another client's person is left out, so it can be used to check a posted id)."""

    offered: Callable[[int], list[PersonRef]]
    named: Callable[[int, Collection[int]], dict[int, PersonRef]]


_provider: list[People] = []


def register(people: People) -> None:
    """Set the provider (at start-up). Registering again replaces it (tests reload apps)."""
    _provider[:] = [people]


def offered(client_id: int) -> list[PersonRef]:
    return _provider[0].offered(client_id) if _provider else []


def named(client_id: int, ids: Collection[int]) -> dict[int, PersonRef]:
    if not _provider or not ids:
        return {}
    return _provider[0].named(client_id, ids)
