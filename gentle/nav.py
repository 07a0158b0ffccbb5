"""Navigation by role. Apps add their entries here as they land."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from gentle.accounts.models import Role

ALERTS = "alerts"
RISK_REQUESTS = "risk_requests"
_COUNTED = "_gentle_badges_counted"


def badge_counted(request: object, kind: str, count: int) -> None:
    """Tell the layout that this request has already counted a badge's items by the badge's
    own rule (the home counts the open alerts waiting for the person, ``alerts_waiting_for``,
    to list them): the layout shows that count instead of counting them again (issue 20: a
    millisecond or two at a programme's size, over every open alert of the clinic)."""
    vars(request).setdefault(_COUNTED, {})[kind] = count


def badges_counted(request: object) -> dict[str, int]:
    """What ``badge_counted`` was told in this request."""
    return getattr(request, _COUNTED, None) or {}


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] | None  # None: everyone signed in
    badge: str = ""  # ALERTS or RISK_REQUESTS: a count for the signed-in person beside it
    # Entries of the same group are shown under one heading ("Clinic settings") that opens like
    # a menu, so that an administrator's dozen entries fit on one line at 1366 px (issue 21).
    group: str = ""


CLINICAL = frozenset({Role.CLINICIAN, Role.SUPERVISOR})
ADMIN = frozenset({Role.ADMIN})
# Who has groups (ADR 0051): who runs them, who sets them up, who oversees them.
GROUPS = frozenset({Role.ADMIN, Role.CLINICIAN, Role.SUPERVISOR, Role.FACILITATOR})

SETTINGS = _("Clinic settings")

NAV: tuple[NavItem, ...] = (
    NavItem(_("Home"), "home", None),
    NavItem(_("My space"), "portal_home", frozenset({Role.CLIENT})),
    NavItem(_("Questionnaires"), "portal_questionnaires", frozenset({Role.CLIENT})),
    NavItem(_("Diary"), "portal_diary", frozenset({Role.CLIENT})),
    NavItem(_("My focus and plan"), "portal_focus", frozenset({Role.CLIENT})),
    NavItem(_("My progress"), "portal_progress", frozenset({Role.CLIENT})),
    NavItem(_("Caseload"), "caseload", CLINICAL, badge=ALERTS),
    NavItem(_("Requests"), "intake_queue", frozenset({Role.ADMIN, Role.CLINICIAN}), RISK_REQUESTS),
    NavItem(_("Calendar"), "calendar_week", CLINICAL),
    NavItem(_("Groups"), "group_list", GROUPS),
    NavItem(_("People"), "clinic_people", ADMIN),
    NavItem(_("Client records"), "clinic_clients", ADMIN),
    NavItem(_("Invitations"), "invitations", ADMIN),
    NavItem(_("Emergency access"), "break_glass_reviews", frozenset({Role.ADMIN, Role.SUPERVISOR})),
    NavItem(_("Crisis text"), "crisis_text", ADMIN, group=SETTINGS),
    NavItem(_("Safety"), "safety_settings", ADMIN, group=SETTINGS),
    NavItem(_("Role-play partner"), "partner_settings", ADMIN, group=SETTINGS),
    NavItem(_("Public pages"), "public_texts", ADMIN, group=SETTINGS),
    NavItem(_("Outgoing mail"), "outgoing_mail", ADMIN, group=SETTINGS),
    NavItem(_("API tokens"), "api_tokens", ADMIN, group=SETTINGS),
    NavItem(_("FHIR export"), "fhir_exports", ADMIN, group=SETTINGS),
    NavItem(_("Audit log"), "audit_log", ADMIN),
)


def nav_for(roles: set[str]) -> list[NavItem]:
    return [item for item in NAV if item.roles is None or item.roles & roles]


@dataclass(frozen=True)
class Badge:
    count: int
    spoken: str  # what a screen reader says: "2 open alerts"


@dataclass(frozen=True)
class NavEntry:
    """An entry of the navigation as shown: its label in the reader's language, its address,
    whether it is the page shown, its badge, and the entries of its group."""

    label: str
    url: str
    current: bool = False
    badge: Badge | None = None
    children: tuple[NavEntry, ...] = ()


@lru_cache(maxsize=512)
def nav_html(entries: tuple[NavEntry, ...], language: str) -> SafeString:
    """The layout's navigation, written from ``entries`` alone (includes/nav.html) and kept for
    the same entries in the same language: a person's nav is the same on most of their pages,
    and rendering it was about a tenth of a light signed-in page (issue 20). Everything it
    shows is in the key, so a kept one cannot be out of date."""
    with translation.override(language):
        return SafeString(render_to_string("includes/nav.html", {"nav_items": entries}))
