"""Demo role play for the demo portal client: two scenarios with saved transcripts, one
reviewed by the clinician with notes (all fictional)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from gentle.clients.models import Client
from gentle.communication.selectors import statement_rules
from gentle.courses.models import RolePlay, Session, SessionTool
from gentle.lib.statements import features
from gentle.roleplay.models import Annotation, Rehearsal, Scenario, Turn

SCENARIOS = [
    {
        "title": "Asking Tomás to plan the budget together",
        "person": "Tomás",
        "goal": "Agree to look at big payments together before they go out.",
        "opening": "Can we talk about money? I've been worrying about it all week.",
        "manner": "defensive",
        "days_ago": 8,
        "confidence": (3, 6),
        "worked": "Starting with how I feel. He listened more than I expected.",
        "try_next": "Ask for one small thing, Sunday evenings, and stop there.",
        "turns": [
            ("client", "Can we talk about money? I've been worrying about it all week."),
            ("partner", "Here we go. I knew you'd bring up the car again."),
            ("client", "You never tell me before you spend anything!"),
            ("partner", "That's not true and you know it. I'm not a child."),
            (
                "client",
                "I feel left out when big payments happen without me. Could we look "
                "at them together on Sunday evenings?",
            ),
            ("partner", "Sunday evenings... I suppose that could work. Twenty minutes, not more."),
        ],
        "notes": [
            (3, "Notice how 'never' turned it into a fight about the past."),
            (5, "This is the DESC script we wrote. See how his tone changed."),
        ],
    },
    {
        "title": "Saying no to extra shifts",
        "person": "Priya",
        "goal": "Say no to a third extra shift this month without apologising for it.",
        "opening": "I can't take the Saturday shift this time.",
        "manner": "dismissive",
        "days_ago": 3,
        "confidence": (4, 7),
        "worked": "Saying it once, clearly, and offering one alternative.",
        "try_next": "Not explaining so much.",
        "turns": [
            ("client", "I can't take the Saturday shift this time."),
            ("partner", "Oh, it's only one day. Everyone's doing extra."),
            ("client", "Maybe I could, I don't know, if nobody else can..."),
            ("partner", "Great, so that's settled then."),
            (
                "client",
                "Actually no. I need that weekend with my family. Could you ask Jorge first?",
            ),
            ("partner", "Fine, I'll ask him. Let me know if anything changes."),
        ],
        "notes": [(3, "The hedge made it easy to hear a yes.")],
    },
]


def seed(rng, context: dict) -> None:
    client = Client.objects.filter(
        pk__in=[c.pk for c in context["clients"]], user__isnull=False
    ).first()
    if client is None or not client.inventory.exists():
        return
    clinician = client.care_team.get(role="clinician").user
    people = {p.name: p for p in client.inventory.all()}
    rules = statement_rules()
    for spec in SCENARIOS:
        person = people.get(spec["person"])
        scenario = Scenario.objects.create(
            client=client,
            title=spec["title"],
            person=person,
            person_label=spec["person"],
            relationship=person.relationship if person else "other",
            goal=spec["goal"],
            opening=spec["opening"],
            manner=spec["manner"],
            shared_with_client=True,
            updated_by=clinician,
            created_at=timezone.now() - timedelta(days=spec["days_ago"] + 1),
        )
        started = timezone.now() - timedelta(days=spec["days_ago"])
        before, after = spec["confidence"]
        rehearsal = Rehearsal.objects.create(
            client=client,
            scenario=scenario,
            status="finished",
            tension=1,
            confidence_before=before,
            confidence_after=after,
            worked=spec["worked"],
            try_next=spec["try_next"],
            started_at=started,
            finished_at=started + timedelta(minutes=12),
            started_by=client.user,
        )
        for number, (speaker, text) in enumerate(spec["turns"], start=1):
            Turn.objects.create(
                rehearsal=rehearsal,
                number=number,
                speaker=speaker,
                text=text,
                features=sorted(features(text, rules, "en")) if speaker == "client" else [],
                engine="offline" if speaker == "partner" else "",
                created_at=started + timedelta(minutes=number),
            )
        # The client rehearsed at home; it was gone over in the next session held (none yet
        # if that session has not happened).
        session = (
            Session.objects.filter(
                course__client=client, starts_at__gt=started, starts_at__lte=timezone.now()
            )
            .order_by("starts_at")
            .first()
        )
        if session is not None:
            SessionTool.objects.create(
                session=session, kind="rehearsal", object_id=rehearsal.pk, created_by=clinician
            )
        for turn_number, text in spec["notes"]:
            Annotation.objects.create(
                rehearsal=rehearsal, turn_number=turn_number, text=text, author=clinician
            )
    # The role plays about Tomás done in that video session (the courses demo) are tied to him
    # in the inventory, as a clinician picks him in the form (ADR 0050).
    if "Tomás" in people:
        RolePlay.objects.filter(session__course__client=client, other_person="Tomás").update(
            inventory_person_id=people["Tomás"].pk
        )
    context.setdefault("counts", {})["rehearsals"] = len(SCENARIOS)


def remove(clinic_slug: str) -> None:
    Scenario.objects.filter(client__clinic__slug=clinic_slug).delete()
