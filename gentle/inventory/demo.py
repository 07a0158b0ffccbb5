"""Demo inventory: a rich map of the demo client's relationships, two snapshots that show
change, and attachment questionnaires about two of them (all fictional)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from gentle.clients.models import Client
from gentle.inventory.actions import SNAPSHOT_FIELDS, name_key
from gentle.inventory.models import Person, Snapshot
from gentle.measures import actions as measure_actions
from gentle.measures.instruments import catalogue

PEOPLE = [
    # name, relationship, ring at the start, support, conflict, focus, extra fields
    (
        "Tomás",
        "partner",
        1,
        False,
        True,
        True,
        {
            "contact": "daily",
            "expectations": "Shares the housework and the evenings with the "
            "children; talks before deciding about money.",
            "expectations_met": "no",
            "conflicts": "Arguments about money most weeks; ends in silence for a day or two.",
            "cannot_talk": "How lonely the evenings feel.",
            "knows_about_depression": "partly",
            "change_wanted": "Talk about money calmly, once a week, before it becomes a fight.",
        },
    ),
    (
        "Ana",
        "sibling",
        2,
        True,
        False,
        False,
        {
            "contact": "weekly",
            "satisfying": "Laughs together; she listens without judging.",
            "knows_about_depression": "yes",
            "can_talk": "Almost anything.",
        },
    ),
    (
        "Rosa",
        "parent",
        2,
        False,
        False,
        False,
        {
            "contact": "weekly",
            "unsatisfying": "Gives advice when asked only to listen.",
            "knows_about_depression": "no",
        },
    ),
    (
        "Lena",
        "friend",
        3,
        False,
        False,
        False,
        {
            "contact": "rarely",
            "activities": "Used to swim together on Saturdays.",
            "change_since_onset": "Stopped answering her messages since the low mood began.",
        },
    ),
    ("Priya", "colleague", 3, False, False, False, {"contact": "daily"}),
    (
        "Luis",
        "parent",
        3,
        False,
        False,
        False,
        {"deceased": True, "past": True, "notes": "Died four years ago; remembered warmly."},
    ),
]


# The IPT-A client's closeness circle (docs/adolescents.md): family, the old school's friend,
# a classmate and the form tutor at the new school (fictional).
ADOLESCENT_PEOPLE = [
    (
        "Mum",
        "parent",
        1,
        True,
        True,
        False,
        {
            "contact": "daily",
            "expectations": "Goes to school every day and does the homework; less time on the "
            "phone.",
            "expectations_met": "partly",
            "conflicts": "Rows about the phone and homework most evenings since the move.",
            "knows_about_depression": "yes",
        },
    ),
    ("Theo", "sibling", 2, True, False, False, {"contact": "daily"}),
    (
        "Jonah",
        "friend",
        2,
        True,
        False,
        True,
        {
            "contact": "rarely",
            "activities": "Football and gaming after school, until the move.",
            "change_since_onset": "Fewer messages since changing school.",
        },
    ),
    (
        "Ivy",
        "classmate",
        3,
        False,
        False,
        True,
        {"contact": "weekly", "activities": "Sits near them in art."},
    ),
    (
        "Ms Reyes",
        "teacher",
        3,
        True,
        False,
        True,
        {
            "contact": "weekly",
            "notes": "Form tutor at the new school; told them about the art club.",
        },
    ),
]


def _adolescent(client) -> None:
    clinician = client.care_team.get(role="clinician").user
    for name, relationship, ring, support, conflict, focus, extra in ADOLESCENT_PEOPLE:
        Person.objects.create(
            client=client,
            name=name,
            name_key=name_key(name),
            relationship=relationship,
            ring=ring,
            supportive=support,
            in_conflict=conflict,
            in_focus=focus,
            updated_by=clinician,
            **extra,
        )


def seed(rng, context: dict) -> None:
    if context.get("adolescent") is not None:
        _adolescent(context["adolescent"])
    client = Client.objects.filter(
        pk__in=[c.pk for c in context["clients"]], user__isnull=False
    ).first()
    if client is None:
        return
    clinician = client.care_team.get(role="clinician").user
    people = {}
    for name, relationship, ring, support, conflict, focus, extra in PEOPLE:
        people[name] = Person.objects.create(
            client=client,
            name=name,
            name_key=name_key(name),
            relationship=relationship,
            ring=ring,
            supportive=support,
            in_conflict=conflict,
            in_focus=focus,
            updated_by=clinician,
            **extra,
        )
    sessions = list(
        client.courses.first().sessions.filter(attendance="attended").order_by("starts_at")
    )
    early = sessions[1].starts_at if len(sessions) > 1 else timezone.now() - timedelta(weeks=3)
    _snapshot(client, clinician, "Session 2", early)
    # What the middle sessions changed: closer to Ana and Lena, the dispute with Tomás eased.
    Person.objects.filter(pk=people["Ana"].pk).update(ring=1)
    Person.objects.filter(pk=people["Lena"].pk).update(ring=2, supportive=True)
    Person.objects.filter(pk=people["Tomás"].pk).update(
        in_conflict=False, expectations_met="partly"
    )
    Person.objects.create(
        client=client,
        name="Community garden group",
        name_key=name_key("Community garden group"),
        relationship="other",
        ring=3,
        supportive=True,
        updated_by=clinician,
        activities="Saturday mornings, since week 4.",
    )
    _snapshot(
        client, clinician, "Latest session", sessions[-1].starts_at if sessions else timezone.now()
    )
    ecr = catalogue()["ecr_rs"]
    for about, values in (
        (f"person:{people['Tomás'].pk}", [3, 3, 4, 3, 5, 5, 6, 5, 6]),
        ("mother", [4, 4, 5, 4, 4, 4, 3, 2, 3]),
    ):
        administration = measure_actions.administration_start(
            by=clinician,
            client=client,
            instrument=ecr,
            mode="in_session",
            about=about,
        )
        measure_actions.administration_submit(
            by=clinician,
            administration=administration,
            answers={f"e{n}": v for n, v in enumerate(values, start=1)},
            role="clinician",
        )
    context.setdefault("counts", {}).update(inventory=Person.objects.filter(client=client).count())


def _snapshot(client, clinician, label, when) -> None:
    people = [
        {field: getattr(p, field) for field in SNAPSHOT_FIELDS}
        for p in Person.objects.filter(client=client)
    ]
    Snapshot.objects.create(
        client=client, label=label, taken_at=when, taken_by=clinician, people=people
    )


def remove(clinic_slug: str) -> None:
    Snapshot.objects.filter(client__clinic__slug=clinic_slug).delete()
    Person.objects.filter(client__clinic__slug=clinic_slug).delete()
