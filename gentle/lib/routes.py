"""Routes with their access rule declared beside them.

``route()`` is ``django.urls.path()`` plus the rule the access matrix test checks
(tests/test_access_matrix.py). A route without a rule fails that test unless it is on the
public allow-list there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpResponseBase
from django.urls import URLPattern, path, reverse


class Access:
    PUBLIC = "public"  # anyone
    SIGNED_IN = "signed_in"  # any signed-in person
    ADMIN = "admin"  # clinic administrators of the request's clinic
    CLINICAL = "clinical"  # clinicians and supervisors (their own clients only)
    CLIENT_TEAM = "client_team"  # the client's care team (the URL names the client)
    CLIENT_WRITE = "client_write"  # the team's clinicians, or a clinician with break-glass
    CLIENT_TEAM_READ_WRITE = "client_team_read_write"  # GET: CLIENT_TEAM; POST: CLIENT_WRITE
    CLIENT_TEAM_OR_ADMIN = "client_team_or_admin"  # care team, or the clinic's administrators
    BREAK_GLASS = "break_glass"  # clinicians of the client's clinic
    BREAK_GLASS_REVIEW = "break_glass_review"  # administrators and supervisors of the clinic
    PORTAL = "portal"  # the client themself
    PORTAL_OWN = "portal_own"  # the client themself, for an object of their own record
    # An alert: CLIENT_WRITE, and once the alert is escalated also the client's supervisors.
    ALERT_WORK = "alert_work"
    CARE_TEAM_CLINICIAN = "care_team_clinician"  # the team's clinicians only, not break-glass
    SUPERVISE = "supervise"  # the client's supervisors (on the team, or supervising its clinician)
    # A supervision comment's thread: the client's supervisors and the team's clinicians.
    SUPERVISION_THREAD = "supervision_thread"
    # A clinician's supervision log: their supervisor (reads and writes), the clinician (reads).
    SUPERVISION_LOG = "supervision_log"
    # Rate a session's fidelity (ADR 0057): its own clinician on the care team (a self-rating),
    # and the client's supervisors.
    FIDELITY_RATE = "fidelity_rate"
    # A clinician's fidelity over time: the clinician, their supervisor, the clinic's
    # administrators.
    FIDELITY_CLINICIAN = "fidelity_clinician"
    INTAKE = "intake"  # administrators and clinicians of the clinic (consultation requests)
    # Groups (ADR 0051): the clinic's staff who have groups (administrators, supervisors,
    # clinicians, lay facilitators), each seeing their own.
    GROUPS = "groups"
    GROUP_CREATE = "group_create"  # administrators and clinicians of the clinic
    GROUP = "group"  # who sees the group: its clinic's administrators and supervisors, who runs
    # it, clinicians with a member on their care team
    GROUP_MANAGE = "group_manage"  # the clinic's administrators, clinicians who run the group
    GROUP_RUN = "group_run"  # who runs the group (facilitator, co-facilitator), administrators
    # A session's printed guide and sheet: who runs the group, the clinic's administrators and
    # supervisors (not a clinician who reaches it only through a member).
    GROUP_PAPER = "group_paper"
    GROUP_READ_RUN = "group_read_run"  # GET: GROUP; POST: GROUP_RUN (a group session's record)
    CLINIC_REPORT = "clinic_report"  # the clinic's administrators and supervisors (ADR 0058)
    NOBODY = "nobody"  # a page a library offers that Gentle closes: 404 for everyone


@dataclass(frozen=True)
class Rule:
    access: str
    methods: tuple[str, ...]


RULES: dict[str, Rule] = {}


def route(
    pattern: str,
    view: Callable[..., HttpResponseBase],
    *,
    name: str,
    access: str,
    methods: tuple[str, ...] = ("GET",),
) -> URLPattern:
    RULES[name] = Rule(access, methods)
    return path(pattern, view, name=name)


def declare(pattern: URLPattern, *, access: str, methods: tuple[str, ...]) -> URLPattern:
    """Declare the rule of a route built elsewhere (the API's, made by django-ninja)."""
    assert pattern.name, "a declared route needs a name"
    RULES[pattern.name] = Rule(access, methods)
    return pattern


def url_of(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for many ids: the URL is reversed once, with a marker. A
    list's rows each reversing their links in the template took a good part of the page's time
    (the caseload's 50 rows, the home's lists; issue 20)."""
    marker = 987654321987
    before, after = reverse(name, args=[marker]).split(str(marker))
    return lambda pk: f"{before}{pk}{after}"
