"""Raising, acknowledging and escalating alerts and telling people about them; editing the
crisis text and the safety lead. Each audited."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from gentle.accounts.models import Clinic, Role, User
from gentle.audit import context as audit_context
from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.clients.models import Client
from gentle.lib.delays import Delay
from gentle.lib.siteurl import absolute_url
from gentle.notify.actions import mail_queue
from gentle.notify.models import Purpose
from gentle.safety import printing, risk, selectors, severity
from gentle.safety.models import (
    Alert,
    ContactAttempt,
    CrisisText,
    PlanAuthor,
    SafetyPlanVersion,
    SafetySettings,
    Severity,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger("gentle.safety")

FREE_TEXT_RULE_ID = "free_text_self"
EXCERPTS_KEPT = 5
CONTEXT_CHARS = 80  # of the client's words each side of a risk phrase, on the alert


def alert_raise(
    *,
    client: Client,
    source: str,
    source_id: object,
    rule_id: str,
    severity: str,
    reason: str,
    actor: User | None = None,
    excerpt: str = "",
) -> Alert | None:
    """Raise an alert for the care team (once per source and rule) and queue a message to each
    clinician on the care team (to the safety lead when the team has none). Must run inside the
    transaction that stores what triggered it: the alert and its messages commit together, and
    the worker sends them once it has."""
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
        Action.ALERT_RAISE,
        actor=actor,
        clinic_id=client.clinic_id,
        client_id=client.pk,
        object_type="alert",
        object_id=alert.pk,
        detail=f"severity={severity} rule={rule_id}"[:200],
    )
    people = selectors.care_team_clinicians(client)
    if not people:
        lead = selectors.safety_lead(client.clinic_id)
        people = [lead] if lead else []
    _notify(alert, people, stage=RAISED, actor=actor)
    return alert


RAISED, ESCALATED = "raised", "escalated"


def _notify(
    alert: Alert,
    people: Sequence[User],
    *,
    stage: str,
    actor: User | None = None,
) -> None:
    """Queue one message per person through the outbox (gentle.notify), in the caller's
    transaction. The message says the severity and links to the alert, nothing else: no name,
    no answers, no words of the client; mail leaves the clinic's systems. An
    ``alert.notify`` audit row names the stage and how many were told."""
    link = absolute_url(reverse("alert_detail", args=[alert.pk]))
    clinic_name = alert.client.clinic.name
    with override(settings.LANGUAGE_CODE):
        severity = Severity(alert.severity).label
        if stage == RAISED:
            subject = _("%(severity)s safety alert") % {"severity": severity}
            opening = _(
                "A safety alert (severity: %(severity)s) was raised for a client on your care team."
            ) % {"severity": severity}
        else:
            subject = _("Escalated: %(severity)s safety alert") % {"severity": severity}
            opening = _(
                "A safety alert (severity: %(severity)s) has not been acknowledged in time and "
                "is escalated to you."
            ) % {"severity": severity}
        body = "\n\n".join(
            [
                opening,
                _("Open it in Gentle:") + "\n" + link,
                _("This message holds no clinical detail on purpose; sign in to see the alert."),
            ]
        )
    for person in people:
        mail_queue(
            to=person.email,
            subject=f"[{clinic_name}] {subject}",
            body=body + "\n",
            purpose=Purpose.SAFETY_ALERT,
            clinic_id=alert.client.clinic_id,
            by=actor,
        )
    record(
        Action.ALERT_NOTIFY,
        actor=actor,
        actor_label="" if actor or audit_context.current() else "gentle worker",
        clinic_id=alert.client.clinic_id,
        client_id=alert.client_id,
        object_type="alert",
        object_id=alert.pk,
        detail=f"stage={stage} people={len(people)}",
    )
    if not people:
        logger.warning(
            "nobody to tell about an alert",
            extra={"alert_id": alert.pk, "stage": stage, "clinic_id": alert.client.clinic_id},
        )


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
    client: Client,
    text: str,
    source: str,
    source_id: object,
    actor: User | None = None,
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
    excerpt = _words_around(text, [words for _, words in own[:EXCERPTS_KEPT]])
    alert = alert_raise(
        client=client,
        source=source,
        source_id=source_id,
        rule_id=FREE_TEXT_RULE_ID,
        severity=worst,
        reason="Risk words in the client's own writing",
        actor=actor,
        excerpt=excerpt,
    )
    return Heard(result.level, alert)


class NoteRequired(ValueError):
    """A high alert is closed only with a note of what was done."""


def _words_around(text: str, phrases: list[str], reach: int = CONTEXT_CHARS) -> str:
    """The client's words around the phrases the scanner reported (each a slice of the text),
    widened to whole words up to ``reach`` characters each side; overlapping stretches are
    joined, each stretch on its own line, with … where the text was cut."""
    spans = []
    for phrase in phrases:
        found = phrase.rstrip("…")
        start = text.find(found)
        if start < 0:
            continue
        end = start + len(found)
        left, right = max(0, start - reach), min(len(text), end + reach)
        if left > 0:
            left = text.find(" ", left, start) + 1 or start
        if right < len(text):
            cut = text.rfind(" ", end, right)
            right = cut if cut > 0 else end
        spans.append([left, right])
    if not spans:
        return "\n".join(dict.fromkeys(phrases))
    spans.sort()
    joined = [spans[0]]
    for left, right in spans[1:]:
        if left <= joined[-1][1]:
            joined[-1][1] = max(joined[-1][1], right)
        else:
            joined.append([left, right])
    return "\n".join(
        ("…" if left > 0 else "")
        + " ".join(text[left:right].split())
        + ("…" if right < len(text) else "")
        for left, right in joined
    )


def alert_acknowledge(
    *,
    by: User,
    alert: Alert,
    action: str,
    note: str,
    role: str = Role.CLINICIAN,
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
                Action.ALERT_ACKNOWLEDGE,
                actor=by,
                role=role,
                clinic_id=alert.client.clinic_id,
                client_id=alert.client_id,
                object_type="alert",
                object_id=alert.pk,
                detail=f"action={action}",
            )
    return bool(changed)


def contact_attempt_add(
    *,
    by: User,
    alert: Alert,
    made_at: datetime,
    outcome: str,
    note: str,
    role: str,
) -> ContactAttempt:
    """Log one attempt to reach the client about an alert (open or closed: a follow-up call
    after closing belongs in the log too). The note stays out of the audit row."""
    with transaction.atomic():
        attempt = ContactAttempt.objects.create(
            alert=alert, made_at=made_at, made_by=by, outcome=outcome, note=note
        )
        record(
            Action.ALERT_CONTACT_ATTEMPT,
            actor=by,
            role=role,
            clinic_id=alert.client.clinic_id,
            client_id=alert.client_id,
            object_type="alert",
            object_id=alert.pk,
            detail=f"attempt={attempt.pk} outcome={outcome}",
        )
    return attempt


ESCALATE_AFTER: dict[str, str] = {
    Severity.HIGH: "GENTLE_ALERT_ESCALATE_HIGH",
    Severity.MODERATE: "GENTLE_ALERT_ESCALATE_MODERATE",
    Severity.LOW: "GENTLE_ALERT_ESCALATE_LOW",
}


def escalation_delay(severity: str) -> Delay:
    """How long an alert of this severity may stay unacknowledged (docs/configuration.md)."""
    return getattr(settings, ESCALATE_AFTER[severity])


def escalation_delays() -> list[tuple[StrOrPromise, str]]:
    """Each severity's label and delay in words, highest first, for the administrator."""
    return [(Severity(s).label, delay_in_words(escalation_delay(s))) for s in ESCALATE_AFTER]


