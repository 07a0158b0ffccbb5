"""Demo client records and care teams (fictional, generated names)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from gentle.accounts import actions as account_actions
from gentle.accounts.models import Role
from gentle.clients import actions
from gentle.clients.models import BreakGlassGrant, Client

GIVEN = [
    "Alma",
    "Beto",
    "Cleo",
    "Dario",
    "Esme",
    "Fabian",
    "Gala",
    "Hugo",
    "Iris",
    "Joel",
    "Kira",
    "Leon",
    "Mara",
    "Nico",
    "Olga",
    "Pablo",
    "Rhea",
    "Silas",
    "Tova",
    "Uriel",
]
FAMILY = [
    "Abernethy",
    "Bellweather",
    "Cordova",
    "Delacroix",
    "Esterhaus",
    "Finch",
    "Goodall",
    "Holloway",
    "Ibarra",
    "Juniper",
    "Kowalczyk",
    "Larkspur",
    "Montoya",
    "Nightingale",
    "Oyelaran",
    "Pemberton",
    "Quintero",
    "Rosales",
    "Sandoval",
    "Thornbury",
]


def seed(rng, context: dict) -> None:
    clinic, users = context["clinic"], context["users"]
    admin = users["admin"]
    clinicians = [users["clinician"], users["clinician2"], users["clinician3"]]
    supervisor = users["supervisor"]
    account_actions.supervisors_set(
        by=admin,
        clinic=clinic,
        clinician=users["clinician"],
        supervisors=[supervisor],
    )
    account_actions.supervisors_set(
        by=admin,
        clinic=clinic,
        clinician=users["clinician2"],
        supervisors=[supervisor],
    )
    names = rng.sample([(g, f) for g in GIVEN for f in FAMILY], 14)
    clients = []
    for index, (given, family) in enumerate(names):
        client = actions.client_create(
            by=admin,
            clinic=clinic,
            given_name=given,
            family_name=family,
            preferred_name=given[:3] if index % 5 == 0 else "",
        )
        owner = clinicians[0] if index < 6 else clinicians[1 + index % 2]
        actions.care_team_set(
            by=admin,
            client=client,
            clinicians=[owner],
            supervisor=supervisor if index % 4 == 0 else None,
        )
        clients.append(client)
    # The demo client login belongs to the first of the demo clinician's clients (kept in the
    # list as linked: later seeds act as that client's login).
    clients[0] = actions.client_link_user(
        client_id=clients[0].pk, clinic=clinic, user=users["client"]
    )
    # The portal login and the record are the same (fictional) person.
    users["client"].display_name = clients[0].full_name
    users["client"].save(update_fields=["display_name"])
    # One emergency access from last week, waiting for the administrator's review.
    grant = actions.break_glass_open(
        by=users["clinician"],
        client=clients[9],
        reason="Client called the front desk in distress while their clinician was on leave.",
    )
    BreakGlassGrant.objects.filter(pk=grant.pk).update(
        granted_at=timezone.now() - timedelta(days=6),
        expires_at=timezone.now() - timedelta(days=6) + timedelta(hours=1),
    )
    account_actions.invitation_create(
        by=admin,
        clinic=clinic,
        email="new.colleague@demo.gentle.test",
        role=Role.CLINICIAN,
    )
    context["clients"] = clients
    context.setdefault("counts", {}).update(clients=len(clients))


def remove(clinic_slug: str) -> None:
    Client.objects.filter(clinic__slug=clinic_slug).delete()
