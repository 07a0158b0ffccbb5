"""A client's record as FHIR R4 resources, composed from the apps that keep it (docs/fhir.md
"Export", docs/adr/0061-fhir-export.md).

Each app writes its own resources in its ``fhir_export.py`` for a batch of clients with a fixed
number of queries; ``CONTRIBUTORS`` lists them once, as ``gentle.portal.record`` lists the
record copy's sections (ADR 0020). This module knows no app's models. Process notes are never
written: no contributor reads them (tests/test_fhir_export.py checks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.utils import timezone, translation

from gentle.accounts import fhir_export as accounts_fhir
from gentle.clients import fhir_export as clients_fhir
from gentle.courses import fhir_export as courses_fhir
from gentle.formulation import fhir_export as formulation_fhir
from gentle.lib.fhir import Resource, bundle, references
from gentle.measures import fhir_export as measures_fhir
from gentle.safety import fhir_export as safety_fhir

#: The apps' writers in the order a Bundle reads: who, then the courses, then what was measured,
#: agreed and flagged.
CONTRIBUTORS: tuple[Callable[[Sequence[Any]], Iterable[Resource]], ...] = (
    clients_fhir.resources,
    courses_fhir.resources,
    measures_fhir.resources,
    formulation_fhir.resources,
    safety_fhir.resources,
)

#: FHIR's codes and texts are written in English, whatever the reader's language.
LANGUAGE = "en"


def client_resources(clients: Sequence[Any]) -> list[Resource]:
    """Every resource of these clients' records (not the staff's), with a fixed number of
    queries for the batch."""
    with translation.override(LANGUAGE):
        return [resource for write in CONTRIBUTORS for resource in write(clients)]


def practitioner_ids(resources: Iterable[Resource]) -> set[int]:
    """The staff members the resources refer to."""
    return {
        int(reference.split("/", 1)[1])
        for resource in resources
        for reference in references(resource)
        if reference.startswith("Practitioner/")
    }


def staff_resources(clinic: Any, user_ids: Iterable[int]) -> list[Resource]:
    """The clinic's Organization, and a Practitioner and their PractitionerRoles for each of
    these staff members."""
    with translation.override(LANGUAGE):
        return list(accounts_fhir.staff_resources(clinic, set(user_ids)))


def client_bundle(client: Any) -> Resource:
    """The client's record as a FHIR R4 ``collection`` Bundle: the Patient first, then the
    clinic and the staff named in the record, then the rest; every reference resolves inside
    the Bundle."""
    resources = client_resources([client])
    staff = staff_resources(client.clinic, practitioner_ids(resources))
    return bundle(
        [resources[0], *staff, *resources[1:]],
        scope=client.clinic.slug,
        timestamp=timezone.now(),
    )
