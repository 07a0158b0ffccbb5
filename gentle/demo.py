"""The demo: fictional people and clinical content, generated deterministically.

Each app owns its demo content in its own ``demo.py`` with a ``seed(rng, context)`` function;
``DEMO_STEPS`` calls them in dependency order, passing what earlier steps created.
"""

from __future__ import annotations

import random

from django.conf import settings
from django.db import transaction

from gentle import watch
from gentle.accounts import demo as accounts_demo
from gentle.accounts.models import Role
from gentle.clients import demo as clients_demo
from gentle.communication import demo as communication_demo
from gentle.courses import demo as courses_demo
from gentle.fidelity import demo as fidelity_demo
from gentle.formulation import demo as formulation_demo
from gentle.grief import demo as grief_demo
from gentle.groups import demo as groups_demo
from gentle.groups import demo_programme as groups_programme_demo
from gentle.intake import demo as intake_demo
from gentle.inventory import demo as inventory_demo
from gentle.measures import demo as measures_demo
from gentle.portal import demo as portal_demo
from gentle.roleplay import demo as roleplay_demo
from gentle.safety import demo as safety_demo
from gentle.timeline import demo as timeline_demo

DEMO_DOMAIN = "demo.gentle.test"
DEMO_PASSWORD = "gentle-demo"  # noqa: S105 - documented demo password, refused in production
DEMO_LOGINS = (
    (f"admin@{DEMO_DOMAIN}", Role.ADMIN),
    (f"clinician@{DEMO_DOMAIN}", Role.CLINICIAN),
    (f"supervisor@{DEMO_DOMAIN}", Role.SUPERVISOR),
    (f"client@{DEMO_DOMAIN}", Role.CLIENT),
    (f"facilitator@{DEMO_DOMAIN}", Role.FACILITATOR),
)


def _watch(rng: random.Random, context: dict) -> None:
    """What `gentle worker` does every 5 minutes (ADR 0064), so that the supervisor's home
    lists the demo's courses at once."""
    watch.refresh(clinic=context["clinic"])


DEMO_STEPS = (
    accounts_demo.seed,
    clients_demo.seed,
    courses_demo.seed,
    measures_demo.seed,
    inventory_demo.seed,
    timeline_demo.seed,
    formulation_demo.seed,
    grief_demo.seed,
    communication_demo.seed,
    roleplay_demo.seed,
    portal_demo.seed,
    safety_demo.seed,
    intake_demo.seed,
    groups_demo.seed,  # late: its new clients leave the earlier steps' generated names alone
    groups_programme_demo.seed,  # last season's finished group, for the programme view
    # The group members' problem areas, named at their pre-group sessions, written up.
    formulation_demo.seed_group_courses,
    measures_demo.seed_results,  # every finished course's outcome, for the clinic report
    fidelity_demo.seed,  # every held session of the demo is in place to be rated
    _watch,  # last: what the supervisor's home says of the current courses, as the worker does
)


def demo_is_seeded() -> bool:
    return accounts_demo.is_seeded()


def seed_demo(*, seed: int = 20261126, reset: bool = False) -> str:
    """Create the demo data in one transaction; returns a one-line summary."""
    if not settings.DEMO:
        raise RuntimeError("demo data may only be loaded when GENTLE_ENV=demo")
    rng = random.Random(seed)
    with transaction.atomic():
        if reset:
            groups_demo.remove(accounts_demo.DEMO_CLINIC_SLUG)
            intake_demo.remove(accounts_demo.DEMO_CLINIC_SLUG)
            safety_demo.remove(accounts_demo.DEMO_CLINIC_SLUG)
            portal_demo.remove(accounts_demo.DEMO_CLINIC_SLUG)
            roleplay_demo.remove(accounts_demo.DEMO_CLINIC_SLUG)
            communication_demo.remove(accounts_demo.DEMO_CLINIC_SLUG)
            grief_demo.remove(accounts_demo.DEMO_CLINIC_SLUG)
            formulation_demo.remove(accounts_demo.DEMO_CLINIC_SLUG)
            timeline_demo.remove(accounts_demo.DEMO_CLINIC_SLUG)
            inventory_demo.remove(accounts_demo.DEMO_CLINIC_SLUG)
            measures_demo.remove(accounts_demo.DEMO_CLINIC_SLUG)
            fidelity_demo.remove(accounts_demo.DEMO_CLINIC_SLUG)
            courses_demo.remove(accounts_demo.DEMO_CLINIC_SLUG)
            clients_demo.remove(accounts_demo.DEMO_CLINIC_SLUG)
            accounts_demo.remove()
        elif demo_is_seeded():
            return "already present"
        context: dict = {"domain": DEMO_DOMAIN, "password": DEMO_PASSWORD}
        for step in DEMO_STEPS:
            step(rng, context)
    return ", ".join(f"{key}={value}" for key, value in sorted(context.get("counts", {}).items()))
