"""Demo loss and change: a bereaved client with a grief curve over 14 months, and a client in a
retirement transition (fictional)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from gentle.grief.models import Activity, CheckIn, Loss, Transition, TransitionStep
from gentle.measures.models import Administration

PG = [44, 42, 41, 39, 37, 36, 34, 33]  # every two months: slow, still above 30 at 14 months
PHQ = [19, 18, 17, 15, 14, 13, 12, 11]


def _at(day):
    return timezone.make_aware(datetime.combine(day, time(10)), timezone.get_current_timezone())


def seed(rng, context: dict) -> None:
    grief_clients = [
        c for c in context["clients"] if c.courses.first() and c.courses.first().focus == "grief"
    ]
    if len(grief_clients) > 1:
        client = grief_clients[1]
        clinician = client.care_team.get(role="clinician").user
        today = timezone.localdate()
        loss = Loss.objects.create(
            client=client,
            who="Arturo (husband)",
            died_on=today - timedelta(days=427),
            created_by=clinician,
        )
        for index, (pg, phq) in enumerate(zip(PG, PHQ, strict=True)):
            day = loss.died_on + timedelta(days=30 + 57 * index)
            for instrument, total in (("pg13r", pg), ("phq9", phq)):
                Administration.objects.create(
                    client=client,
                    instrument_id=instrument,
                    instrument_version=1,
                    mode="in_session",
                    status="submitted",
                    created_by=clinician,
                    scores={"total": total},
                    submitted_at=_at(day),
                )
        for week in range(0, 60, 3):
            day = loss.died_on + timedelta(weeks=week + 1)
            Activity.objects.create(
                loss=loss,
                day=day,
                orientation="loss",
                what=rng.choice(["Looked at photos", "Visited the grave", "Cried over his coat"]),
            )
            if week > 12 and rng.random() < 0.7:
                Activity.objects.create(
                    loss=loss,
                    day=day + timedelta(days=2),
                    orientation="restoration",
                    what=rng.choice(["Paid the bills alone", "Choir practice", "Lunch with Ana"]),
                )
        for days, words in (
            (40, ["disbelief", "numb"]),
            (160, ["missing", "angry"]),
            (300, ["missing", "memories"]),
            (410, ["good_days", "lonely"]),
        ):
            CheckIn.objects.create(loss=loss, day=loss.died_on + timedelta(days=days), words=words)
    transition_clients = [
        c
        for c in context["clients"]
        if c.courses.first() and c.courses.first().focus == "transition"
    ]
    if transition_clients:
        client = transition_clients[-1]
        clinician = client.care_team.get(role="clinician").user
        transition = Transition.objects.create(
            client=client,
            title="Retiring from the post office",
            updated_by=clinician,
            old_lost="The early round, the regulars, being needed every morning.",
            old_good="Knowing everyone on the street; a clear routine.",
            old_hard="Sore knees; the new sorting machines.",
            new_demands="Filling the days; more time at home with their partner.",
            new_opportunities="The allotment; teaching a grandchild to cycle.",
            new_skills="Planning a week without a rota.",
            new_supports="The retired postmen's breakfast, once a month.",
            phase="neutral",
        )
        for days, phase, note in (
            (35, "ending", "Said what they miss most about the round."),
            (21, "neutral", "Empty mornings feel heavy; listed options."),
            (7, "neutral", "Went to the breakfast; enjoyed it."),
        ):
            TransitionStep.objects.create(
                transition=transition,
                phase=phase,
                note=note,
                day=timezone.localdate() - timedelta(days=days),
            )


def remove(clinic_slug: str) -> None:
    Loss.objects.filter(client__clinic__slug=clinic_slug).delete()
    Transition.objects.filter(client__clinic__slug=clinic_slug).delete()
