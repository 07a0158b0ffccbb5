"""The shared test world: a clinic with its people and one client, and a second clinic.

Hillside Practice (``clinic``)
  admin           its administrator
  alice           clinician on Amara's care team
  sue             supervisor on Amara's care team (reads, does not write)
  bob             clinician of the clinic, not on Amara's care team
  portal          Amara's own login to the client portal
  amara           the client, Amara Example
Riverside Practice (``other``)
  far_clinician   clinician on Farrokh's care team
  far_portal      Farrokh's portal login
  far_client      Farrokh Example

The fixture ``world`` (tests/conftest.py) builds it for each test. A test file that needs more
declares its own ``world`` fixture taking this one and adds to it there, as pytest passes the
outer fixture of the same name.
"""

from __future__ import annotations

from dataclasses import dataclass

from gentle.accounts.models import Clinic, Role, User
from gentle.clients.models import Client
from tests.factories import make_client, make_clinic, make_person, supervise


@dataclass
class World:
    clinic: Clinic
    other: Clinic
    admin: User
    alice: User
    sue: User
    bob: User
    portal: User
    amara: Client
    far_clinician: User
    far_portal: User
    far_client: Client


def build_world() -> World:
    clinic, other = make_clinic("Hillside Practice"), make_clinic("Riverside Practice")
    alice, sue = make_person(clinic, Role.CLINICIAN), make_person(clinic, Role.SUPERVISOR)
    portal = make_person(clinic, Role.CLIENT)
    far_clinician, far_portal = make_person(other, Role.CLINICIAN), make_person(other, Role.CLIENT)
    return World(
        clinic=clinic,
        other=other,
        admin=make_person(clinic, Role.ADMIN),
        alice=alice,
        sue=sue,
        bob=make_person(clinic, Role.CLINICIAN),
        portal=portal,
        amara=make_client(
            clinic, clinicians=[alice], supervisor=sue, user=portal, given_name="Amara"
        ),
        far_clinician=far_clinician,
        far_portal=far_portal,
        far_client=make_client(
            other, clinicians=[far_clinician], user=far_portal, given_name="Farrokh"
        ),
    )


def sue_supervises_alice(world: World) -> World:
    """Sue supervises Alice instead of sitting on Amara's care team: she reads Amara's record
    through that supervision."""
    world.amara.care_team.filter(user=world.sue).delete()
    supervise(world.clinic, world.sue, world.alice)
    return world


def another_client(world: World, given_name: str, *, portal: bool = False) -> Client:
    """Another client of Alice's in the clinic, with a portal login of their own if asked."""
    login = make_person(world.clinic, Role.CLIENT) if portal else None
    return make_client(world.clinic, clinicians=[world.alice], user=login, given_name=given_name)
