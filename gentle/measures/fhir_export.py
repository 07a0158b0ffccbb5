"""Submitted questionnaires as FHIR R4 resources (docs/fhir.md "Export", ADR 0061), for a
batch of clients in one query:

- a QuestionnaireResponse per administration, its answers as the items' values;
- an Observation per score, coded with the score's LOINC code where the instrument file gives
  one (PHQ-9 total 44261-6, GAD-7 total 70274-6) and always with Gentle's own code;
- a panel Observation per administration of an instrument with a LOINC panel code (PHQ-9
  44249-1, GAD-7 69737-5), whose members are the score Observations.

The codes come from the instrument files (gentle/measures/data/instruments), not from here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from gentle.clients.models import Client
from gentle.lib.fhir import GENTLE, LOINC, Resource, compact, concept, gentle_code, instant, ref
from gentle.measures.instruments import Instrument, catalogue
from gentle.measures.models import Administration, Mode, Status

SURVEY = concept(
    "Survey",
    ("http://terminology.hl7.org/CodeSystem/observation-category", "survey", "Survey"),
)
SCORE_UNIT = {"unit": "{score}", "system": "http://unitsofmeasure.org", "code": "{score}"}


def _questionnaire(administration: Administration) -> str:
    return (
        f"{GENTLE}/Questionnaire/{administration.instrument_id}|{administration.instrument_version}"
    )


def _response(administration: Administration, instrument: Instrument | None) -> Resource:
    items = []
    for item_id, value in (administration.answers or {}).items():
        item = next((i for i in instrument.items if i.id == item_id), None) if instrument else None
        entry: Resource = {"linkId": item_id, "text": item.text if item else ""}
        if value is not None:
            label = ""
            if item is not None:
                label = next((o.text for o in item.options if o.value == value), "")
            if isinstance(value, bool) or not isinstance(value, int):
                entry["answer"] = [{"valueString": str(value)}]
            else:
                entry["answer"] = [
                    {
                        "valueCoding": {
                            "system": f"{GENTLE}/CodeSystem/{administration.instrument_id}-answer",
                            "code": str(value),
                            "display": label,
                        }
                    }
                ]
        items.append(entry)
    encounter = ref("Encounter", administration.session_id) if administration.session_id else None
    return compact(
        {
            "resourceType": "QuestionnaireResponse",
            "id": str(administration.pk),
            "questionnaire": _questionnaire(administration),
            "status": "completed",
            "subject": ref("Patient", administration.client_id),
            "encounter": encounter,
            "authored": instant(administration.submitted_at),
            "source": (
                ref("Patient", administration.client_id)
                if administration.mode == Mode.PORTAL
                else None
            ),
            "item": items,
        }
    )


def _observations(administration: Administration, instrument: Instrument | None) -> list[Resource]:
    base: Resource = {
        "resourceType": "Observation",
        "status": "amended" if administration.corrects_id else "final",
        "category": [SURVEY],
        "subject": ref("Patient", administration.client_id),
        "encounter": (
            ref("Encounter", administration.session_id) if administration.session_id else None
        ),
        "effectiveDateTime": instant(administration.submitted_at),
        "derivedFrom": [ref("QuestionnaireResponse", administration.pk)],
    }
    scores = {s.id: s for s in instrument.scores} if instrument else {}
    members: list[Resource] = []
    for score_id, value in (administration.scores or {}).items():
        if value is None or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        score = scores.get(score_id)
        label = score.text if score else score_id
        band = score.band_for(value) if score else None
        members.append(
            compact(
                {
                    **base,
                    "id": f"{administration.pk}-{score_id}".replace("_", "-"),
                    "code": concept(
                        label,
                        (LOINC, score.loinc if score else "", label),
                        gentle_code("score", f"{administration.instrument_id}.{score_id}", label),
                    ),
                    "valueQuantity": {"value": value, **SCORE_UNIT},
                    "interpretation": [concept(band.text)] if band else [],
                }
            )
        )
    if instrument is not None and instrument.loinc and members:
        name = instrument.name
        members.insert(
            0,
            compact(
                {
                    **base,
                    "id": f"{administration.pk}-panel",
                    "code": concept(
                        name,
                        (LOINC, instrument.loinc, name),
                        gentle_code("instrument", instrument.id, name),
                    ),
                    "hasMember": [ref("Observation", m["id"]) for m in members],
                }
            ),
        )
    return members


def resources(clients: Sequence[Client]) -> Iterator[Resource]:
    instruments = catalogue()
    administrations = Administration.objects.filter(
        client__in=list(clients), status=Status.SUBMITTED
    ).order_by("client_id", "submitted_at", "pk")
    for administration in administrations:
        instrument = instruments.get(administration.instrument_id)
        if instrument is not None and instrument.version != administration.instrument_version:
            instrument = None if _changed(instrument, administration) else instrument
        yield _response(administration, instrument)
        yield from _observations(administration, instrument)


def _changed(instrument: Instrument, administration: Administration) -> bool:
    """Whether the installed version no longer has the answered items (then the answers are
    written with their ids alone, not another version's wording)."""
    return not set(administration.answers or {}) <= {item.id for item in instrument.items}
