"""Scale benchmark: every main page and API read on the demo's data and on one clinic at a
programme's size, in-process, as each role (issue 20, item 2).

Run from the project root:

    .venv/bin/python bench/scale.py --scale 0.1                     # SQLite
    bin/with-postgres .venv/bin/python bench/scale.py --scale 0.1   # PostgreSQL

It builds a throwaway installation (`migrate`, `seed-demo`, the clinic statistics the worker
computes hourly) and measures it: signed in with Django's test client as the demo's clinician,
supervisor, administrator and client, it requests every page of ``pages()`` once unmeasured, once
counting queries, then ``--repeat`` times in each of ``--rounds`` rounds over all the pages, and
keeps the lowest round's median time and the answer's size (``measure``). Then
``seed_scale`` grows the demo clinic to 50 clinicians, 10,000 clients and the rest of ``FULL``,
times ``--scale``, the statistics are computed again, `audit verify` runs, and every page is
measured again. The comparison is written as a Markdown table to
bench/results/scale-<vendor>-<scale>.md, and with ``--write-docs`` every such result is put in
docs/performance.md under "Scale". This is a measurement, not a test: it only reports statuses.

With ``--sweep`` it also opens, as each role, every other page that answers GET (``sweep_pages``:
each route without parameters, or with only the ids of the demo's own records), on both data
sizes, and lists those over the targets: the main pages are a choice, and a page left out of
it can still grow with the clinic (the calendar's booking form listed every open course).
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
DOCS = ROOT / "docs" / "performance.md"
SEED = 20261203
BATCH = 5000

# One clinic at a programme's size (scale 1). The audit log is ten times its normal size: about
# 200,000 rows would be written creating the clients, courses, teams and sessions (one row each)
# and a year's sign-ins; the benchmark writes 2,000,000.
FULL = {
    "clinicians": 50,
    "clients": 10_000,
    "sessions": 150_000,
    "administrations": 1_000_000,
    "diary_entries": 100_000,
    "inventory_people": 50_000,
    "life_events": 20_000,
    "open_alerts": 2_000,
    "audit_rows": 2_000_000,
}
TARGET_RATIO, TARGET_MS, TARGET_KB = 3.0, 150.0, 100.0
# One new client in five has a portal login: a Membership with the client role, on the
# administrator's People page.
PORTAL_SHARE = 5
# The outbox: a sent reminder for every session whose reminder time (the day before) has passed,
# as if none had been deleted yet (sent mail is kept 90 days: this is more than a clinic keeps,
# as the audit log is); among them, after every ACCOUNT_MAIL_EVERY-th, a password reset (an
# account message, no clinic) to one of the clinic's people, and after every tenth of those one
# to an address with no account.
ACCOUNT_MAIL_EVERY = 50


def counts_for(scale: float) -> dict[str, int]:
    """The number of each kind of row the seeder adds at ``scale`` (at least 1; 2 clinicians)."""
    counts = {name: max(1, round(n * scale)) for name, n in FULL.items()}
    counts["clinicians"] = max(2, counts["clinicians"])
    return counts


# --- seeding -------------------------------------------------------------------------------


def _bulk(model, rows, batch: int = BATCH) -> None:
    for start in range(0, len(rows), batch):
        model.objects.bulk_create(rows[start : start + batch], batch_size=batch)


def _answer_bank(rng: random.Random) -> dict[str, list[tuple[dict, dict]]]:
    """Valid answers and their scores (scored by Gentle's own scorer) for every PHQ-9 and GAD-7
    total, so that a million administrations cost no scoring."""
    from gentle.measures.instruments import catalogue
    from gentle.measures.scoring import check, score_all

    bank: dict[str, list[tuple[dict, dict]]] = {}
    for key, count in (("phq9", 9), ("gad7", 7)):
        instrument = catalogue()[key]
        bank[key] = []
        for total in range(0, count * 3 + 1):
            values = [0] * count
            while sum(values) < total:
                index = rng.randrange(count)
                if values[index] < 3:
                    values[index] += 1
            answers: dict = {f"{key}_{n}": v for n, v in enumerate(values, start=1)}
            for missing in check(instrument, answers):
                answers[missing] = min(3, total // 7)
            assert not check(instrument, answers), (key, total, check(instrument, answers))
            scores = {r.score.id: r.value for r in score_all(instrument, answers)}
            bank[key].append((answers, scores))
    return bank


def seed_scale(scale: float, *, seed: int = SEED, log=print) -> dict[str, int]:
    """Grow the demo clinic (``seed-demo`` first) by ``counts_for(scale)`` rows, reproducibly.

    Rows are built in memory and written with bulk_create inside one transaction. The audit rows
    are appended to the existing chain with Gentle's own hashing, so `gentle audit verify`
    passes. The demo's clinician gets an ordinary share of the new caseload and the demo's
    supervisor supervises a fifth of the clinicians, so their pages grow with the clinic."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from gentle.accounts.demo import DEMO_CLINIC_SLUG
    from gentle.accounts.models import Clinic, Membership, Role, Supervision, User
    from gentle.audit.chain import keyed_row_hash
    from gentle.audit.log import audit_keys
    from gentle.audit.migrations._append_only import guards, missing_guards, unguards
    from gentle.audit.models import AuditEvent, AuditHead
    from gentle.audit.names import Action
    from gentle.clients.models import CareTeamMember, Client, TeamRole
    from gentle.courses.models import Attendance, Course, NoteStatus, ProgressNote, Session
    from gentle.demo import DEMO_DOMAIN
    from gentle.formulation.models import Formulation
    from gentle.inventory.models import Person
    from gentle.measures.instruments import catalogue
    from gentle.measures.models import Administration, Mode, Status
    from gentle.notify.models import MailStatus, OutboundMail, Purpose
    from gentle.safety.models import Alert, Severity
    from gentle.timeline.models import DiaryEntry, LifeEvent

    rng = random.Random(seed)
    counts = counts_for(scale)
    clinic = Clinic.objects.get(slug=DEMO_CLINIC_SLUG)
    demo_clinician = User.objects.get(email=f"clinician@{DEMO_DOMAIN}")
    demo_supervisor = User.objects.get(email=f"supervisor@{DEMO_DOMAIN}")
    now = timezone.now().replace(microsecond=0)
    unusable = make_password(None)
    started = time.monotonic()

    def step(name: str) -> None:
        log(f"  {name}: {time.monotonic() - started:.0f} s")

    with transaction.atomic():
        emails = [f"scale-clinician-{n}@{DEMO_DOMAIN}" for n in range(1, counts["clinicians"])]
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        _bulk(
            User,
            [
                User(email=email, display_name=f"Clinician {n}", password=unusable)
                for n, email in enumerate(emails, start=1)
                if email not in existing
            ],
        )
        clinicians = [demo_clinician, *User.objects.filter(email__in=emails).order_by("pk")]
        _bulk(
            Membership,
            [
                Membership(user=u, clinic=clinic, role=Role.CLINICIAN)
                for u in clinicians[1:]
                if u.email not in existing
            ],
        )
        supervised = clinicians[: max(1, len(clinicians) // 5)]
        Supervision.objects.filter(clinic=clinic, supervisor=demo_supervisor).delete()
        _bulk(
            Supervision,
            [
                Supervision(clinic=clinic, supervisor=demo_supervisor, clinician=c)
                for c in supervised
            ],
        )

        surnames = [
            f"{a}{b}"
            for a in ("Ash", "Birch", "Cedar", "Elm", "Fir", "Hazel", "Oak", "Pine", "Rowan", "Yew")
            for b in ("by", "ford", "ley", "ton", "wood", "well", "field", "more")
        ]
        given = [
            "Alex",
            "Blair",
            "Casey",
            "Dana",
            "Eden",
            "Finley",
            "Gray",
            "Harper",
            "Indy",
            "Jules",
            "Kai",
            "Lee",
            "Morgan",
            "Noor",
            "Oakley",
            "Parker",
            "Quinn",
            "Reese",
            "Sam",
            "Tate",
        ]
        portal_emails = [
            f"scale-portal-{n}@{DEMO_DOMAIN}" for n in range(counts["clients"] // PORTAL_SHARE)
        ]
        existing = set(
            User.objects.filter(email__startswith="scale-portal-").values_list("email", flat=True)
        )
        _bulk(
            User,
            [
                User(email=email, display_name=f"Portal {n}", password=unusable)
                for n, email in enumerate(portal_emails)
                if email not in existing
            ],
        )
        portal = dict(
            User.objects.filter(email__in=portal_emails).order_by("pk").values_list("pk", "email")
        )
        portal_ids = list(portal)
        members = set(
            Membership.objects.filter(
                clinic=clinic, role=Role.CLIENT, user_id__in=portal_ids
            ).values_list("user_id", flat=True)
        )
        _bulk(
            Membership,
            [
                Membership(user_id=pk, clinic=clinic, role=Role.CLIENT)
                for pk in portal_ids
                if pk not in members
            ],
        )
        first_new = (Client.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        _bulk(
            Client,
            [
                Client(
                    clinic=clinic,
                    given_name=rng.choice(given),
                    family_name=f"{rng.choice(surnames)}-{n}",
                    created_at=now - timedelta(days=rng.randrange(1, 700)),
                    user_id=portal_ids[n // PORTAL_SHARE]
                    if n % PORTAL_SHARE == 0 and n // PORTAL_SHARE < len(portal_ids)
                    else None,
                )
                for n in range(counts["clients"])
            ],
        )
        clients = list(
            Client.objects.filter(clinic=clinic, pk__gte=first_new).values_list("pk", flat=True)
        )
        owner = {pk: clinicians[i % len(clinicians)] for i, pk in enumerate(clients)}
        _bulk(
            CareTeamMember,
            [
                CareTeamMember(client_id=pk, user=owner[pk], role=TeamRole.CLINICIAN)
                for pk in clients
            ],
        )
        step("clinicians, portal logins, clients and care teams")

        starts = {pk: date.today() - timedelta(days=rng.randrange(0, 400)) for pk in clients}
        statuses = ["active"] * 3 + ["completed"] * 2 + ["planned"]
        _bulk(
            Course,
            [
                Course(
                    client_id=pk,
                    format="individual",
                    contracted_sessions=16,
                    session_minutes=50,
                    initial_last=3,
                    termination_first=13,
                    start_date=starts[pk],
                    status=rng.choice(statuses),
                    focus=rng.choice(["grief", "dispute", "transition", "deficits"]),
                    created_by=owner[pk],
                )
                for pk in clients
            ],
        )
        course_of, focus_of = {}, {}
        for client_id, course_id, focus in Course.objects.filter(
            client__clinic=clinic, client_id__gte=first_new
        ).values_list("client_id", "pk", "focus"):
            course_of[client_id], focus_of[course_id] = course_id, focus
        step("courses")

        sessions = []
        reminders: list[tuple[datetime, int]] = []
        for n in range(counts["sessions"]):
            pk = clients[n % len(clients)]
            week = n // len(clients)
            starts_at = datetime.combine(starts[pk], datetime.min.time(), UTC) + timedelta(
                days=7 * week, hours=9 + rng.randrange(8)
            )
            sessions.append(
                Session(
                    course_id=course_of[pk],
                    clinician=owner[pk],
                    starts_at=starts_at,
                    minutes=50,
                    mode=rng.choice(["in_person", "video", "phone"]),
                    attendance=Attendance.ATTENDED if starts_at < now else Attendance.SCHEDULED,
                )
            )
            if starts_at - timedelta(days=1) <= now:
                reminders.append((starts_at - timedelta(days=1), pk))
        _bulk(Session, sessions)
        del sessions
        step("sessions")

        # In the order they were sent, as the outbox's ids are.
        reminders.sort()
        address = {pk: f"scale-client-{pk}@{DEMO_DOMAIN}" for pk in clients}
        account_to = [*portal.values(), *(u.email for u in clinicians)]
        mails = []
        for n, (sent_at, pk) in enumerate(reminders):
            values = {"status": MailStatus.SENT, "attempts": 1, "sent_at": sent_at}
            mails.append(
                OutboundMail(
                    to=address[pk],
                    subject="Appointment reminder",
                    clinic_id=clinic.pk,
                    purpose=Purpose.SESSION_REMINDER,
                    created_at=sent_at,
                    **values,
                )
            )
            if n % ACCOUNT_MAIL_EVERY == 0:
                unknown = n % (ACCOUNT_MAIL_EVERY * 10) == 0
                mails.append(
                    OutboundMail(
                        to=f"nobody-{n}@example.org"
                        if unknown
                        else account_to[(n // ACCOUNT_MAIL_EVERY) % len(account_to)],
                        subject="Password reset",
                        purpose=Purpose.UNKNOWN_ACCOUNT if unknown else Purpose.PASSWORD_RESET,
                        created_at=sent_at,
                        **values,
                    )
                )
        del reminders
        _bulk(OutboundMail, mails)
        del mails
        step("outgoing mail")

        # As in a clinic: a progress note for every held session, signed within a day or two;
        # a few still drafts after 48 hours (the supervisor's "stale drafts"), and the last
        # two days' partly unsigned. A formulation for every course past its initial phase,
        # agreed with the client in nineteen of twenty (the rest are the "no agreed focus"
        # list); some courses still in their initial phase have a draft one.
        held_of: dict[int, int] = {}
        notes = []
        for pk, course_id, clinician_id, starts_at in (
            Session.objects.filter(course__client_id__gte=first_new, attendance=Attendance.ATTENDED)
            .order_by("pk")
            .values_list("pk", "course_id", "clinician_id", "starts_at")
        ):
            held_of[course_id] = held_of.get(course_id, 0) + 1
            recent = starts_at > now - timedelta(days=2)
            draft = rng.random() < (0.5 if recent else 0.005)
            signed_at = (
                None if draft else min(now, starts_at + timedelta(hours=rng.randrange(1, 30)))
            )
            notes.append(
                ProgressNote(
                    session_id=pk,
                    author_id=clinician_id,
                    mood=rng.randrange(11),
                    focus_work="Worked on the focus.",
                    status=NoteStatus.DRAFT if draft else NoteStatus.SIGNED,
                    updated_at=signed_at or starts_at + timedelta(hours=1),
                    updated_by_id=clinician_id,
                    signed_at=signed_at,
                    signed_by_id=None if draft else clinician_id,
                )
            )
            if len(notes) == BATCH * 4:
                _bulk(ProgressNote, notes)
                notes = []
        _bulk(ProgressNote, notes)
        formulations = []
        for pk in clients:
            course_id, held = course_of[pk], held_of.get(course_of[pk], 0)
            agreed = held > 3 and rng.random() < 0.95
            if agreed or rng.random() < 0.3:
                formulations.append(
                    Formulation(
                        course_id=course_id,
                        primary_area=focus_of[course_id],
                        agreed_on=starts[pk] + timedelta(days=21) if agreed else None,
                        updated_at=now,
                        updated_by=owner[pk],
                    )
                )
        _bulk(Formulation, formulations)
        step("progress notes and formulations")

        bank = _answer_bank(rng)
        versions = {key: catalogue()[key].version for key in bank}
        rows = []
        for n in range(counts["administrations"]):
            pk = clients[n % len(clients)]
            index = n // len(clients)
            key = "phq9" if n % 2 == 0 else "gad7"
            top = len(bank[key]) - 1
            # Down from two thirds of the range by a point every four, to a third at the least.
            fall = min(index // 4, top // 3)
            total = max(0, min(top, top * 2 // 3 - fall + rng.randrange(-3, 4)))
            answers, scores = bank[key][total]
            at = now - timedelta(days=(index * 3) % 700, minutes=rng.randrange(600))
            rows.append(
                Administration(
                    client_id=pk,
                    course_id=course_of[pk],
                    instrument_id=key,
                    instrument_version=versions[key],
                    mode=Mode.IN_SESSION,
                    status=Status.SUBMITTED,
                    created_by=owner[pk],
                    created_at=at,
                    answers=answers,
                    scores=scores,
                    submitted_at=at,
                    submitted_by=owner[pk],
                )
            )
            if len(rows) == BATCH * 4:
                _bulk(Administration, rows)
                rows = []
        _bulk(Administration, rows)
        step("administrations")

        _bulk(
            DiaryEntry,
            [
                DiaryEntry(
                    client_id=clients[n % len(clients)],
                    day=date.today() - timedelta(days=n // len(clients)),
                    mood=rng.randrange(11),
                )
                for n in range(counts["diary_entries"])
            ],
        )
        _bulk(
            Person,
            [
                Person(
                    client_id=clients[n % len(clients)],
                    name=f"Person {n // len(clients) + 1}",
                    name_key=f"person {n // len(clients) + 1}",
                    relationship=rng.choice(["partner", "friend", "parent", "colleague"]),
                    ring=rng.randrange(1, 4),
                    updated_by=owner[clients[n % len(clients)]],
                )
                for n in range(counts["inventory_people"])
            ],
        )
        _bulk(
            LifeEvent,
            [
                LifeEvent(
                    client_id=clients[n % len(clients)],
                    category=rng.choice(["move", "new_job", "conflict", "illness"]),
                    description="Life event",
                    precision="year",
                    year=2000 + rng.randrange(26),
                    created_by=owner[clients[n % len(clients)]],
                )
                for n in range(counts["life_events"])
            ],
        )
        _bulk(
            Alert,
            [
                Alert(
                    client_id=clients[n % len(clients)],
                    source="scale",
                    source_id=str(n),
                    rule_id="phq9_item9",
                    severity=rng.choice([Severity.LOW, Severity.MODERATE, Severity.HIGH]),
                    reason="PHQ-9 item 9 above 0",
                    raised_at=now - timedelta(hours=rng.randrange(1, 2000)),
                )
                for n in range(counts["open_alerts"])
            ],
        )
        step("diary, inventory, life events and alerts")

        keys = audit_keys()
        head = AuditHead.objects.select_for_update().get(pk=1)
        seq, prev = head.seq, head.hash
        actions = [Action.CLIENT_VIEW.value, Action.AUTH_LOGIN.value, Action.SESSION_CREATE.value]
        at = now - timedelta(days=365)
        step_time = timedelta(days=365) / counts["audit_rows"]
        rows = []
        for _ in range(counts["audit_rows"]):
            seq += 1
            at += step_time
            actor = clinicians[seq % len(clinicians)]
            values = {
                "seq": seq,
                "at": at.replace(microsecond=at.microsecond),
                "actor_id": actor.pk,
                "actor_label": actor.email,
                "role": "clinician",
                "clinic_id": clinic.pk,
                "client_id": clients[seq % len(clients)],
                "object_type": "client",
                "object_id": str(clients[seq % len(clients)]),
                "action": actions[seq % len(actions)],
                "detail": "",
                "ip": "127.0.0.1",
                "visitor": "",
                "request_id": f"scale-{seq}",
                "key_id": keys.current_id,
            }
            digest = keyed_row_hash(values, prev, keys.current)
            rows.append(AuditEvent(prev_hash=prev, hash=digest, **values))
            prev = digest
            if len(rows) == BATCH * 4:
                _bulk(AuditEvent, rows)
                rows = []
        _bulk(AuditEvent, rows)
        # The head's guard lets it advance one row at a time; the bulk append moves it once, so
        # the guards are lifted for that one update and put back in the same transaction.
        with connection.cursor() as cursor:
            for statement in unguards(connection.vendor):
                cursor.execute(statement)
            AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev)
            for statement in guards(connection.vendor):
                cursor.execute(statement)
        assert not missing_guards(connection), missing_guards(connection)
        step("audit log")
    return counts


# --- measuring -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    role: str
    url: str


@dataclass(frozen=True)
class Measure:
    page: str
    role: str
    ms: float
    queries: int
    kb: float
    status: int


def demo_ids() -> dict[str, int]:
    """The ids of the demo's own records that the pages open, the same on small and large data:
    its client, that client's latest course and its first session, the client's first answered
    questionnaire, the demo clinician, and the clinic's first alert if there is one."""
    from gentle.accounts.models import User
    from gentle.clients.models import Client
    from gentle.courses.models import Course
    from gentle.demo import DEMO_DOMAIN
    from gentle.measures.models import Administration, Status
    from gentle.safety.models import Alert

    client = Client.objects.get(user__email=f"client@{DEMO_DOMAIN}")
    course = Course.objects.filter(client=client).order_by("-start_date", "-pk").first()
    answered = Administration.objects.filter(client=client, status=Status.SUBMITTED)
    alert = Alert.objects.filter(client__clinic=client.clinic).order_by("pk").first()
    ids = {
        "client_id": client.pk,
        "course_id": course.pk,
        "session_id": course.sessions.order_by("starts_at", "pk").first().pk,
        "administration_id": answered.first().pk,
        "user_id": User.objects.get(email=f"clinician@{DEMO_DOMAIN}").pk,
    }
    if alert is not None:
        ids["alert_id"] = alert.pk
    return ids


def pages() -> list[Page]:
    """The pages measured, with the demo's own records (``demo_ids``)."""
    from django.urls import reverse

    from gentle.audit.models import AuditHead
    from gentle.notify.models import OutboundMail

    ids = demo_ids()
    head = AuditHead.objects.get(pk=1).seq
    last_mail = OutboundMail.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    c = {"client_id": ids["client_id"]}
    clinician = {"user_id": ids["user_id"]}
    result = [
        Page("Home", "clinician", reverse("home")),
        Page("Caseload", "clinician", reverse("caseload")),
        Page("Caseload, search", "clinician", reverse("caseload") + "?q=Ash"),
        # Inside a name (Birchwood), through the search index (ADR 0031).
        Page("Caseload, search inside a name", "clinician", reverse("caseload") + "?q=rchwo"),
        Page("Caseload, phase filter", "clinician", reverse("caseload") + "?phase=middle"),
        Page("Client list", "clinician", reverse("client_list")),
        Page("Client page", "clinician", reverse("client_detail", kwargs=c)),
        Page("Measures page", "clinician", reverse("client_measures", kwargs=c)),
        Page(
            "Course", "clinician", reverse("course_detail", kwargs={"course_id": ids["course_id"]})
        ),
        Page(
            "Session",
            "clinician",
            reverse("session_detail", kwargs={"session_id": ids["session_id"]}),
        ),
        Page("Inventory", "clinician", reverse("inventory", kwargs=c)),
        Page("Timeline", "clinician", reverse("timeline", kwargs=c)),
        Page("Calendar", "clinician", reverse("calendar_week")),
        # A form listing every open course of the clinician's (about 200 at this size).
        Page("Book a session", "clinician", reverse("calendar_book")),
        Page(
            "API administration",
            "clinician",
            reverse(
                "api_administration_detail",
                kwargs={"administration_id": ids["administration_id"]},
            ),
        ),
        # The API's lists (ADR 0062), first page of each, as the browser session reads them.
        Page("API clients", "clinician", reverse("api_clients")),
        Page("API client's courses", "clinician", reverse("api_client_courses", kwargs=c)),
        Page("API client's sessions", "clinician", reverse("api_client_sessions", kwargs=c)),
        Page(
            "API client's administrations",
            "clinician",
            reverse("api_client_administrations", kwargs=c),
        ),
        Page(
            "API course outcome",
            "clinician",
            reverse("api_course_outcome", kwargs={"course_id": ids["course_id"]}),
        ),
        Page("API clients", "supervisor", reverse("api_clients")),
        Page("Home", "supervisor", reverse("home")),
        Page("Caseload", "supervisor", reverse("caseload")),
        Page("Client list", "supervisor", reverse("client_list")),
        Page("Measures page", "supervisor", reverse("client_measures", kwargs=c)),
        # The demo clinician's log, whose meeting form lists their open courses.
        Page("Supervision log", "supervisor", reverse("supervision_log", kwargs=clinician)),
        Page("Home", "administrator", reverse("home")),
        Page("Audit log, page 1", "administrator", reverse("audit_log")),
        Page(
            "Audit log, deep",
            "administrator",
            reverse("audit_log") + f"?after={max(1, head - 50_000)}",
        ),
        # A rare family of actions among the 2,000,000 rows (issue 20: 600 ms when the log was
        # read newest first until 50 were found).
        Page("Audit log, one family", "administrator", reverse("audit_log") + "?action=alert"),
        Page("Client records", "administrator", reverse("clinic_clients")),
        Page("Client records, search", "administrator", reverse("clinic_clients") + "?q=rchwo"),
        Page("People", "administrator", reverse("clinic_people")),
        # The clients with a portal login, one in five of the clients.
        Page("People, clients", "administrator", reverse("clinic_people") + "?show=clients"),
        # The clinic's reminders and its people's account mail, newest first (ADR 0027).
        Page("Outgoing mail", "administrator", reverse("outgoing_mail")),
        Page(
            "Outgoing mail, deep",
            "administrator",
            reverse("outgoing_mail") + f"?after={max(1, last_mail - 50_000)}",
        ),
        Page("Outcome report", "administrator", reverse("outcome_report")),
        Page("Portal home", "client", reverse("portal_home")),
        Page("My progress", "client", reverse("portal_progress")),
        Page("Questionnaires", "client", reverse("portal_questionnaires")),
        Page("Diary", "client", reverse("portal_diary")),
        Page("My people", "client", reverse("portal_people")),
    ]
    if "alert_id" in ids:
        before = next(i for i, page in enumerate(result) if page.name == "API administration")
        result.insert(
            before,
            Page(
                "Alert", "clinician", reverse("alert_detail", kwargs={"alert_id": ids["alert_id"]})
            ),
        )
    return result


ROLE_LOGINS = {
    "clinician": "clinician",
    "supervisor": "supervisor",
    "administrator": "admin",
    "client": "client",
}


# Routes the sweep leaves out: downloads and files (exports, PDFs, letters, FHIR, calendar feeds,
# CSV), signing out, changing the language, confirming a password again, and the health check.
SWEEP_SKIPPED = re.compile(
    r"logout|export|download|pdf|letter|fhir|print|ical|feed|_csv$|healthz|set_language"
    r"|reauthenticate"
)


def sweep_pages() -> list[Page]:
    """Every route that ``pages`` does not measure, as each role, for ``--sweep``: those with
    no parameters, and those whose parameters are all ids of the demo's own records
    (``demo_ids``). Pages a role may not open answer 404 or send elsewhere; the sweep keeps
    those that answer 200 on both data sizes."""
    from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse

    ids = demo_ids()
    names: list[str] = []

    def walk(patterns, namespace: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif pattern.name and not SWEEP_SKIPPED.search(pattern.name):
                names.append(namespace + pattern.name)

    resolver = get_resolver()
    walk(resolver.url_patterns)
    measured = {page.url for page in pages()}
    urls = []
    for name in dict.fromkeys(names):
        # The route's parameters, from the first of its forms.
        params: list[str] = []
        for possibilities, *_rest in resolver.reverse_dict.getlist(name):
            params = list(possibilities[0][1])
            break
        if not set(params) <= ids.keys():
            continue
        try:
            url = reverse(name, kwargs={param: ids[param] for param in params})
        except NoReverseMatch:
            continue
        if url not in measured and not SWEEP_SKIPPED.search(url):
            urls.append((name, url))
    return [Page(name, role, url) for name, url in urls for role in ROLE_LOGINS]


def measure(
    repeat: int = 5, rounds: int = 1, shown: list[Page] | None = None, answered: bool = False
) -> list[Measure]:
    """Request every page as its role: once unmeasured, once counting queries, then ``repeat``
    times in each of ``rounds`` rounds over all the pages. A page's time is the lowest of its
    rounds' medians: on a shared machine a slow spell of a few seconds lifts every request of
    one round (the same page of the same code measured 65 or 100 ms from one run to the next),
    and rounds minutes apart rarely all fall in one."""
    from django.db import connection
    from django.test import Client as HttpClient

    from gentle.accounts.models import User
    from gentle.demo import DEMO_DOMAIN

    browsers = {}
    for role, login in ROLE_LOGINS.items():
        browsers[role] = HttpClient()
        browsers[role].force_login(User.objects.get(email=f"{login}@{DEMO_DOMAIN}"))
    shown = pages() if shown is None else shown
    counted = []
    for page in shown:
        http = browsers[page.role]
        http.get(page.url)  # warm-up: templates compiled, caches filled
        executed: list[str] = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = http.get(page.url)
        counted.append((len(executed), len(response.content) / 1024, response.status_code))
    if answered:  # only the pages that answered 200 are timed
        kept = [(page, c) for page, c in zip(shown, counted, strict=True) if c[2] == 200]
        shown, counted = [page for page, _c in kept], [c for _page, c in kept]
    medians: list[list[float]] = [[] for _ in shown]
    for _ in range(rounds):
        for page, found in zip(shown, medians, strict=True):
            http = browsers[page.role]
            times = []
            for _ in range(repeat):
                begin = time.perf_counter()
                http.get(page.url)
                times.append((time.perf_counter() - begin) * 1000)
            found.append(statistics.median(times))
    return [
        Measure(page.name, page.role, min(found), queries, kb, status)
        for page, found, (queries, kb, status) in zip(shown, medians, counted, strict=True)
    ]


# --- reporting -----------------------------------------------------------------------------


def render(small: list[Measure], large: list[Measure]) -> str:
    by_key = {(m.page, m.role): m for m in small}
    lines = [
        "| Page | Role | Small (ms) | Large (ms) | Ratio | Queries (small → large) | KB (large) "
        "| Over target |",
        "|---|---|--:|--:|--:|--:|--:|---|",
    ]
    for big in large:
        little = by_key.get((big.page, big.role))
        if little is None:
            continue
        ratio = big.ms / little.ms if little.ms else float("inf")
        over = []
        if ratio > TARGET_RATIO:
            over.append(f"> {TARGET_RATIO:g}×")
        if big.ms > TARGET_MS:
            over.append(f"> {TARGET_MS:g} ms")
        if big.status != 200 or little.status != 200:
            over.append(f"status {little.status}/{big.status}")
        lines.append(
            f"| {big.page} | {big.role} | {little.ms:.1f} | {big.ms:.1f} | {ratio:.1f} "
            f"| {little.queries} → {big.queries} | {big.kb:.0f} | {', '.join(over) or '—'} |"
        )
    return "\n".join(lines)


def render_sweep(small: list[Measure], large: list[Measure]) -> str:
    """The swept pages over a target (3× and 150 ms, as the main pages; 100 KB)."""
    by_key = {(m.page, m.role): m for m in small}
    both = [(by_key[(m.page, m.role)], m) for m in large if (m.page, m.role) in by_key]
    over = [
        (little, big)
        for little, big in both
        if big.ms > TARGET_RATIO * little.ms or big.ms > TARGET_MS or big.kb > TARGET_KB
    ]
    routes = len({big.page for _little, big in both})
    text = (
        f"Swept: {len(both)} more pages as their roles ({routes} routes), each answering 200 "
        f"on both data sizes; over a target: {len(over) or 'none'}.\n"
    )
    if over:
        text += "\n" + render([little for little, _big in over], [big for _little, big in over])
        text += "\n"
    return text


def machine() -> str:
    import platform

    import django

    cores = os.cpu_count()
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.1f} GiB of memory"
    except (OSError, ValueError, IndexError):
        pass
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = f" ({line.split(':', 1)[1].strip()})"
                break
    except OSError:
        pass
    return (
        f"{cores} cores{cpu}{memory}, {platform.system()} {platform.release()}, Python "
        f"{platform.python_version()}, Django {django.get_version()}"
    )


# --- driver --------------------------------------------------------------------------------


def _setup_django(data_dir: str) -> None:
    os.environ["GENTLE_DATA_DIR"] = data_dir
    os.environ.setdefault("GENTLE_DEMO_MFA_OPTIONAL", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _fresh_database() -> None:
    """Empty the database (PostgreSQL: drop the schema; SQLite: a new file) and migrate."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        name = connection.settings_dict["NAME"]
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)


def _compute_statistics() -> None:
    """What `gentle worker` does hourly (every 5 minutes for the courses' flags): the
    clinic-wide statistics, the fidelity sample and the current courses' flags that the pages
    read."""
    from gentle import watch
    from gentle.accounts.models import Clinic
    from gentle.fidelity.actions import sample_refresh
    from gentle.measures.actions import statistics_compute

    for clinic in Clinic.objects.all():
        statistics_compute(clinic=clinic)
        sample_refresh(clinic=clinic)
        watch.refresh(clinic=clinic)


def run(
    scale: float,
    repeat: int,
    log=print,
    quiet_below: float | None = None,
    rounds: int = 1,
    sweep: bool = False,
) -> tuple[list[Measure], list[Measure], dict]:
    """Seed the large clinic, then measure it and, on a new demo database, the demo's data.

    Both measurements run back to back inside ``quiet_machine``, after the long seeding, so
    that small and large are measured under the same conditions.
    """
    from django.db import connection
    from django.test.utils import setup_test_environment
    from quiet import quiet_machine

    from gentle.audit.log import verify
    from gentle.demo import seed_demo

    setup_test_environment()  # the test client as the test suite uses it
    logging.getLogger("gentle").setLevel(logging.WARNING)  # no access log line per request
    _fresh_database()
    seed_demo()
    log(f"{connection.vendor}: demo seeded; seeding scale {scale:g}")
    started = time.monotonic()
    counts = seed_scale(scale, log=log)
    seeded = time.monotonic() - started
    started = time.monotonic()
    _compute_statistics()
    statistics_seconds = time.monotonic() - started
    checked, problems = verify()
    log(f"seeded in {seeded:.0f} s; audit chain: {checked} rows, {len(problems)} problems")
    # Fresh planner statistics (and on PostgreSQL the visibility map), as autovacuum would leave
    # a live database, and no autovacuum run of the new rows during the measurement.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    with quiet_machine(quiet_below, log=log) as quiet:
        log("measuring the large data")
        large = measure(repeat, rounds)
        swept_large = measure(repeat, 1, sweep_pages(), answered=True) if sweep else []
        log("measuring the small data on a new demo database")
        _fresh_database()
        seed_demo()
        _compute_statistics()
        small = measure(repeat, rounds)
        swept_small = measure(repeat, 1, sweep_pages(), answered=True) if sweep else []
    if connection.vendor == "postgresql":
        major, minor = divmod(connection.pg_version, 10000)
        with connection.cursor() as cursor:
            cursor.execute("SHOW random_page_cost")
            (page_cost,) = cursor.fetchone()
        server = f"PostgreSQL {major}.{minor} (random_page_cost {page_cost})"
    else:
        import sqlite3

        server = f"SQLite {sqlite3.sqlite_version}"
    facts = {
        "server": server,
        "vendor": connection.vendor,
        "seconds": seeded,
        "statistics_seconds": statistics_seconds,
        "audit_rows": checked,
        "problems": len(problems),
        "counts": counts,
        "quiet": quiet,
        "sweep": render_sweep(swept_small, swept_large) if sweep else "",
    }
    return small, large, facts


VENDORS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _commit() -> str:
    import subprocess

    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write_result(scale: float, repeat: int, small, large, facts, rounds: int = 1) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"scale-{facts['vendor']}-{scale:g}.md"
    counts = ", ".join(f"{name.replace('_', ' ')} {n:,}" for name, n in facts["counts"].items())
    path.write_text(
        f"### {VENDORS.get(facts['vendor'], facts['vendor'])}, scale {scale:g}\n\n"
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {_commit()}; {machine()}; "
        f"{facts['server']}; {_timing(repeat, rounds)}; {facts['quiet'].describe()}.\n"
        f"Added to the demo clinic: {counts}; seeded in {facts['seconds']:.0f} s; "
        f"the worker's clinic statistics took {facts['statistics_seconds']:.0f} s; "
        f"`audit verify`: {facts['audit_rows']:,} rows, {facts['problems']} problems.\n\n"
        f"{render(small, large)}\n" + (f"\n{facts['sweep']}" if facts.get("sweep") else "")
    )
    return path


def _timing(repeat: int, rounds: int) -> str:
    if rounds == 1:
        return f"median of {repeat} requests"
    return f"the lowest of {rounds} rounds' medians of {repeat} requests each"


def write_docs() -> None:
    """Put the results in bench/results/ under the "Scale" heading of docs/performance.md."""
    found = sorted(RESULTS.glob("scale-*.md"), key=lambda p: ("postgresql" in p.name, p.name))
    body = "\n".join(p.read_text() for p in found)
    text = DOCS.read_text()
    marker_start, marker_end = "<!-- scale:start -->", "<!-- scale:end -->"
    if marker_start not in text:
        raise SystemExit(f"{DOCS} has no {marker_start} marker under its Scale heading")
    before, rest = text.split(marker_start, 1)
    after = rest.split(marker_end, 1)[1]
    DOCS.write_text(f"{before}{marker_start}\n{body}{marker_end}{after}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1, help="1 is the full programme size")
    parser.add_argument(
        "--repeat", type=int, default=5, help="measured requests per page in each round"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds over all the pages; the lowest median counts"
    )
    parser.add_argument(
        "--sweep",
        action="store_true",
        help="also measure every other page that answers GET, and list those over a target",
    )
    parser.add_argument(
        "--write-docs", action="store_true", help="put bench/results/scale-*.md in the docs"
    )
    parser.add_argument(
        "--quiet-below",
        type=float,
        metavar="LOAD",
        help="before measuring, wait for the one-minute load average to fall below LOAD",
    )
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gentle-scale-") as data_dir:
        _setup_django(data_dir)
        small, large, facts = run(
            options.scale,
            options.repeat,
            quiet_below=options.quiet_below,
            rounds=options.rounds,
            sweep=options.sweep,
        )
        path = write_result(options.scale, options.repeat, small, large, facts, options.rounds)
        print(path.read_text())
    if options.write_docs:
        write_docs()
    return 0 if facts["problems"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
