"""Writes for role play, each audited in its transaction (no text in the audit). A client turn
is stored before the partner is asked, so a slow or failing model never loses the transcript;
risk words pause the rehearsal and alert the care team through the safety app. The partner's
answer is audited with the engine that gave it and, for a model, the endpoint's host."""

from __future__ import annotations

import logging
import time

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.communication.selectors import statement_rules
from gentle.lib.crypto import KeyRingError
from gentle.lib.outbound import host_label
from gentle.lib.statements import features as statement_features
from gentle.roleplay import partner, selectors
from gentle.roleplay.models import (
    Annotation,
    PartnerSettings,
    Rehearsal,
    Scenario,
    Status,
    Turn,
)
from gentle.safety.actions import Heard, text_hear
from gentle.safety.hearing import source_key, words_of

logger = logging.getLogger("gentle.roleplay")


def _hear_client(*, by, client, role, text, source, object_id) -> Heard | None:
    """What a client writes for role play is heard like every other free text (once per object
    and wording); what the care team writes is not a disclosure."""
    if role != "client":
        return None
    return text_hear(
        client=client,
        text=text,
        source=source,
        source_id=source_key(object_id, text),
        actor=by,
    )


def scenario_save(
    *, by, client, data, scenario=None, role="clinician"
) -> tuple[Scenario, Heard | None]:
    person = data.get("person")
    fields = {
        "title": data["title"],
        "goal": data["goal"],
        "opening": data["opening"],
        "manner": data["manner"],
        "person": person,
        "person_label": person.name if person else "",
        "relationship": person.relationship if person else data.get("relationship", "other"),
        "updated_by": by,
    }
    with transaction.atomic():
        if scenario is None:
            scenario = Scenario.objects.create(
                client=client,
                library_id=data.get("library_id", ""),
                created_role=role,
                # What a client writes for themselves is theirs to rehearse at once.
                shared_with_client=role == "client",
                **fields,
            )
            action = Action.SCENARIO_CREATE
        else:
            Scenario.objects.filter(pk=scenario.pk).update(**fields)
            action = Action.SCENARIO_UPDATE
        record(
            action,
            actor=by,
            client=client,
            object_type="scenario",
            object_id=scenario.pk,
            role=role,
        )
        heard = _hear_client(
            by=by,
            client=client,
            role=role,
            text=words_of(data["title"], data["goal"], data["opening"]),
            source="scenario",
            object_id=scenario.pk,
        )
    return scenario, heard


def rehearsal_start(*, by, scenario, confidence_before, lang, role="clinician"):
    with transaction.atomic():
        rehearsal = Rehearsal.objects.create(
            client=scenario.client,
            scenario=scenario,
            language=lang,
            tension=partner.start_tension(scenario.manner),
            confidence_before=confidence_before,
            started_by=by,
        )
        record(
            Action.REHEARSAL_START,
            actor=by,
            client=scenario.client,
            object_type="rehearsal",
            object_id=rehearsal.pk,
            role=role,
        )
    return rehearsal


def turn_take(*, by, rehearsal, text, number, role="clinician") -> str:
    """The client's turn, then the partner's. Returns "duplicate" (this turn was already
    taken: a double submission), "paused" (risk words) or "answered"."""
    client = rehearsal.client
    found = statement_features(text, statement_rules(), rehearsal.language)
    with transaction.atomic():
        last = rehearsal.turns.aggregate(n=Max("number"))["n"] or 0
        if number <= last:
            return "duplicate"
        turn = Turn.objects.create(
            rehearsal=rehearsal,
            number=last + 1,
            speaker="client",
            text=text,
            features=sorted(found),
        )
        record(
            Action.REHEARSAL_TURN,
            actor=by,
            client=client,
            object_type="rehearsal",
            object_id=rehearsal.pk,
            role=role,
        )
        heard = text_hear(
            client=client,
            text=text,
            source="rehearsal",
            source_id=f"{rehearsal.pk}:{turn.number}",
            actor=by,
            language=rehearsal.language,
        )
        if heard.crisis:  # the writer's own risk; someone else's suicide never pauses
            Rehearsal.objects.filter(pk=rehearsal.pk).update(status=Status.PAUSED)
            return "paused"
    history = [(t.speaker, t.text) for t in rehearsal.turns.all()]
    config = selectors.model_config(client.clinic)
    started = time.monotonic()
    answer = partner.reply(
        selectors.persona(rehearsal.scenario, rehearsal.language),
        history,
        found,
        rehearsal.tension,
        selectors.partner_data(),
        config=config,
        # Only a model needs them: the built-in partner sends nothing anywhere.
        names=selectors.names_for(client) if config else (),
        others=selectors.other_clients_names(client) if config else (),
    )
    detail = f"engine={answer.engine}"
    if config is not None:
        host = host_label(config.endpoint)
        detail += f" endpoint={host}" + (f" fallback={answer.fallback}" if answer.fallback else "")
        logger.info(
            "role-play model call endpoint=%s engine=%s fallback=%s",
            host,
            answer.engine,
            answer.fallback or "-",
            extra={
                "event": "roleplay.model",
                "clinic_id": client.clinic_id,
                "duration_ms": round((time.monotonic() - started) * 1000),
            },
        )
    with transaction.atomic():
        Turn.objects.create(
            rehearsal=rehearsal,
            number=last + 2,
            speaker="partner",
            text=answer.text,
            engine=answer.engine,
            fallback=answer.fallback,
        )
        Rehearsal.objects.filter(pk=rehearsal.pk).update(tension=answer.tension)
        record(
            Action.REHEARSAL_PARTNER,
            actor=by,
            client=client,
            object_type="rehearsal",
            object_id=rehearsal.pk,
            detail=detail,
            role=role,
        )
    return "answered"


