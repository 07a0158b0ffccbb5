"""Demo timelines: four clients whose events point at each of the four problem areas."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from gentle.inventory.models import Person
from gentle.timeline.models import Episode, LifeEvent


def _month(days_ago: int) -> dict:
    day = timezone.localdate() - timedelta(days=days_ago)
    return {"precision": "month", "year": day.year, "month": day.month}


def _day(days_ago: int) -> dict:
    day = timezone.localdate() - timedelta(days=days_ago)
    return {"precision": "day", "year": day.year, "month": day.month, "day": day.day}


def _year(years_ago: int) -> dict:
    return {"precision": "year", "year": timezone.localdate().year - years_ago}


STORIES = {
    # focus of the demo course: [(kind, date fields, category, description, impact, planned)]
    "dispute": [
        ("event", _year(6), "relationship", "Moved in with their partner", "good", False),
        ("event", _month(400), "birth", "Second child born", "mixed", False),
        (
            "event",
            _month(150),
            "conflict",
            "Arguments about money and housework began",
            "very_hard",
            False,
        ),
        (
            "episode",
            _month(100),
            None,
            "Low mood, poor sleep, withdrawing in the evenings",
            None,
            False,
        ),
    ],
    "grief": [
        ("event", _year(9), "retirement", "Retired from the school kitchen", "mixed", False),
        ("event", _day(170), "death", "Mother died after a short illness", "very_hard", False),
        (
            "episode",
            _month(110),
            None,
            "Yearning, tearfulness, stopped seeing friends",
            None,
            False,
        ),
    ],
    "transition": [
        ("event", _month(260), "migration", "Moved country for work", "mixed", False),
        ("event", _month(200), "new_job", "Started as a night-shift supervisor", "hard", False),
        ("episode", _month(130), None, "Low mood and feeling out of place", None, False),
        (
            "event",
            {"precision": "month", "year": timezone.localdate().year + 1, "month": 4},
            "move",
            "Plans to move closer to their sister",
            "good",
            True,
        ),
    ],
    # The perinatal course: a birth 8 months before the low mood began, near its onset only
    # through the perinatal window (docs/perinatal.md).
    "perinatal": [
        ("event", _year(4), "relationship", "Moved in with their partner", "good", False),
        ("event", _day(330), "birth", "Their baby Noor was born; a long labour", "mixed", False),
        ("event", _month(300), "other", "Partner went back to work after two weeks", "hard", False),
        (
            "episode",
            _month(90),
            None,
            "Low mood, tearful in the evenings, feeling they were failing as a parent",
            None,
            False,
        ),
    ],
    "deficits": [
        (
            "event",
            {"precision": "age", "age": 14},
            "move",
            "Family moved town; lost friends",
            "hard",
            False,
        ),
        ("event", _year(5), "job_loss", "Warehouse closed", "hard", False),
        ("episode", _year(3), None, "Long-standing low mood and loneliness", None, False),
    ],
}


# The IPT-A client (docs/adolescents.md): the move across town and the change of school in
# September, the low mood from the weeks after it (fictional).
ADOLESCENT_STORY = [
    ("event", _month(150), "move", "The family moved across town", "mixed", False),
    ("event", _month(140), "school", "Started at a new school after the move", "hard", False),
    (
        "episode",
        _month(100),
        None,
        "Low mood and irritability, staying in their room, missing mornings at school",
        None,
        False,
    ),
]


def _adolescent(client) -> None:
    clinician = client.care_team.get(role="clinician").user
    for kind, when, category, description, impact, planned in ADOLESCENT_STORY:
        if kind == "episode":
            Episode.objects.create(
                client=client, description=description, created_by=clinician, **when
            )
            continue
        LifeEvent.objects.create(
            client=client,
            category=category,
            description=description,
            impact=impact,
            planned=planned,
            created_by=clinician,
            **when,
        )


def seed(rng, context: dict) -> None:
    if context.get("adolescent") is not None:
        _adolescent(context["adolescent"])
    seen = set()
    for client in context["clients"]:
        course = client.courses.first()
        focus = course.focus if course else ""
        if course and course.format == "perinatal":
            focus = "perinatal"
        if focus not in STORIES or focus in seen:
            continue
        seen.add(focus)
        clinician = client.care_team.get(role="clinician").user
        people = {p.relationship: p for p in Person.objects.filter(client=client)}
        for kind, when, category, description, impact, planned in STORIES[focus]:
            if kind == "episode":
                Episode.objects.create(
                    client=client, description=description, created_by=clinician, **when
                )
                continue
            event = LifeEvent.objects.create(
                client=client,
                category=category,
                description=description,
                impact=impact,
                planned=planned,
                created_by=clinician,
                **when,
            )
            if category == "conflict" and "partner" in people:
                event.people.set([people["partner"]])
                event.people_text = people["partner"].name
                event.save(update_fields=["people_text"])
    context.setdefault("counts", {}).update(timelines=len(seen))


def remove(clinic_slug: str) -> None:
    LifeEvent.objects.filter(client__clinic__slug=clinic_slug).delete()
    Episode.objects.filter(client__clinic__slug=clinic_slug).delete()
