"""Demo safety content: the clinic's crisis text in every enabled language, and a safety plan
the demo client made with their clinician (two versions: the first in session, then the
client's own addition in the portal)."""

from __future__ import annotations

from datetime import timedelta
from random import Random
from typing import Any

from django.utils import timezone

from gentle.clients.models import Client
from gentle.safety.models import Alert, CrisisText, PlanAuthor, SafetyPlanVersion
from gentle.safety.selectors import plan_sections_version

CLINIC_LINE = {
    "en": "Riverside Community Wellbeing Clinic (fictional): 555-0100, weekdays 8:00-18:00.",
    "es": "Clínica Comunitaria de Bienestar Riverside (ficticia): 555-0100, "
    "de lunes a viernes de 8:00 a 18:00.",
}
CRISIS_TEXTS = {
    "en": "If you are in danger now, or might act on thoughts of harming yourself, call your "
    "local emergency number (112 anywhere in the EU) or go to the nearest emergency "
    "department.\n" + CLINIC_LINE["en"],
    "es": "Si estás en peligro ahora, o crees que podrías llegar a hacerte daño, llama al "
    "número de emergencias de tu zona (112 en España y en toda la UE) o ve al servicio de "
    "urgencias más cercano.\nEn España, el 024 es la línea de atención a la conducta "
    "suicida: gratuita, confidencial y abierta todos los días, a cualquier hora.\n"
    + CLINIC_LINE["es"],
}
PLAN = {
    "warning_signs": "Staying in bed past noon. Not answering Ana's messages. Thinking "
    "nothing will change.",
    "coping": "Walk round the park with music on. A hot shower. Write down three things that "
    "went all right today.",
    "distraction": "Coffee with Lena. The library café on Saturday mornings.",
    "help": "Ana (sister): 555-0142. Lena: 555-0187.",
    "professionals": "My clinician at Riverside: 555-0100, weekdays 8:00-18:00. Emergencies: "
    "112. Spain's suicide prevention line: 024.",
    "environment": "Ask Ana to keep the spare medication at her place.",
}
ADDED_IN_PORTAL = {"reasons": "My niece's football matches. Finishing the garden this spring."}


def seed(rng: Random, context: dict[str, Any]) -> None:
    clinic = context["clinic"]
    for language, text in CRISIS_TEXTS.items():
        CrisisText.objects.create(clinic=clinic, language=language, text=text)
    client = Client.objects.filter(
        pk__in=[c.pk for c in context["clients"]], user__isnull=False
    ).first()
    if client is None or client.user is None:  # the filter asked for a portal user
        return
    clinician = client.care_team.get(role="clinician").user
    # Made together in the session whose PHQ-9 item 9 was first positive (the alert closed as
    # "safety plan made", gentle/measures/demo.py); the client added to it in the portal
    # before the last session, where it was gone through again.
    now = timezone.now()
    made = Alert.objects.filter(client=client, action="safety_plan").first()
    reviewed = Alert.objects.filter(client=client, action="reviewed").first()
    made_at = made.acknowledged_at if made and made.acknowledged_at else now - timedelta(days=12)
    reviewed_at = reviewed.raised_at if reviewed else now
    added_at = made_at + (reviewed_at - made_at) / 2
    first = dict(PLAN)
    SafetyPlanVersion.objects.create(
        client=client,
        number=1,
        sections=first,
        sections_version=plan_sections_version(),
        saved_at=made_at,
        saved_by=clinician,
        saved_as=PlanAuthor.CLINICIAN,
    )
    SafetyPlanVersion.objects.create(
        client=client,
        number=2,
        sections={**first, **ADDED_IN_PORTAL},
        sections_version=plan_sections_version(),
        saved_at=added_at,
        saved_by=client.user,
        saved_as=PlanAuthor.CLIENT,
    )
    context.setdefault("counts", {}).update(crisis_texts=len(CRISIS_TEXTS), safety_plans=1)


def remove(clinic_slug: str) -> None:
    SafetyPlanVersion.objects.filter(client__clinic__slug=clinic_slug).delete()