def rehearsal_end(*, by, rehearsal, data, role="clinician") -> Heard | None:
    with transaction.atomic():
        Rehearsal.objects.filter(pk=rehearsal.pk).update(
            status=Status.FINISHED, finished_at=timezone.now(), **data
        )
        record(
            Action.REHEARSAL_FINISH,
            actor=by,
            client=rehearsal.client,
            object_type="rehearsal",
            object_id=rehearsal.pk,
            role=role,
        )
        return _hear_client(
            by=by,
            client=rehearsal.client,
            role=role,
            text=words_of(data.get("worked"), data.get("try_next")),
            source="rehearsal_reflection",
            object_id=rehearsal.pk,
        )


def rehearsal_resume(*, by, rehearsal) -> None:
    """The clinician, having followed up the alert, lets the rehearsal go on."""
    with transaction.atomic():
        Rehearsal.objects.filter(pk=rehearsal.pk, status=Status.PAUSED).update(status=Status.ACTIVE)
        record(
            Action.REHEARSAL_RESUME,
            actor=by,
            client=rehearsal.client,
            object_type="rehearsal",
            object_id=rehearsal.pk,
            role="clinician",
        )


def annotate(*, by, rehearsal, data) -> Annotation:
    with transaction.atomic():
        note = Annotation.objects.create(rehearsal=rehearsal, author=by, **data)
        record(
            Action.REHEARSAL_ANNOTATE,
            actor=by,
            client=rehearsal.client,
            object_type="rehearsal",
            object_id=rehearsal.pk,
            role="clinician",
        )
    return note


def partner_settings_save(*, by, clinic, data) -> PartnerSettings:
    found, _ = PartnerSettings.objects.get_or_create(clinic=clinic)
    fields = {
        "enabled": data["enabled"],
        "endpoint": data["endpoint"],
        "model": data["model"],
        "timeout": data["timeout"],
        "updated_at": timezone.now(),
    }
    if data.get("api_key"):
        fields["api_key_encrypted"] = selectors.keyring().encrypt(data["api_key"])
    # Where rehearsals will go is what an audit needs: the host, never the key or the path.
    detail = (
        f"enabled={data['enabled']} endpoint={host_label(data['endpoint'])} "
        f"key={'new' if data.get('api_key') else 'kept'}"
    )
    with transaction.atomic():
        PartnerSettings.objects.filter(pk=found.pk).update(**fields)
        record(
            Action.ROLEPLAY_SETTINGS,
            actor=by,
            role="admin",
            clinic_id=clinic.pk,
            object_type="partnersettings",
            object_id=found.pk,
            detail=detail,
        )
    return found


def partner_keys_rotate_all() -> int:
    """Re-encrypt every clinic's saved model API key under the newest key (for `gentle
    rotate-keys`, inside its transaction); returns how many. A key that opens with no
    configured key stops the rotation with a message saying which clinic to fix."""
    ring = selectors.keyring()
    count = 0
    with transaction.atomic():
        saved = PartnerSettings.objects.select_for_update().exclude(api_key_encrypted="")
        for found in saved.only("pk", "clinic_id", "api_key_encrypted"):
            try:
                rotated = ring.rotate(found.api_key_encrypted)
            except KeyRingError:
                raise KeyRingError(
                    f"the role-play partner's API key of clinic {found.clinic_id} does not open "
                    "with any configured key; save it again on its Role-play partner page"
                ) from None
            PartnerSettings.objects.filter(pk=found.pk).update(api_key_encrypted=rotated)
            count += 1
        record(
            Action.ROLEPLAY_ROTATE_KEYS, actor_label="gentle rotate-keys", detail=f"count={count}"
        )
    return count
