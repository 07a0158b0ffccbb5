"""Open safety alerts as FHIR R4 Flags (docs/fhir.md "Export", ADR 0061), for a batch of
clients in one query. An acknowledged alert is history, not a warning, and is not written; the
alert's excerpt (the words that raised it) is not written either."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from gentle.clients.models import Client
from gentle.lib.fhir import Resource, compact, concept, gentle_code, instant, ref
from gentle.safety.models import Alert, Severity

FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"


def resources(clients: Sequence[Client]) -> Iterator[Resource]:
    alerts = (
        Alert.objects.filter(client__in=list(clients), acknowledged_at__isnull=True)
        .only("pk", "client_id", "severity", "reason", "raised_at")
        .order_by("client_id", "raised_at", "pk")
    )
    severities = dict(Severity.choices)
    for alert in alerts:
        severity = str(severities.get(alert.severity, alert.severity))
        yield compact(
            {
                "resourceType": "Flag",
                "id": str(alert.pk),
                "status": "active",
                "category": [concept("Safety", (FLAG_CATEGORY, "safety", "Safety"))],
                "code": concept(
                    f"Safety alert ({severity.lower()}): {alert.reason}",
                    gentle_code("alert-severity", alert.severity, severity),
                ),
                "subject": ref("Patient", alert.client_id),
                "period": {"start": instant(alert.raised_at)},
            }
        )
