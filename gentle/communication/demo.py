"""Demo communication work for the demo portal client (a role dispute with their partner):
style reflections that change over the course, one communication analysis, and one worksheet
of each kind, some shared with the client (all fictional)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from gentle.clients.models import Client
from gentle.communication import selectors
from gentle.communication.models import Exchange, StyleReflection, Worksheet
from gentle.courses.models import Session, SessionTool
from gentle.formulation.models import Goal

# person, weeks ago, ticked sentences, note
REFLECTIONS = [
    ("Tomás", 6, ["p1", "p2", "pa2"], "Goes quiet, then sulks for a day."),
    ("Tomás", 1, ["s1", "s2", "p1"], "Said what I needed about the budget."),
    ("Rosa", 6, ["p1", "p2", "p3"], ""),
    ("Rosa", 2, ["p2", "p3", "s2"], "Still hard to say no to her."),
    ("Ana", 5, ["s1", "s2", "s3"], ""),
    ("Lena", 4, ["pa1", "pa3", "a3"], "Sarcastic when she cancels."),
    ("Luis", 5, ["a1", "a2"], "Old arguments come back fast."),
]

WORKSHEETS = [
    (
        "desc",
        "Asking Tomás to plan the budget together",
        "Tomás",
        True,
        True,
        {
            "describe": "Last month two large payments went out without us talking first.",
            "express": "I feel worried and left out when money decisions happen without me.",
            "specify": "Could we sit down on Sunday evenings for twenty minutes and plan the "
            "week's spending together?",
            "consequences": "We would both know where we stand and argue less.",
        },
    ),
    (
        "nvc",
        "Evenings with the children",
        "Tomás",
        True,
        False,
        {
            "observations": "On four evenings this week I did bath time and bedtime alone.",
            "feelings": "Tired and a bit lonely.",
        },
    ),
    (
        "dear_man",
        "Saying no to extra shifts",
        "Priya",
        False,
        False,
        {"describe": "I have been asked to cover three extra shifts this month."},
    ),
    (
        "repair",
        "After the argument about the car",
        "Tomás",
        False,
        True,
        {
            "what_happened": "We argued about the car repair and I walked out.",
            "my_part": "I raised my voice and said he never thinks ahead.",
            "what_i_will_say": "I'm sorry I shouted. I was scared about the money. Can we "
            "look at the bill together tonight?",
            "when": "After the children are in bed on Thursday.",
        },
    ),
    (
        "decision",
        "Whether to take the evening course",
        "",
        False,
        False,
        {
            "decision": "Whether to start the bookkeeping course on Tuesday evenings.",
            "options": "Start in January\nWait until the autumn\nDo it online at weekends",
        },
    ),
]


def seed(rng, context: dict) -> None:
    client = Client.objects.filter(
        pk__in=[c.pk for c in context["clients"]], user__isnull=False
    ).first()
    if client is None or not client.inventory.exists():
        return
    clinician = client.care_team.get(role="clinician").user
    people = {p.name: p for p in client.inventory.all()}
    today = timezone.localdate()
    for name, weeks, ticked, note in REFLECTIONS:
        counts, style = selectors.score_styles(ticked)
        StyleReflection.objects.create(
            client=client,
            person=people[name],
            day=today - timedelta(weeks=weeks),
            items=ticked,
            counts=counts,
            style=style,
            note=note,
            created_by=clinician,
        )
    goal = Goal.objects.filter(course__client=client).order_by("pk").first()
    exchange = Exchange.objects.create(
        client=client,
        person=people["Tomás"],
        person_label="Tomás",
        goal=goal,
        day=today - timedelta(days=9),
        area="dispute",
        i_said="You never think about what things cost. It's always me who has to worry.",
        they_said="Here we go again. I can't do anything right.",
        i_meant="I am frightened we won't manage this month, and I want us to plan together.",
        i_felt="Scared, then angry, then very alone.",
        how_it_ended="He went out to the garage; we didn't speak until the next evening.",
        could_have_said="I'm worried about money this month. Could we look at the bills "
        "together after dinner?",
        might_have_landed="He might have sat down with me instead of feeling attacked.",
        shared_with_client=True,
        updated_by=clinician,
    )
    # The analysis was done in the first session held after the argument: the session page lists it.
    session = (
        Session.objects.filter(
            course__client=client,
            starts_at__date__gt=exchange.day,
            starts_at__lte=timezone.now(),
        )
        .order_by("starts_at")
        .first()
    )
    if session is not None:
        SessionTool.objects.create(
            session=session, kind="exchange", object_id=exchange.pk, created_by=clinician
        )
    for kind, title, name, shared, finished, answers in WORKSHEETS:
        Worksheet.objects.create(
            client=client,
            kind=kind,
            title=title,
            person=people.get(name),
            person_label=name,
            goal=goal if kind == "desc" else None,
            answers=answers,
            shared_with_client=shared,
            completed_at=timezone.now() - timedelta(days=3) if finished else None,
            updated_by=clinician,
        )
    context.setdefault("counts", {})["worksheets"] = len(WORKSHEETS)


def remove(clinic_slug: str) -> None:
    StyleReflection.objects.filter(client__clinic__slug=clinic_slug).delete()
    Exchange.objects.filter(client__clinic__slug=clinic_slug).delete()
    Worksheet.objects.filter(client__clinic__slug=clinic_slug).delete()
