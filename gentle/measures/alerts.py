"""What a questionnaire alert shows on the alert page: the instrument, the answers to its risk
items (those its safety rules read) and the score. Registered with the safety app at start-up
(gentle.safety.sources), since safety may not read administrations itself."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gentle.measures.instruments import Instrument, Item, catalogue, localized
from gentle.measures.models import Administration, Status
from gentle.measures.scoring import triggered_rules
from gentle.safety.models import Alert
from gentle.safety.sources import Answer, Raised

SOURCE = "administration"


def risk_items(instrument: Instrument) -> list[str]:
    items: list[str] = []
    for rule in instrument.rules:
        for item_id in (rule.item, rule.also.item if rule.also else None):
            if item_id and item_id not in items:
                items.append(item_id)
    return items


def answer_text(item: Item, answers: dict[str, object]) -> str:
    if item.id not in answers:
        return _("not answered")
    value = answers[item.id]
    option = next((o for o in item.options if o.value == value), None)
    if option is None:
        return str(value)
    return f"{option.text} ({value})" if value is not None else option.text


def describe(alert: Alert) -> Raised | None:
    """One query: the administration that raised ``alert`` (of the same client)."""
    source_id = alert.source_id
    if not source_id.isdigit():
        return None
    administration = Administration.objects.filter(
        pk=int(source_id), client_id=alert.client_id
    ).first()
    if administration is None:
        return None
    instrument = catalogue().get(administration.instrument_id)
    if instrument is None:
        return Raised(title=administration.instrument_id)
    rule = next((r for r in instrument.rules if r.id == alert.rule_id), None)
    matched = {rule.item, rule.also.item if rule.also else None} if rule else set()
    answers = tuple(
        Answer(item.text, answer_text(item, administration.answers), item.id in matched)
        for item in (instrument.item(i) for i in risk_items(instrument))
    )
    if administration.status == Status.SUBMITTED and administration.scores:
        score = instrument.main_score
        value = administration.scores.get(score.id)
        band = score.band_for(value)
        text = f"{score.text}: {value:g}" if value is not None else score.text
        if score.maximum:
            text += " / " + f"{score.maximum:g}"
        if band is not None:
            text += f" ({band.text})"
    else:
        text = _("Not scored yet: the questionnaire has not been submitted.")
    return Raised(
        title=instrument.name,
        answers=answers,
        score=text,
        link=reverse("client_measures", kwargs={"client_id": alert.client_id}),
    )


def risk_answers_of_the_day(session: Any, client: Any) -> list[str]:
    """For the note's confirmation page (gentle.lib.before_signing): questionnaires of
    ``client`` submitted on the session's day (or in the session) whose answers trigger a safety
    rule, e.g. PHQ-9 item 9 above 0 or a positive C-SSRS answer. One query."""
    day = timezone.localtime(session.starts_at).date()
    start = timezone.make_aware(datetime.combine(day, time.min))
    administrations = Administration.objects.filter(
        Q(session_id=session.pk)
        | Q(submitted_at__gte=start, submitted_at__lt=start + timedelta(days=1)),
        client_id=client.pk,
        status=Status.SUBMITTED,
    ).order_by("submitted_at", "pk")
    found = []
    for administration in administrations:
        instrument = catalogue().get(administration.instrument_id)
        if instrument is None:
            continue
        rules = triggered_rules(instrument, administration.answers)
        if rules:
            found.append(
                _("%(instrument)s on %(date)s: %(reason)s")
                % {
                    "instrument": instrument.name,
                    "date": date_format(
                        timezone.localtime(administration.submitted_at), "SHORT_DATE_FORMAT"
                    ),
                    "reason": localized(rules[0].reason),
                }
            )
    return found
