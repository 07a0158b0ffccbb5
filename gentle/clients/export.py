"""The client's details, clinic, consents, care team and who opened the record, as sections of
the client's copy of their record (docs/record-export.md, gentle/lib/record_sections.py)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Max, Min
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from gentle.accounts.models import Clinic, User
from gentle.accounts.selectors import role_label
from gentle.audit.models import AuditEvent
from gentle.clients.actions import DETAIL_FIELDS
from gentle.clients.models import CareTeamMember, Client, Consent, ConsentKind, TeamRole
from gentle.lib.record_sections import Row, Section, as_date, display_name, fields, json_safe

AUTOMATIC = gettext_lazy("Gentle (automatic)")

CLIENT_FIELDS = ("id", *DETAIL_FIELDS, "created_at")


def _client(client: Client) -> Row:
    """The client's own details (not their login)."""
    return fields(client, CLIENT_FIELDS)


def _clinic(client: Client) -> Row:
    """The clinic that keeps the record."""
    name = Clinic.objects.filter(pk=client.clinic_id).values_list("name", flat=True).first()
    return {"name": name or ""}


def _consents(client: Client) -> list[Row]:
    """Consents given, and withdrawn if they were."""
    rows = Consent.objects.filter(client=client)
    return [fields(c, ("kind", "given_on", "withdrawn_on")) for c in rows]


def _care_team(client: Client) -> list[Row]:
    """Who is in the care team, by name and role (no email addresses)."""
    rows = CareTeamMember.objects.filter(client=client).select_related("user").order_by("pk")
    return [
        {"name": display_name(m.user), "role": m.role, "added_at": json_safe(m.added_at)}
        for m in rows
    ]


def opened_summary(client: Client) -> list[Row]:
    """Who opened or changed the record, from the audit log: one row per label and role with
    how many times, first and last (most recent last time first). Never IP addresses; events
    about process notes are left out, as they are not part of the record."""
    rows = list(
        AuditEvent.objects.filter(client_id=client.pk, clinic_id=client.clinic_id)
        .exclude(object_type="process_note")
        .values("actor_id", "actor_label", "role")
        .annotate(times=Count("pk"), first=Min("at"), last=Max("at"))
        .order_by("-last", "actor_label", "role")
    )
    # People by their display name, never their sign-in email address.
    names = dict(
        User.objects.filter(pk__in={r["actor_id"] for r in rows if r["actor_id"]}).values_list(
            "pk", "display_name"
        )
    )
    return [
        {
            "who": names.get(r["actor_id"], "") if r["actor_id"] else str(AUTOMATIC),
            "role": r["role"],
            "times": r["times"],
            "first": json_safe(r["first"]),
            "last": json_safe(r["last"]),
        }
        for r in rows
    ]


def readable_opened(rows: list[Row]) -> list[Row]:
    """The rows of opened_summary as a person reads them: each role by its name (the JSON
    keeps the code, and "" for a row recorded without one, which read as a blank), and the
    first and last times as dates."""
    automatic = set()
    for code, _name in settings.LANGUAGES:  # the copy may have been built in another language
        with translation.override(code):
            automatic.add(str(AUTOMATIC))
    return [
        row
        | {
            "role": gettext("Automatic")
            if not row["role"] and row["who"] in automatic
            else role_label(row["role"]),
            "first": as_date(row["first"]),
            "last": as_date(row["last"]),
        }
        for row in rows
    ]


def _template(key: str) -> str:
    return f"clients/record_copy/{key}.html"


CLIENT = Section(
    key="client",
    title=gettext_lazy("My details"),
    build=_client,
    template=_template("client"),
    dates=frozenset({"date_of_birth", "created_at"}),
)
CLINIC = Section(key="clinic", build=_clinic)  # its name is in the readable page's header
CONSENTS = Section(
    key="consents",
    title=gettext_lazy("Consents"),
    build=_consents,
    template=_template("consents"),
    dates=frozenset({"given_on", "withdrawn_on"}),
    labels={"": {"kind": ConsentKind}},
)
CARE_TEAM = Section(
    key="care_team",
    title=gettext_lazy("Care team"),
    build=_care_team,
    template=_template("care_team"),
    anchor="care-team",
    dates=frozenset({"added_at"}),
    labels={"": {"role": TeamRole}},
)
ACCESS_SUMMARY = Section(
    key="access_summary",
    title=gettext_lazy("Who opened my record"),
    build=opened_summary,
    template=_template("access_summary"),
    anchor="access",
    prepare=readable_opened,
)

SECTIONS = (CLIENT, CLINIC, CONSENTS, CARE_TEAM, ACCESS_SUMMARY)
