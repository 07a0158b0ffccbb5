"""Demo courses: clients in every phase and format, with fictional sessions and notes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from gentle.clients.models import Consent
from gentle.courses import protocol, strategies
from gentle.courses.actions import keyring
from gentle.courses.models import (
    Course,
    ProcessNote,
    ProgressNote,
    RelapsePlan,
    RemoteCheck,
    RolePlay,
    Session,
    SupervisionComment,
    SupervisionMeeting,
)
from gentle.courses.selectors import overlapping
from gentle.lib.course_focus import Focus

# (format, focus, sessions held so far, status) — one plan per demo client, in order. The
# completed IPC course held all six sessions and records its closing triage; the maintenance
# course meets every four weeks after an acute course, with the plan for staying well it made.
PLANS = [
    ("individual", "dispute", 5, "active"),
    ("individual", "grief", 1, "active"),
    ("individual", "transition", 10, "active"),
    ("perinatal", "transition", 4, "active"),  # after a birth: docs/perinatal.md
    ("ipc", "dispute", 2, "active"),
    ("individual", "deficits", 12, "completed"),
    ("individual", "grief", 7, "active"),
    ("group", "transition", 4, "active"),
    ("individual", "dispute", 4, "ended_early"),
    ("brief", "grief", 6, "active"),
    ("individual", "transition", 0, "planned"),
    ("ipc", "transition", 6, "completed"),
    ("maintenance", "dispute", 3, "active"),
    ("individual", "deficits", 8, "active"),
]

# The focus each plan's formulation agrees beyond its primary area (the formulation demo writes
# it): plan index -> (the dispute's stage, a secondary area, the secondary dispute's stage).
FOCUS_DETAIL = {
    0: ("renegotiation", "", ""),
    2: ("", "dispute", "impasse"),
    4: ("renegotiation", "", ""),
    8: ("dissolution", "", ""),
}

EVENTS = {
    "dispute": [
        "Another argument about money with their partner; they walked out of the room.",
        "Managed to raise the chores question calmly for the first time.",
        "Partner was away; felt relief, then guilt about feeling relief.",
    ],
    "grief": [
        "Sorted through some of their father's letters and cried for the first time.",
        "Went back to the walking group they used to attend with their mother.",
        "The anniversary is next month; sleep has been poor.",
    ],
    "transition": [
        "First week in the new job; felt out of their depth in meetings.",
        "Called an old friend from before the move and felt less alone.",
        "Unpacked the last boxes and hung photos from home.",
    ],
    "deficits": [
        "Said yes to a colleague's lunch invitation and enjoyed it.",
        "Spent the weekend alone and low; did not reply to a message.",
        "Joined the community garden on Saturday mornings.",
    ],
}
# The perinatal course's weeks: the transition to parenthood (fictional).
PERINATAL_EVENTS = [
    "The baby slept four hours in a row; went for a walk with the pram and a neighbour.",
    "Partner back at work; felt alone with the baby all day and cried in the evening.",
    "Asked their mother to take the baby for a morning and slept; felt guilty, then better.",
]
PERINATAL_FOCUS = (
    "Transition to parenthood: what the old role gave (work, friends, time as a couple) and "
    "what the new one asks; who can share the night feeds."
)
FOCUS = {
    "dispute": "Communication analysis of Tuesday's argument; explored what each expected.",
    "grief": "Talked about the relationship with the person who died, good and bad parts.",
    "transition": "Weighed what was lost with the old role against what the new one offers.",
    "deficits": "Looked at the pattern of pulling back when a friendship starts to matter.",
}
TECHNIQUES = {
    "dispute": ["communication_analysis", "clarification", "role_play"],
    "grief": ["exploration", "affect"],
    "transition": ["decision_analysis", "exploration"],
    "deficits": ["relationship", "role_play", "exploration"],
}


NO_RISK_REVIEW = "PHQ-9 item 9 not endorsed; no thoughts of self-harm reported."
NO_RISK_REVIEW_EPDS = "EPDS item 10 'never'; no thoughts of self-harm reported."


# The IPT-A course (docs/adolescents.md): a 15-year-old who changed school after the family
# moved across town; 7 of 12 weekly sessions of 45 minutes held after school, the mother at the
# first with the young person and alone at the third; the middle phase works on the move to
# the new school (a role transition). Who took part, each session (fictional).
ADOLESCENT_SESSIONS = [
    (
        "with_parent",
        "Came with their mother. Low and irritable since the start of term at the new school; "
        "stays in their room after school.",
        "Symptom review with the PHQ-A; depression explained to both as a common, treatable "
        "illness that is nobody's fault. Agreed what stays private and what is shared.",
    ),
    (
        "client",
        "Skipped two mornings of school this week; said the bus ride felt endless.",
        "Closeness circle: their mother and brother, the old friends, classmates and the form "
        "tutor at the new school. Events near the onset: the move across town and the change of "
        "school.",
    ),
    (
        "parent_only",
        "Mother alone: worried about the skipped mornings and the rows about the phone.",
        "The mother's part: depression is not laziness; keep school going with fewer demands "
        "for now; when she will join again.",
    ),
    (
        "client",
        "Went to school every day; sat alone at lunch on two days.",
        "Shared the formulation: the change of school, and the friends and place it took. Agreed "
        "the focus (role transition) and twelve sessions.",
    ),
    (
        "client",
        "Talked to one classmate, Ivy, in the art room.",
        "What the old school gave (friends since primary, the football team) and what is missed.",
    ),
    (
        "client",
        "Asked the form tutor about the after-school art club.",
        "The new school's good parts; practised asking to join the art club in a role play.",
    ),
    (
        "client",
        "Joined the art club on Thursday; texted an old friend at the weekend.",
        "Building support in the new role: the art club, Ivy, and keeping one old friendship.",
    ),
]


def _adolescent(client, today: date) -> None:
    """The IPT-A course of the young person the clients demo created (no shared randomness)."""
    fmt = "adolescent"
    defaults = protocol.defaults_for(fmt)
    clinician = client.care_team.get(role="clinician").user
    spacing = timedelta(days=defaults.spacing_days)
    # Wednesdays at four, after school; the last held session earlier this week or last week.
    last_day = today - timedelta(days=(today.weekday() - 2) % 7 or 7)
    first_day = last_day - spacing * (len(ADOLESCENT_SESSIONS) - 1)
    course = Course.objects.create(
        client=client,
        format=fmt,
        contracted_sessions=defaults.sessions,
        session_minutes=defaults.minutes,
        initial_last=defaults.initial_sessions,
        termination_first=defaults.sessions - defaults.termination_sessions + 1,
        start_date=first_day,
        status="active",
        focus="transition",
        goals="Go to school every day; one friend to sit with at lunch; an after-school club.",
        created_by=clinician,
    )
    Consent.objects.create(
        client=client, kind="treatment", given_on=first_day, recorded_by=clinician
    )
    agreed = Focus(areas=(("transition", ""),), agreed=True)
    for number, (participants, events, work) in enumerate(ADOLESCENT_SESSIONS, start=1):
        phase = course.phase_of(number)
        items = strategies.flat(strategies.groups(fmt, phase, agreed))
        session = Session.objects.create(
            course=course,
            clinician=clinician,
            starts_at=_moment(first_day + spacing * (number - 1), 16),
            minutes=defaults.minutes,
            mode="in_person",
            attendance="attended",
            participants=participants,
            agenda_format=fmt,
            agenda_done=[item.id for item in items],
        )
        signed = number < len(ADOLESCENT_SESSIONS)
        ProgressNote.objects.create(
            session=session,
            author=clinician,
            updated_by=clinician,
            mood=None if participants == "parent_only" else min(10, 2 + number // 2),
            interval_events=events,
            focus_work=work,
            techniques=["psychoeducation"] if phase == "initial" else ["exploration", "role_play"],
            # The measures demo rewrites the first session's, where PHQ-A item 9 was positive.
            risk_review="Mother alone: no new concerns about safety reported."
            if participants == "parent_only"
            else "PHQ-A item 9 'not at all'; no serious thoughts of ending their life in the past "
            "month; no attempt ever. No thoughts of self-harm reported.",
            plan="Next week: one lunchtime sitting with someone."
            if phase != "initial"
            else "Keep going to school every morning, even when it feels hard.",
            status="signed" if signed else "draft",
            signed_at=session.starts_at + timedelta(hours=2) if signed else None,
            signed_by=clinician if signed else None,
        )
    for ahead in range(2):
        Session.objects.create(
            course=course,
            clinician=clinician,
            starts_at=_moment(last_day + spacing * (1 + ahead), 16),
            minutes=defaults.minutes,
            mode="in_person",
        )


def _moment(day: date, hour: int) -> datetime:
    return timezone.make_aware(
        datetime.combine(day, time(hour, 0)), timezone.get_current_timezone()
    )


def seed(rng, context: dict) -> None:
    today = timezone.localdate()
    ring = keyring()
    for index, client in enumerate(context["clients"]):
        fmt, focus, held, status = PLANS[index % len(PLANS)]
        defaults = protocol.defaults_for(fmt)
        sessions_total = defaults.sessions
        clinician = client.care_team.get(role="clinician").user
        weekday = index % 5
        hour = 9 + (index * 2) % 8
        # Attendance of the past sessions, then their weekly dates ending last week or earlier
        # this week (on this client's weekday).
        past = []
        while past.count("attended") < held:
            missed = past.count("attended") > 1 and rng.random() < 0.08
            past.append(rng.choice(["cancelled", "no_show"]) if missed else "attended")
        spacing = timedelta(days=defaults.spacing_days)
        last_day = today - timedelta(days=(today.weekday() - weekday) % 7 or 7)
        first_day = last_day - spacing * max(len(past) - 1, 0)
        if not past:
            first_day = today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
        course = Course.objects.create(
            client=client,
            format=fmt,
            kind="maintenance" if fmt == "maintenance" else "acute",
            contracted_sessions=sessions_total,
            session_minutes=defaults.minutes,
            initial_last=defaults.initial_sessions,
            termination_first=sessions_total - defaults.termination_sessions + 1,
            start_date=first_day,
            status=status,
            # Agreed at the end of the initial phase: a course past it always has its focus.
            focus=focus if held >= defaults.initial_sessions else "",
            goals="Fewer arguments that end in silence; ask for help with the children."
            if focus == "dispute" and held >= 3
            else "",
            end_reason="Moved to another city for work; referred to a local service."
            if status == "ended_early"
            else "",
            ended_on=today - timedelta(days=10) if status == "ended_early" else None,
            created_by=clinician,
        )
        if status == "completed":
            # Ended with its last session; an IPC course with its closing triage.
            course.ended_on = last_day
            if fmt == "ipc":
                course.triage, course.triage_on = "finished", last_day
                course.triage_note = (
                    "PHQ-9 down from 14 to 6; settled in the new job. Will book a review if the "
                    "warning signs on the plan come back."
                )
            course.save()
        Consent.objects.create(
            client=client, kind="treatment", given_on=first_day, recorded_by=clinician
        )
        if index % 3 == 0:
            Consent.objects.create(
                client=client, kind="portal", given_on=first_day, recorded_by=clinician
            )
        client.date_of_birth = date(
            1960 + rng.randrange(45), rng.randrange(1, 13), rng.randrange(1, 28)
        )
        client.phone = f"555-01{index:02d}"
        client.pronouns = rng.choice(["she/her", "he/him", "they/them", ""])
        client.save(update_fields=["date_of_birth", "phone", "pronouns"])
        stage, secondary, secondary_stage = FOCUS_DETAIL.get(index % len(PLANS), ("", "", ""))
        areas = ((focus, stage), (secondary, secondary_stage)) if secondary else ((focus, stage),)
        if course.focus:
            context.setdefault("focus_areas", {})[course.pk] = areas
        agreed = Focus(areas=areas, agreed=True)
        mood = rng.randrange(2, 5)
        number = 0
        for week, attendance in enumerate(past):
            day = first_day + spacing * week
            session = Session.objects.create(
                course=course,
                clinician=clinician,
                starts_at=_moment(day, hour),
                minutes=defaults.minutes,
                mode=rng.choice(["in_person", "in_person", "video"]),
                attendance=attendance,
            )
            if attendance != "attended":
                continue
            number += 1
            phase = course.phase_of(number)
            items = strategies.flat(strategies.groups(fmt, phase, agreed))
            session.agenda_done = [item.id for item in items if rng.random() < 0.85]
            session.agenda_format = fmt
            session.save(update_fields=["agenda_done", "agenda_format"])
            mood = max(0, min(10, mood + rng.choice([-1, 0, 1, 1, 1])))
            signed = number < held or status != "active"
            ProgressNote.objects.create(
                session=session,
                author=clinician,
                updated_by=clinician,
                mood=mood,
                interval_events=rng.choice(
                    PERINATAL_EVENTS if fmt == "perinatal" else EVENTS[focus]
                ),
                focus_work=(PERINATAL_FOCUS if fmt == "perinatal" else FOCUS[focus])
                if phase != "initial"
                else "Symptom review, inventory of important people, events around onset.",
                techniques=TECHNIQUES[focus] if phase != "initial" else ["psychoeducation"],
                # The measures demo rewrites this where the session's PHQ-9 item 9 (or EPDS
                # item 10) was positive.
                risk_review=NO_RISK_REVIEW_EPDS if fmt == "perinatal" else NO_RISK_REVIEW,
                plan="Next week: notice one moment of connection."
                if phase != "termination"
                else "Review warning signs and the plan for after the last session.",
                status="signed" if signed else "draft",
                signed_at=session.starts_at + timedelta(hours=2) if signed else None,
                signed_by=clinician if signed else None,
            )
        if status in ("active", "planned"):
            # The next two sessions, in the coming days and a week later.
            for ahead in range(2):
                if number + ahead >= sessions_total:
                    break
                day = last_day + spacing * (1 + ahead) if past else (first_day + spacing * ahead)
                Session.objects.create(
                    course=course,
                    clinician=clinician,
                    starts_at=_moment(day, hour),
                    minutes=defaults.minutes,
                    mode="video" if ahead else "in_person",
                )
        if status == "completed" or number >= course.termination_first or fmt == "maintenance":
            RelapsePlan.objects.create(
                course=course,
                updated_by=clinician,
                warning_signs="Staying in bed after the alarm; cancelling plans with friends.",
                what_helped="Saying what I need early, before I am angry; the Saturday walk.",
                people="My sister Ana (fictional); my neighbour; the clinic on 555-0100.",
                what_to_do="Call my sister, book a review with the clinic, restart the walks.",
            )
    if context.get("adolescent") is not None:
        _adolescent(context["adolescent"], today)
    _calendar_examples(context["clients"][0])
    _remote_session_example(context["clients"][0])
    _supervision_examples(context, today)
    # A private process note for the demo clinician (encrypted; only they can read it).
    first = context["clients"][0].courses.get().sessions.filter(attendance="attended").first()
    if first is not None:
        ProcessNote.objects.create(
            session=first,
            author=first.clinician,
            ciphertext=ring.encrypt("My own reaction: I felt protective, watch for rescuing."),
        )
    context.setdefault("counts", {}).update(
        courses=Course.objects.filter(client__in=context["clients"]).count(),
        sessions=Session.objects.filter(course__client__in=context["clients"]).count(),
    )


def _calendar_examples(client) -> None:
    """The first client agreed to email reminders (so the worker queues theirs, readable on
    Clinic → Outgoing mail), and had a session two hours ago whose attendance nobody recorded
    yet: the calendar flags it."""
    course = client.courses.get()
    clinician = client.care_team.get(role="clinician").user
    if not client.email:
        client.email = "reminders.client@demo.gentle.test"
        client.save(update_fields=["email"])
    Consent.objects.create(
        client=client, kind="messages", given_on=course.start_date, recorded_by=clinician
    )
    starts_at = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    if overlapping(clinician, starts_at, course.session_minutes):
        return
    Session.objects.create(
        course=course,
        clinician=clinician,
        starts_at=starts_at,
        minutes=course.session_minutes,
        mode="video",
    )


def _remote_session_example(client) -> None:
    """The first client's latest session held was by video: it began with the remote check,
    and in it the client played Tomás (a role reversal) before rehearsing the budget talk that
    the role-play demo shows they had practised at home with the automated partner."""
    session = (
        Session.objects.filter(course__client=client, attendance="attended")
        .order_by("-starts_at")
        .first()
    )
    if session is None:
        return
    session.mode = "video"
    session.save(update_fields=["mode"])
    clinician = session.clinician
    RemoteCheck.objects.create(
        session=session,
        location="At home, in the bedroom with the door closed (fictional address: 14 Elm Road).",
        privacy="private",
        with_whom="Nobody; Tomás is at work until six.",
        emergency_contact="Local emergency number 112 (demo); their sister Ana, 555-0142 "
        "(fictional), who lives ten minutes away.",
        recorded_by=clinician,
        recorded_at=session.starts_at + timedelta(minutes=2),
    )
    RolePlay.objects.create(
        session=session,
        kind="role_reversal",
        other_person="Tomás",
        practised="The client played Tomás while the clinician raised the budget the way the "
        "client usually does, starting with 'you never tell me'.",
        how_it_felt="Surprised how attacked Tomás might feel; 'I would get defensive too'.",
        next_step="Start with how they feel, then ask for Sunday evenings.",
        recorded_by=clinician,
        recorded_at=session.starts_at + timedelta(minutes=30),
    )
    RolePlay.objects.create(
        session=session,
        kind="clinician_as_other",
        other_person="Tomás",
        practised="Asking to look at big payments together on Sunday evenings, in their own "
        "words, with the clinician playing Tomás a little defensive.",
        how_it_felt="Calmer the second time; still rushed the ask.",
        next_step="Try it at home this week, once, and stop after the one ask.",
        recorded_by=clinician,
        recorded_at=session.starts_at + timedelta(minutes=40),
    )


def _supervision_examples(context: dict, today: date) -> None:
    """What the demo supervisor reads on their home (ADR 0055): a comment on the demo
    clinician's dispute course that the clinician answered, one on their role-transition course
    still waiting for an answer, and last week's supervision meeting in the clinician's log."""
    supervisor = context["users"]["supervisor"]
    clients = context["clients"]
    dispute, transition = clients[0].courses.get(), clients[2].courses.get()
    clinician = dispute.client.care_team.get(role="clinician").user
    session = (
        dispute.sessions.filter(attendance="attended", note__status="signed")
        .order_by("-starts_at")
        .first()
    )
    asked = _moment(today - timedelta(days=4), 18)
    thread = SupervisionComment.objects.create(
        course=dispute,
        session=session,
        author=supervisor,
        text="You wrote that the dispute is at the renegotiation stage. Did you check that "
        "with her, and what did she say?",
        created_at=asked,
    )
    SupervisionComment.objects.create(
        course=dispute,
        session=session,
        reply_to=thread,
        author=clinician,
        text="Yes: they still talk, but every talk ends in the same argument about the "
        "children. We will role-play asking him for help next session.",
        created_at=asked + timedelta(days=1),
    )
    SupervisionComment.objects.create(
        course=transition,
        author=supervisor,
        text="Ten sessions in: is the ending on the agenda yet? Plan with her how you will "
        "mark it, and what she will watch for afterwards.",
        created_at=_moment(today - timedelta(days=1), 17),
    )
    meeting = SupervisionMeeting.objects.create(
        clinic=dispute.client.clinic,
        supervisor=supervisor,
        clinician=clinician,
        held_on=today - timedelta(days=7),
        minutes=50,
        topics="The dispute course: which stage, and whether the client sees it so. The "
        "role-transition course: preparing its ending.",
        actions="Check the dispute's stage with the client. Raise the ending at the next "
        "session of the transition course.",
    )
    meeting.courses.set([dispute, transition])


def remove(clinic_slug: str) -> None:
    SupervisionMeeting.objects.filter(clinic__slug=clinic_slug).delete()
    Course.objects.filter(client__clinic__slug=clinic_slug).delete()
