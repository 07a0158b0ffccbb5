"""Raising, acknowledging and escalating alerts; editing the crisis text. Each audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from gentle.accounts.models import Role
from gentle.audit.log import record
from gentle.safety import risk, severity
from gentle.safety.models import Alert, CrisisText

FREE_TEXT_RULE_ID = "free_text_self"
EXCERPTS_KEPT = 5


def alert_raise(
    *,
    client,
    source: str,
    source_id,
    rule_id: str,
    severity: str,
    reason: str,
    request=None,
    actor=None,
    excerpt: str = "",
) -> Alert | None:
    """Raise an alert for the care team (once per source and rule). Must run inside the
    transaction that stores what triggered it."""
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                client=client,
                source=source,
                source_id=str(source_id),
                rule_id=rule_id,
                severity=severity,
                reason=reason[:200],
                excerpt=excerpt,
            )
    except IntegrityError:
        return None
    record(
        "alert.raise",
        request=request,
        actor=actor,
        clinic_id=client.clinic_id,
        client_id=client.pk,
        object_type="alert",
        object_id=alert.pk,
        detail=f"severity={severity} rule={rule_id}"[:200],
    )
    return alert


@dataclass(frozen=True)
class Heard:
    """What the safety path made of a client's words: the scanner's level and, for the
    writer's own risk, the alert raised (None if this source had one already)."""

    level: str
    alert: Alert | None = None

    @property
    def crisis(self) -> bool:
        """Show the clinic's crisis text in the same response."""
        return self.level == "self"


def text_hear(
    *,
    client,
    text: str,
    source: str,
    source_id,
    request=None,
    actor=None,
    language: str | None = None,
) -> Heard:
    """The one safety path for words a client or visitor types (every free-text form calls
    it, inside the transaction that saves the words). The writer's own risk ('self') raises
    one alert per source with the words around each phrase; someone else's suicide, the topic
    or a past event told as history ('mention') raises nothing: a client grieving a suicide
    must be able to write about it. The caller shows the crisis text when ``crisis``."""
    result = risk.scan(text or "", language)
    if result.level != "self":
        return Heard(result.level)
    own = [
        (rule_id, words) for rule_id, words in result.matches if risk.match_level(rule_id) == "self"
    ]
    # Free text never sets the level of risk (an assessment does): the severity table says
    # which sign each category of words is, and so what it raises (docs/severity.md).
    table = severity.table()
    raised = {
        table.severity(table.free_text_sign(risk.match_category(rule_id))) for rule_id, _ in own
    }
    worst = max(raised, key=severity.SEVERITIES.index)
    excerpt = "\n".join(dict.fromkeys(words for _, words in own[:EXCERPTS_KEPT]))
    alert = alert_raise(
        client=client,
        source=source,
        source_id=source_id,
        rule_id=FREE_TEXT_RULE_ID,
        severity=worst,
        reason="Risk words in the client's own writing",
        request=request,
        actor=actor,
        excerpt=excerpt,
    )
    return Heard(result.level, alert)


def alert_acknowledge(*, by, request, alert: Alert, action: str, note: str) -> bool:
    with transaction.atomic():
        changed = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=by, action=action, action_note=note
        )
        if changed:
            record(
                "alert.acknowledge",
                actor=by,
                request=request,
                role=Role.CLINICIAN,
                clinic_id=alert.client.clinic_id,
                client_id=alert.client_id,
                object_type="alert",
                object_id=alert.pk,
                detail=f"action={action}",
            )
    return bool(changed)


def alerts_escalate(now=None) -> int:
    """Flag open alerts older than GENTLE_ALERT_ESCALATE_HOURS for the supervisors."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.GENTLE_ALERT_ESCALATE_HOURS)
    count = 0
    with transaction.atomic():
        due = list(
            Alert.objects.select_for_update()
            .select_related("client")
            .filter(acknowledged_at__isnull=True, escalated_at__isnull=True, raised_at__lte=cutoff)
        )
        for alert in due:
            Alert.objects.filter(pk=alert.pk).update(escalated_at=now)
            record(
                "alert.escalate",
                actor_label="gentle worker",
                clinic_id=alert.client.clinic_id,
                client_id=alert.client_id,
                object_type="alert",
                object_id=alert.pk,
                detail=f"severity={alert.severity}",
            )
            count += 1
    return count


def crisis_text_save(*, by, request, clinic, language: str, text: str) -> CrisisText:
    with transaction.atomic():
        crisis, _ = CrisisText.objects.update_or_create(
            clinic=clinic, language=language, defaults={"text": text, "updated_at": timezone.now()}
        )
        record(
            "crisis_text.update",
            actor=by,
            request=request,
            role=Role.ADMIN,
            clinic_id=clinic.pk,
            object_type="crisis_text",
            object_id=crisis.pk,
            detail=f"language={language}",
        )
    return crisis
