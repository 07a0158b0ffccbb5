"""Demo consultation requests (all fictional): new, one with risk words, one assigned."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from gentle.accounts.models import Clinic, Membership, Role
from gentle.intake.models import IntakeRequest

REQUESTS = [
    (
        "Mara",
        "email",
        "mara.fictional@example.test",
        "",
        "Since my divorce last spring I barely see anyone and I feel flat most days.",
        4,
        3,
        2,
    ),
    (
        "J.",
        "phone",
        "",
        "555 0101 222",
        "My father died in March and I can't seem to get back to work.",
        5,
        2,
        1,
    ),
    (
        "Tobi",
        "text",
        "",
        "555 0101 333",
        "We argue all the time at home and I feel like I'm failing everyone.",
        3,
        4,
        0,
    ),
    (
        "R",
        "email",
        "r.fictional@example.test",
        "",
        "New city, new job, no friends yet. Some days I wish I was dead.",
        6,
        5,
        0,
    ),
    (
        "Ana L.",
        "email",
        "ana.l.fictional@example.test",
        "",
        "I retired in June and I don't know what to do with myself.",
        2,
        1,
        9,
    ),
]


def seed(rng, context: dict) -> None:
    from gentle.safety.selectors import risk_phrases_in

    clinic = Clinic.objects.filter(pk=context["clients"][0].clinic_id).first()
    if clinic is None:
        return
    clinician = (
        Membership.objects.filter(clinic=clinic, role=Role.CLINICIAN).select_related("user").first()
    )
    for index, (name, contact, email, phone, message, phq2, gad2, days) in enumerate(REQUESTS):
        IntakeRequest.objects.create(
            clinic=clinic,
            name=name,
            contact=contact,
            email=email,
            phone=phone,
            message=message,
            phq2=phq2,
            gad2=gad2,
            risk_words=bool(risk_phrases_in(message)),
            status="assigned" if index == 4 else "new",
            assigned_to=clinician.user if index == 4 and clinician else None,
            created_at=timezone.now() - timedelta(days=days, hours=index),
        )
    context.setdefault("counts", {})["intake_requests"] = len(REQUESTS)


def remove(clinic_slug: str) -> None:
    IntakeRequest.objects.filter(clinic__slug=clinic_slug).delete()
