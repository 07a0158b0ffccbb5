"""What a questionnaire alert shows on the alert page: the instrument, the answers to its risk
items (those its safety rules read) and the score. Registered with the safety app at start-up
(gentle.safety.sources), since safety may not read administrations itself."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from gentle.measures.instruments import Instrument, Item, catalogue
from gentle.measures.models import Administration, Status
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
