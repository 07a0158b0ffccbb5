"""Reads for role play: the starter library and role labels (data files), the partner's
persona without identifiers, the names to hide from a model, the clinic's model settings
with the operator's allowed endpoints, and transcripts with feedback."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import get_language

from gentle.clients.models import Client
from gentle.communication.selectors import feedback
from gentle.lib.crypto import KeyRing, KeyRingError
from gentle.roleplay import partner
from gentle.roleplay.models import PartnerSettings

DATA = Path(__file__).resolve().parent / "data"


@cache
def _load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def partner_data() -> dict:
    return _load("partner.json")


def language(code: str | None = None) -> str:
    code = (code or get_language() or "en")[:2]
    return code if code in ("en", "es") else "en"


def _pick(entry: dict, lang: str | None = None) -> str:
    return entry.get(language(lang)) or entry["en"]


def library_choices() -> list[tuple[str, str]]:
    return [(s["id"], _pick(s["title"])) for s in _load("library.json")["scenarios"]]


def library_item(item_id: str) -> dict | None:
    """A starter scenario in the reader's language, or None."""
    for s in _load("library.json")["scenarios"]:
        if s["id"] == item_id:
            return {
                "title": _pick(s["title"]),
                "goal": _pick(s["goal"]),
                "opening": _pick(s["opening"]),
                "manner": s["manner"],
                "relationship": s["relationship"],
                "library_id": s["id"],
            }
    return None


def role_label(relationship: str, lang: str) -> str:
    labels = _load("library.json")["role_labels"]
    return _pick(labels.get(relationship) or labels["other"], lang)


def persona(scenario, lang: str) -> partner.Persona:
    """What the partner is told: a role label and a manner, never a name."""
    return partner.Persona(
        role_label=role_label(scenario.relationship, lang),
        manner=scenario.manner,
        goal=scenario.goal,
        opening=scenario.opening,
        language=lang,
    )


def names_for(client) -> list[str]:
    """Every name the model must not receive: the client's, their emergency contact's, the
    people in their inventory, the people they lost, and their care team's."""
    names = [client.given_name, client.family_name, client.preferred_name]
    names.append(f"{client.given_name} {client.family_name}")
    names.append(getattr(client, "emergency_contact_name", ""))
    names += list(client.inventory.values_list("name", flat=True))
    names += list(client.losses.values_list("who", flat=True))
    names += list(client.care_team.values_list("user__display_name", flat=True))
    return [n for n in names if n and n.strip()]


def other_clients_names(client) -> list[str]:
    """The names of the clinic's other clients, to hide them too if this client mentions one:
    names only, one query, never shown to anyone."""
    rows = (
        Client.objects.filter(clinic_id=client.clinic_id)
        .exclude(pk=client.pk)
        .values_list("given_name", "preferred_name", "family_name")
    )
    names: list[str] = []
    for given, preferred, family in rows:
        names += [f"{first} {family}".strip() for first in (given, preferred) if first]
    return names


def keyring() -> KeyRing:
    return KeyRing(settings.GENTLE_PROCESS_NOTE_KEYS)


def allowed_endpoints() -> list[str]:
    """The base URLs the operator allows (GENTLE_ROLEPLAY_ENDPOINTS); empty: no model."""
    return list(settings.GENTLE_ROLEPLAY_ENDPOINTS)


def partner_status(found: PartnerSettings | None) -> str:
    """ "off", "on", or "not_allowed": switched on, but the saved endpoint is not (or no longer)
    one the operator allows, so the built-in partner answers."""
    if found is None or not found.enabled or not (found.endpoint and found.model):
        return "off"
    if not partner.endpoint_allowed(found.endpoint, allowed_endpoints()):
        return "not_allowed"
    return "on"


def model_config(clinic) -> partner.ModelConfig | None:
    """The clinic's language-model partner, when it is switched on and complete. Its endpoint
    may be off the operator's list: the partner refuses it then, and the turn says why."""
    found = PartnerSettings.objects.filter(clinic=clinic, enabled=True).first()
    if found is None or not (found.endpoint and found.model):
        return None
    try:
        key = keyring().decrypt(found.api_key_encrypted) if found.api_key_encrypted else ""
    except KeyRingError:
        key = ""
    return partner.ModelConfig(
        endpoint=found.endpoint,
        model=found.model,
        api_key=key,
        timeout=float(found.timeout),
        allowed=tuple(allowed_endpoints()),
        allow_private=settings.GENTLE_ROLEPLAY_ALLOW_PRIVATE,
    )


def transcript(rehearsal) -> list:
    """The turns in order, each client turn with its statement feedback, and the clinician's
    notes beside the turn they are about: two queries. The feedback reads each turn with the
    rules of the rehearsal's language (the one it was held in, as when its features were
    found), not the reader's: an English rehearsal opened on a Spanish page is still English."""
    notes: dict = {}
    for note in rehearsal.annotations.select_related("author"):
        notes.setdefault(note.turn_number, []).append(note)
    turns = list(rehearsal.turns.all())
    for turn in turns:
        turn.feedback = feedback(turn.text, rehearsal.language) if turn.speaker == "client" else []
        turn.notes = notes.get(turn.number, [])
    rehearsal.general_notes = notes.get(None, [])
    return turns
