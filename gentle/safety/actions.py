"""Raising, acknowledging and escalating alerts; editing the crisis text. Each audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from gentle.accounts.models import Role
from gentle.audit.log import record
from gentle.clients.models import Client
from gentle.safety import risk, selectors, severity
from gentle.safety.models import (
    Alert,
    ContactAttempt,
    CrisisText,
    PlanAuthor,
    SafetyPlanVersion,
    Severity,
)

FREE_TEXT_RULE_ID = "free_text_self"
EXCERPTS_KEPT = 5
CONTEXT_CHARS = 80  # of the client's words each side of a risk phrase, on the alert


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
    excerpt = "\n".join(
        dict.fromkeys(_words_around(text, words) for _, words in own[:EXCERPTS_KEPT])
    )
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


class NoteRequired(ValueError):
    """A high alert is closed only with a note of what was done."""


def _words_around(text: str, phrase: str, reach: int = CONTEXT_CHARS) -> str:
    """The client's words around a phrase the scanner reported (it is a slice of the text),
    widened to whole words up to ``reach`` characters each side, with … where it was cut."""
    start = text.find(phrase.rstrip("…"))
    if start < 0:
        return phrase
    end = start + len(phrase.rstrip("…"))
    left = max(0, start - reach)
    right = min(len(text), end + reach)
    if left > 0:
        left = text.find(" ", left, start) + 1 or start
    if right < len(text):
        cut = text.rfind(" ", end, right)
        right = cut if cut > 0 else end
    words = " ".join(text[left:right].split())
    return ("…" if left > 0 else "") + words + ("…" if right < len(text) else "")


def alert_acknowledge(
    *, by, request, alert: Alert, action: str, note: str, role: str = Role.CLINICIAN
) -> bool:
    """Close an open alert with what was done (a high alert also with a note). Returns False
    when it was closed already (nothing changes)."""
    if alert.severity == Severity.HIGH and not note.strip():
        raise NoteRequired
    with transaction.atomic():
        changed = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=by, action=action, action_note=note
        )
        if changed:
            record(
                "alert.acknowledge",
                actor=by,
                request=request,
                role=role,
                clinic_id=alert.client.clinic_id,
                client_id=alert.client_id,
                object_type="alert",
                object_id=alert.pk,
                detail=f"action={action}",
            )
    return bool(changed)


def contact_attempt_add(
    *, by, request, alert: Alert, made_at, outcome: str, note: str, role: str
) -> ContactAttempt:
    """Log one attempt to reach the client about an alert (open or closed: a follow-up call
    after closing belongs in the log too). The note stays out of the audit row."""
    with transaction.atomic():
        attempt = ContactAttempt.objects.create(
            alert=alert, made_at=made_at, made_by=by, outcome=outcome, note=note
        )
        record(
            "alert.contact_attempt",
            actor=by,
            request=request,
            role=role,
            clinic_id=alert.client.clinic_id,
            client_id=alert.client_id,
            object_type="alert",
            object_id=alert.pk,
            detail=f"attempt={attempt.pk} outcome={outcome}",
        )
    return attempt


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


class PlanConflict(Exception):
    """Someone saved the plan after this form was opened: nothing was saved."""


def safety_plan_save(
    *, by, request, client, sections: dict[str, str], based_on: int, role: str
) -> tuple[SafetyPlanVersion | None, Heard]:
    """Save a new version of the client's safety plan, keeping every earlier one. ``based_on``
    is the version number the writer started from (0 for none): if another save came first,
    PlanConflict and nothing is saved. An unchanged plan adds no version (returns None). What a
    client writes goes through ``text_hear`` in the same transaction (the sections they changed:
    words already heard in an earlier version do not raise a new alert at every save), and the
    caller shows the crisis response when ``heard.crisis``."""
    with transaction.atomic():
        # The client row is the lock that orders two saves of the same plan.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        current = SafetyPlanVersion.objects.filter(client=client).first()
        if (current.number if current else 0) != based_on:
            raise PlanConflict
        cleaned = {key: text for key, text in sections.items() if text.strip()}
        if current is not None and current.sections == cleaned:
            return None, Heard("none")
        version = SafetyPlanVersion.objects.create(
            client=client,
            number=based_on + 1,
            sections=cleaned,
            sections_version=selectors.plan_sections_version(),
            saved_by=by,
            saved_as=PlanAuthor.CLIENT if role == Role.CLIENT else PlanAuthor.CLINICIAN,
        )
        record(
            "safety_plan.save",
            actor=by,
            request=request,
            role=role,
            clinic_id=client.clinic_id,
            client_id=client.pk,
            object_type="safety_plan",
            object_id=client.pk,
            detail=f"version={version.number} sections={len(cleaned)}",
        )
        before = current.sections if current else {}
        changed = [text for key, text in cleaned.items() if before.get(key) != text]
        heard = Heard("none")
        if role == Role.CLIENT and changed:
            heard = text_hear(
                client=client,
                text="\n\n".join(changed),
                source="safety_plan",
                source_id=f"{client.pk}:{version.number}",
                request=request,
                actor=by,
            )
    return version, heard