def delay_in_words(delay: Delay) -> str:
    n = delay.amount
    words = {
        "minutes": ngettext("%(n)d minute", "%(n)d minutes", n),
        "hours": ngettext("%(n)d hour", "%(n)d hours", n),
        "days": ngettext("%(n)d day", "%(n)d days", n),
        "working_days": ngettext("%(n)d working day", "%(n)d working days", n),
    }
    return words[delay.unit] % {"n": n}


def alerts_escalate(now: datetime | None = None) -> int:
    """Escalate open alerts left unacknowledged past their severity's delay: flag them for
    the supervisors and queue a message to the client's supervisors and the clinic's safety
    lead. Run every 5 minutes by `gentle worker`; returns how many were escalated."""
    now = now or timezone.now()
    zone = ZoneInfo(settings.TIME_ZONE)
    old_enough = Q()
    for level in ESCALATE_AFTER:
        old_enough |= Q(severity=level, raised_at__lte=now - escalation_delay(level).at_least)
    count = 0
    with transaction.atomic():
        candidates = (
            Alert.objects.select_for_update(of=("self",))
            .select_related("client__clinic")
            .filter(old_enough, acknowledged_at__isnull=True, escalated_at__isnull=True)
            .order_by("raised_at", "pk")
        )
        for alert in candidates:
            if escalation_delay(alert.severity).ends(alert.raised_at, zone) > now:
                continue  # a working-day delay over a weekend
            Alert.objects.filter(pk=alert.pk).update(escalated_at=now)
            record(
                Action.ALERT_ESCALATE,
                actor_label="gentle worker",
                clinic_id=alert.client.clinic_id,
                client_id=alert.client_id,
                object_type="alert",
                object_id=alert.pk,
                detail=f"severity={alert.severity}",
            )
            people = selectors.client_supervisors(alert.client)
            lead = selectors.safety_lead(alert.client.clinic_id)
            if lead and lead not in people:
                people.append(lead)
            _notify(alert, people, stage=ESCALATED)
            count += 1
    return count


def crisis_text_save(*, by: User, clinic: Clinic, language: str, text: str) -> CrisisText:
    with transaction.atomic():
        crisis, _ = CrisisText.objects.update_or_create(
            clinic=clinic, language=language, defaults={"text": text, "updated_at": timezone.now()}
        )
        record(
            Action.CRISIS_TEXT_UPDATE,
            actor=by,
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
    *,
    by: User,
    client: Client,
    sections: dict[str, str],
    based_on: int,
    role: str,
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
            Action.SAFETY_PLAN_SAVE,
            actor=by,
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
                actor=by,
            )
        printing.prepare_current(client)  # usually ready before anyone asks (ADR 0063)
    return version, heard


def safety_lead_set(*, by: User, clinic: Clinic, lead: User | None) -> SafetySettings:
    """Choose the clinic's safety lead (None for nobody); the caller has checked that the
    person is one of ``selectors.safety_lead_candidates``."""
    with transaction.atomic():
        chosen, _created = SafetySettings.objects.update_or_create(
            clinic=clinic,
            defaults={"safety_lead": lead, "updated_at": timezone.now()},
        )
        record(
            Action.SAFETY_LEAD_UPDATE,
            actor=by,
            role=Role.ADMIN,
            clinic_id=clinic.pk,
            object_type="safety_settings",
            object_id=chosen.pk,
            detail=f"lead={lead.pk if lead else 'none'}",
        )
    return chosen
