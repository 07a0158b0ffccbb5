"""Demo portal life for the demo client: two weeks of mood diary linked to people, and tasks
between sessions, one already done, and a practice task set in the last session that the client
has reported back on (all fictional). Gentle words the tasks' titles, so they are
kept as keys and read in each reader's language, as the care team's page names a tool."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from gentle.clients.models import Client
from gentle.courses.models import Attendance, Session
from gentle.portal.models import Outcome, Task, TaskKind, TaskTitle, tool_title
from gentle.timeline.models import DiaryEntry

MOODS = [3, 4, 3, 5, 4, 4, 6, 5, 5, 6, 7, 5, 6, 7]
NOTES = [
    ("Tomás", "Argued about the shopping; went quiet all evening."),
    ("Ana", "Long call with Ana, laughed for the first time in days."),
    ("", "Stayed in, didn't see anyone."),
    ("Lena", "Coffee with Lena after work."),
    ("Tomás", "We planned the week's spending together. It went better than I feared."),
]


def seed(rng, context: dict) -> None:
    client = Client.objects.filter(
        pk__in=[c.pk for c in context["clients"]], user__isnull=False
    ).first()
    if client is None:
        return
    clinician = client.care_team.get(role="clinician").user
    people = {p.name: p for p in client.inventory.all()}
    today = timezone.localdate()
    for days_ago, mood in zip(range(len(MOODS), 0, -1), MOODS, strict=True):
        name, note = NOTES[days_ago % len(NOTES)]
        entry = DiaryEntry.objects.create(
            client=client, day=today - timedelta(days=days_ago), mood=mood, what_happened=note
        )
        if name in people:
            entry.people.add(people[name])
    sheet = client.worksheets.filter(kind="nvc").first()
    sheet_key, sheet_title = tool_title("worksheet", sheet)
    tasks = [
        Task(
            client=client,
            kind="diary",
            title_key=TaskTitle.DIARY_EVERY_EVENING,
            created_by=clinician,
        ),
        Task(
            client=client,
            kind="worksheet",
            object_id=sheet.pk if sheet else None,
            title_key=sheet_key,
            title=sheet_title,
            due_on=today + timedelta(days=3),
            created_by=clinician,
        ),
        Task(
            client=client,
            kind="inventory",
            title_key=TaskTitle.ADD_ANYONE,
            created_by=clinician,
            created_at=timezone.now() - timedelta(days=10),
            done_at=timezone.now() - timedelta(days=6),
        ),
    ]
    Task.objects.bulk_create([t for t in tasks if t.kind != "worksheet" or t.object_id])
    _practice(client, clinician)
    context.setdefault("counts", {})["diary_entries"] = len(MOODS)


PRACTICE = "Raise the budget with Tomás using what we rehearsed"
PRACTICE_REPORT = (
    "We sat down on Sunday with the bank statements. I said what I needed without raising my "
    "voice and he listened. We stopped before deciding about the savings."
)


def _practice(client: Client, clinician) -> None:
    """The dispute with Tomás (the role play's scenario): practice set in the last session held,
    reported back as partly done two days ago."""
    last = (
        Session.objects.filter(
            course__client=client,
            course__status="active",
            attendance=Attendance.ATTENDED,
            starts_at__lt=timezone.now(),
        )
        .order_by("-starts_at")
        .first()
    )
    if last is None:
        return
    reported = min(timezone.now(), last.starts_at + timedelta(days=4))
    Task.objects.create(
        client=client,
        kind=TaskKind.PRACTICE,
        title=PRACTICE,
        session=last,
        due_on=timezone.localdate(last.starts_at) + timedelta(days=7),
        created_by=clinician,
        created_at=last.starts_at + timedelta(minutes=45),
        outcome=Outcome.PARTLY,
        report=PRACTICE_REPORT,
        reported_at=reported,
        done_at=reported,
    )


def remove(clinic_slug: str) -> None:
    Task.objects.filter(client__clinic__slug=clinic_slug).delete()
    DiaryEntry.objects.filter(client__clinic__slug=clinic_slug).delete()
