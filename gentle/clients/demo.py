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
    context["adolescent"] = _adolescent(admin, clinic, clinicians[0], names)
    context.setdefault("counts", {}).update(clients=len(clients) + 1)


def _adolescent(admin, clinic, clinician, taken: list[tuple[str, str]]) -> Client:
    """The young person of the IPT-A course (docs/adolescents.md): a generated name none of the
    others has, about 15 years old, on the demo clinician's caseload. Chosen without the shared
    random generator, so that the other clients' stories stay as they were."""
    given_taken, family_taken = {g for g, _f in taken}, {f for _g, f in taken}
    given = next(g for g in reversed(GIVEN) if g not in given_taken)
    family = next(f for f in reversed(FAMILY) if f not in family_taken)
    client = actions.client_create(by=admin, clinic=clinic, given_name=given, family_name=family)
    actions.care_team_set(by=admin, client=client, clinicians=[clinician], supervisor=None)
    today = timezone.localdate()
    client.date_of_birth = today - timedelta(days=5650)  # 15 years and about 6 months
    client.pronouns = "they/them"
    client.save(update_fields=["date_of_birth", "pronouns"])
    return client


def remove(clinic_slug: str) -> None:
    Client.objects.filter(clinic__slug=clinic_slug).delete()
