"""Navigation by role. Apps add their entries here as they land."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from gentle.accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] | None  # None: everyone signed in


NAV: tuple[NavItem, ...] = (
    NavItem(_("Home"), "home", None),
    NavItem(_("People"), "clinic_people", frozenset({Role.ADMIN})),
)


def nav_for(roles: set[str]) -> list[NavItem]:
    return [item for item in NAV if item.roles is None or item.roles & roles]
