"""Small factories for test data. Names are generated and fictional."""

from __future__ import annotations

import itertools

from gentle.accounts.models import Clinic, Membership, Role, User

_counter = itertools.count(1)


def make_clinic(name: str | None = None) -> Clinic:
    n = next(_counter)
    return Clinic.objects.create(name=name or f"Test Clinic {n}", slug=f"test-clinic-{n}")


def make_person(clinic: Clinic | None = None, *roles: str, password: str | None = None) -> User:
    n = next(_counter)
    user = User.objects.create_user(
        email=f"person{n}@example.test", password=password, display_name=f"Person {n}"
    )
    for role in roles or (Role.CLINICIAN,):
        Membership.objects.create(user=user, clinic=clinic or make_clinic(), role=role)
    return user
