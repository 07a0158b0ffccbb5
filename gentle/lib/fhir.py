"""Small helpers for the FHIR R4 export (docs/fhir.md, docs/adr/0061): references, codings,
instants, and the Bundle a client's resources are gathered in.

Each app that keeps part of a client's record writes its own resources in its
``fhir_export.py`` (plain dicts, R4 shapes) for a batch of clients with a fixed number of
queries; ``gentle.interop.records`` lists them once and gathers them. This module knows no
Gentle model. Resource ids are the database ids, so one resource has one id wherever it is
written (a Bundle, a bulk NDJSON file) and references are ``"Type/id"``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

Resource = dict[str, Any]

LOINC = "http://loinc.org"
# Gentle's own code systems and identifiers, under the project's documentation address (they
# name Gentle's codes; nothing is served there).
GENTLE = "https://gentle.invalid/fhir"
# The namespace of a Bundle's urn:uuid entry addresses: one resource has one uuid.
_NAMESPACE = uuid.UUID("6b1d6c2e-5a7e-4c1b-9d4f-2f6a0e8b1c61")


def ref(resource_type: str, pk: object, display: str = "") -> dict[str, str]:
    """A reference to another resource of the same export."""
    reference = {"reference": f"{resource_type}/{pk}"}
    if display:
        reference["display"] = display
    return reference


def concept(text: str, *codings: tuple[str, str, str]) -> dict[str, Any]:
    """A CodeableConcept: ``codings`` are (system, code, display); empty codes are left out."""
    value: dict[str, Any] = {"text": text} if text else {}
    coded = [
        {"system": system, "code": code, **({"display": display} if display else {})}
        for system, code, display in codings
        if code
    ]
    if coded:
        value["coding"] = coded
    return value


def gentle_code(kind: str, code: str, display: str = "") -> tuple[str, str, str]:
    """A coding in one of Gentle's own code systems (e.g. ``ipt-focus``)."""
    return (f"{GENTLE}/CodeSystem/{kind}", code, display)


def instant(value: datetime | date | None) -> str | None:
    """A FHIR dateTime/instant (aware datetimes keep their offset) or date."""
    if value is None:
        return None
    return value.isoformat()


def compact(resource: Resource) -> Resource:
    """The resource without empty values (FHIR forbids empty strings, lists and objects)."""
    cleaned: Resource = {}
    for key, value in resource.items():
        if isinstance(value, dict):
            value = compact(value)
        elif isinstance(value, list):
            value = [compact(v) if isinstance(v, dict) else v for v in value]
            value = [v for v in value if v not in ("", None, {}, [])]
        if value in ("", None, {}, []):
            continue
        cleaned[key] = value
    return cleaned


def references(value: Any) -> Iterator[str]:
    """Every ``reference`` string inside a resource."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def entry_address(reference: str, scope: str) -> str:
    """The urn:uuid a resource has in a Bundle: stable for one resource of one clinic."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{scope}/{reference}')}"


def _rewrite(value: Any, addresses: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {
            key: (
                addresses.get(item, item)
                if key == "reference" and isinstance(item, str)
                else _rewrite(item, addresses)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_rewrite(item, addresses) for item in value]
    return value


def bundle(resources: Iterable[Resource], *, scope: str, timestamp: datetime) -> Resource:
    """A ``collection`` Bundle of the resources: each entry has a urn:uuid address and every
    reference to a resource in the Bundle is rewritten to that address, so the Bundle reads on
    its own (a reference to a resource left out keeps its "Type/id")."""
    resources = list(resources)
    addresses = {
        f"{r['resourceType']}/{r['id']}": entry_address(f"{r['resourceType']}/{r['id']}", scope)
        for r in resources
    }
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(_NAMESPACE, f"{scope}/Bundle/{timestamp.isoformat()}")),
        "type": "collection",
        "timestamp": timestamp.isoformat(),
        "entry": [
            {
                "fullUrl": addresses[f"{r['resourceType']}/{r['id']}"],
                "resource": _rewrite(r, addresses),
            }
            for r in resources
        ],
    }
