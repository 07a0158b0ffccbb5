"""Alerts reach people: the care team is emailed when an alert is raised, the supervisors and the
clinic's safety lead when it is left unacknowledged past its severity's delay; the message holds
the severity and a link only; the administrator chooses the safety lead; a badge in the
navigation counts what waits for the signed-in person."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from gentle.accounts.models import Clinic, Membership, Role, User
from gentle.audit import context as audit_context
from gentle.audit.models import AuditEvent
from gentle.clients.models import CareTeamMember, Client, TeamRole
from gentle.intake.models import IntakeRequest
from gentle.lib.delays import parse_delay
from gentle.lib.env import ConfigError, env_delay
from gentle.measures.models import Administration
from gentle.notify.models import MailStatus, OutboundMail
from gentle.roleplay.models import Rehearsal, Scenario
from gentle.safety.actions import alert_raise, alerts_escalate, text_hear
from gentle.safety.models import Alert, SafetySettings
from gentle.safety.selectors import alerts_waiting_for
from gentle.schedule import SCHEDULE
from tests.factories import deliver_mail, make_client, make_person, signed_in, supervise
from tests.world import World as SharedWorld
from tests.world import sue_supervises_alice

pytestmark = pytest.mark.django_db

MONDAY_NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CLIENT_WORDS = "Honestly some days I want to die."
CRISIS_PAGE = "/crisis/"  # a page whose own content does not depend on the person's data


@dataclass
class World(SharedWorld):
    carl: User  # second clinician on Amara's care team
    tess: User  # supervisor on Amara's care team (Sue supervises Alice from outside it)
    sam: User  # supervisor of the clinic, nothing to do with Amara
    leah: User  # clinician, the clinic's safety lead
    elsewhere: list[User]  # staff of the other clinic, one of them its safety lead


@pytest.fixture
def world(world) -> World:
    clinic, other, amara = world.clinic, world.other, world.amara
    sue_supervises_alice(world)
    carl, leah = make_person(clinic, Role.CLINICIAN), make_person(clinic, Role.CLINICIAN)
    tess, sam = make_person(clinic, Role.SUPERVISOR), make_person(clinic, Role.SUPERVISOR)
    CareTeamMember.objects.create(client=amara, user=carl, role=TeamRole.CLINICIAN)
    CareTeamMember.objects.create(client=amara, user=tess, role=TeamRole.SUPERVISOR)
    SafetySettings.objects.create(clinic=clinic, safety_lead=leah)
    far_supervisor, far_lead = make_person(other, Role.SUPERVISOR), make_person(other)
    supervise(other, far_supervisor, world.far_clinician)
    SafetySettings.objects.create(clinic=other, safety_lead=far_lead)
    elsewhere = [world.far_clinician, far_supervisor, far_lead, make_person(other, Role.ADMIN)]
    return World(**vars(world), carl=carl, tess=tess, sam=sam, leah=leah, elsewhere=elsewhere)


def phq9(item9: int) -> dict[str, str]:
    return {**{f"phq9_{n}": "1" for n in range(1, 9)}, "phq9_9": str(item9), "submit": "1"}


def give_phq9(world: World, item9: int, record: Client | None = None) -> Alert:
    """Alice gives a PHQ-9 in session: item 9 at 1 raises a moderate alert, at 2 a high one."""
    record = record or world.amara
    http = signed_in(world.alice)
    http.post(f"/clients/{record.pk}/measures/new/", {"instrument": "phq9", "mode": "in_session"})
    administration = Administration.objects.filter(client=record).latest("pk")
    http.post(f"/administrations/{administration.pk}/", phq9(item9))
    return Alert.objects.get(source="administration", source_id=str(administration.pk))


def client_writes_risk_words(world: World) -> Alert:
    """Amara, in a role play in her portal, writes of wanting to die (a high alert)."""
    scenario = Scenario.objects.create(
        client=world.amara,
        title="Evenings",
        goal="Share the evening chores",
        opening="Can we talk about the evenings?",
        manner="defensive",
        relationship="partner",
        person_label="Bartholomew",
        updated_by=world.alice,
        shared_with_client=True,
    )
    rehearsal = Rehearsal.objects.create(
        client=world.amara,
        scenario=scenario,
        confidence_before=4,
        tension=2,
        started_by=world.portal,
    )
    response = signed_in(world.portal).post(
        f"/portal/rehearsals/{rehearsal.pk}/", {"text": CLIENT_WORDS, "number": "1"}
    )
    assert response.status_code == 200
    return Alert.objects.get(source="rehearsal")


def told(alert: Alert | None = None) -> set[str]:
    """Who has a safety-alert message queued (about this alert, when given)."""
    mails = OutboundMail.objects.filter(purpose="safety_alert")
    if alert is not None:
        mails = mails.filter(body__contains=f"/alerts/{alert.pk}/")
    return set(mails.values_list("to", flat=True))


def emails(*people: User) -> set[str]:
    return {p.email for p in people}


# When an alert is raised ------------------------------------------------------------------------


def test_a_raised_alert_is_mailed_to_the_clinicians_on_the_care_team_and_nobody_else(world):
    alert = give_phq9(world, 2)

    assert alert.severity == "high"
    assert told(alert) == emails(world.alice, world.carl)
    message = OutboundMail.objects.filter(to=world.alice.email).get()
    assert message.subject == "[Hillside Practice] High safety alert"
    assert f"http://testserver/alerts/{alert.pk}/" in message.body
    assert "severity: High" in message.body
    for secret in ("Amara", "Example", alert.reason, "PHQ"):
        assert secret not in message.body and secret not in message.subject
    assert message.clinic_id == world.clinic.pk and message.status == MailStatus.QUEUED
    notice = AuditEvent.objects.get(action="alert.notify")
    assert (notice.object_id, notice.detail) == (str(alert.pk), "stage=raised people=2")
    assert (
        AuditEvent.objects.filter(action="mail.queue", detail="purpose=safety_alert").count() == 2
    )


def test_an_alert_the_client_raises_in_the_portal_is_mailed_without_their_words(world):
    alert = client_writes_risk_words(world)

    assert told(alert) == emails(world.alice, world.carl)
    for body in OutboundMail.objects.values_list("body", flat=True):
        assert "want to die" not in body and "Amara" not in body
    assert AuditEvent.objects.get(action="alert.notify").actor_id == world.portal.pk


def test_an_alert_raised_for_an_anonymous_visitor_still_tells_the_care_team(world):
    request = RequestFactory().post("/")
    request.user = AnonymousUser()
    with audit_context.bound(audit_context.AuditContext(request=request)), transaction.atomic():
        heard = text_hear(
            client=world.amara,
            text=CLIENT_WORDS,
            source="test",
            source_id=1,
        )
    assert heard.crisis and heard.alert is not None
    assert told(heard.alert) == emails(world.alice, world.carl)


def test_an_alert_and_its_messages_roll_back_together(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        alert_raise(
            client=world.amara,
            source="test",
            source_id=1,
            rule_id="r",
            severity="high",
            reason="Test",
        )
        raise RuntimeError("what triggered it failed to save")
    assert not Alert.objects.exists() and not OutboundMail.objects.exists()


def test_a_client_without_a_clinician_on_the_team_has_the_safety_lead_told_at_once(world):
    alone = make_client(world.clinic, supervisor=world.tess)
    with transaction.atomic():
        alert = alert_raise(
            client=alone, source="test", source_id=1, rule_id="r", severity="high", reason="T"
        )
    assert told(alert) == emails(world.leah)


# Escalation ------------------------------------------------------------------------------------


def test_a_high_alert_is_escalated_after_one_hour_not_before(world, time_machine):
    time_machine.move_to(MONDAY_NOON, tick=False)
    alert = give_phq9(world, 2)

    time_machine.move_to(MONDAY_NOON + timedelta(minutes=59), tick=False)
    assert alerts_escalate() == 0
    assert told(alert) == emails(world.alice, world.carl)

    time_machine.move_to(MONDAY_NOON + timedelta(minutes=61), tick=False)
    assert alerts_escalate() == 1
    alert.refresh_from_db()
    assert alert.escalated_at == MONDAY_NOON + timedelta(minutes=61)
    escalated = OutboundMail.objects.filter(subject__contains="Escalated")
    # the supervisor of a team clinician, the supervisor on the team, and the safety lead
    assert set(escalated.values_list("to", flat=True)) == emails(world.sue, world.tess, world.leah)
    message = escalated.first()
    assert message.subject == "[Hillside Practice] Escalated: High safety alert"
    assert f"http://testserver/alerts/{alert.pk}/" in message.body
    assert "Amara" not in message.body
    assert AuditEvent.objects.filter(action="alert.escalate", object_id=str(alert.pk)).exists()
    notice = AuditEvent.objects.get(action="alert.notify", detail__startswith="stage=escalated")
    assert (notice.detail, notice.actor_label) == ("stage=escalated people=3", "gentle worker")
    assert alerts_escalate() == 0  # once only
    assert escalated.count() == 3


def test_an_acknowledged_alert_is_not_escalated(world, time_machine):
    time_machine.move_to(MONDAY_NOON, tick=False)
    alert = give_phq9(world, 2)
    signed_in(world.alice).post(
        f"/alerts/{alert.pk}/acknowledge/", {"action": "contact", "note": "Spoke with the client."}
    )
    time_machine.move_to(MONDAY_NOON + timedelta(hours=2), tick=False)
    assert alerts_escalate() == 0
    assert not OutboundMail.objects.filter(subject__contains="Escalated").exists()


def test_a_moderate_alert_raised_on_friday_afternoon_waits_for_monday(world, settings):
    settings.TIME_ZONE = "Europe/Madrid"
    friday_5pm = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)  # 17:00 in Madrid
    with time_machine.travel(friday_5pm, tick=False):
        alert = give_phq9(world, 1)
    assert alert.severity == "moderate"
    for moment in (
        friday_5pm + timedelta(hours=23),  # Saturday
        friday_5pm + timedelta(days=2, hours=7),  # Sunday night
        datetime(2026, 3, 9, 15, 59, tzinfo=UTC),  # Monday 16:59 in Madrid
    ):
        with time_machine.travel(moment, tick=False):
            assert alerts_escalate() == 0, moment
    with time_machine.travel(datetime(2026, 3, 9, 16, 1, tzinfo=UTC), tick=False):
        assert alerts_escalate() == 1


def test_a_low_alert_waits_three_days(world, time_machine):
    time_machine.move_to(MONDAY_NOON, tick=False)
    with transaction.atomic():
        alert_raise(
            client=world.amara, source="t", source_id=1, rule_id="r", severity="low", reason="T"
        )
    time_machine.move_to(MONDAY_NOON + timedelta(days=3, minutes=-1), tick=False)
    assert alerts_escalate() == 0
    time_machine.move_to(MONDAY_NOON + timedelta(days=3, minutes=1), tick=False)
    assert alerts_escalate() == 1


def test_the_delays_come_from_the_settings(world, settings, time_machine):
    settings.GENTLE_ALERT_ESCALATE_HIGH = parse_delay(
        "2 hours", minimum=timedelta(minutes=5), maximum=timedelta(days=14)
    )
    time_machine.move_to(MONDAY_NOON, tick=False)
    give_phq9(world, 2)
    time_machine.move_to(MONDAY_NOON + timedelta(minutes=119), tick=False)
    assert alerts_escalate() == 0
    time_machine.move_to(MONDAY_NOON + timedelta(minutes=121), tick=False)
    assert alerts_escalate() == 1


def test_people_who_left_their_role_are_not_told(world, time_machine):
    Membership.objects.filter(user=world.sue).delete()
    Membership.objects.filter(user=world.leah).update(role=Role.ADMIN)
    world.carl.is_active = False
    world.carl.save()
    time_machine.move_to(MONDAY_NOON, tick=False)
    alert = give_phq9(world, 2)
    assert told(alert) == emails(world.alice)
    time_machine.move_to(MONDAY_NOON + timedelta(hours=2), tick=False)
    assert alerts_escalate() == 1
    assert told(alert) == emails(world.alice, world.tess)


def test_nobody_else_is_told_not_another_clinics_staff(world, time_machine):
    time_machine.move_to(MONDAY_NOON, tick=False)
    alert = give_phq9(world, 2)
    time_machine.move_to(MONDAY_NOON + timedelta(hours=2), tick=False)
    alerts_escalate()
    for stranger in [world.bob, world.sam, world.admin, world.portal, *world.elsewhere]:
        assert stranger.email not in told(alert)


@pytest.mark.django_db(transaction=True)
def test_the_worker_checks_every_five_minutes_and_escalates(world):
    (job,) = [job for job in SCHEDULE if job.name == "escalate-open-alerts"]
    assert job.every_seconds <= 5 * 60
    with time_machine.travel(MONDAY_NOON, tick=True):
        alert = give_phq9(world, 2)
    with time_machine.travel(MONDAY_NOON + timedelta(minutes=61), tick=True):
        call_command("worker", once=True)
    alert.refresh_from_db()
    assert alert.escalated_at is not None
    assert told(alert) >= emails(world.sue, world.tess, world.leah)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("soon", "GENTLE_ALERT_ESCALATE_HIGH expected a number and a unit"),
        ("1 fortnight", "expected a number and a unit"),
        ("-1 hour", "expected a number and a unit"),
        ("1 minute", "must be at least 5 minutes"),
        ("15 days", "must be at most 14 days"),
    ],
)
def test_a_bad_delay_is_refused_with_a_clear_message(value, message):
    limits = {"minimum": timedelta(minutes=5), "maximum": timedelta(days=14)}
    with pytest.raises(ConfigError, match=message):
        env_delay(
            "GENTLE_ALERT_ESCALATE_HIGH",
            "1 hour",
            environ={"X": "", **{"GENTLE_ALERT_ESCALATE_HIGH": value}},
            **limits,
        )


def test_delays_are_read_as_people_write_them():
    limits = {"minimum": timedelta(minutes=5), "maximum": timedelta(days=14)}
    for text, unit, amount in [
        ("1 hour", "hours", 1),
        ("90 Minutes", "minutes", 90),
        ("1wd", "working_days", 1),
        ("2  working   days", "working_days", 2),
        ("3d", "days", 3),
    ]:
        delay = env_delay("D", "1 hour", environ={"D": text}, **limits)
        assert (delay.unit, delay.amount) == (unit, amount)
    assert str(env_delay("D", "1 working day", environ={}, **limits)) == "1 working day"


# The safety lead ------------------------------------------------------------------------------


def test_the_administrator_chooses_the_safety_lead_among_clinicians_and_supervisors(world):
    admin = signed_in(world.admin)
    page = admin.get("/clinic/safety/").content.decode()
    for person in (world.alice, world.sue, world.leah):
        assert f'value="{person.pk}"' in page
    for person in (world.admin, world.portal, *world.elsewhere):
        assert f'value="{person.pk}"' not in page
    assert "1 working day" in page and "3 days" in page

    response = admin.post("/clinic/safety/", {"safety_lead": world.sue.pk}, follow=True)

    assert "Safety lead saved." in response.content.decode()
    assert SafetySettings.objects.get(clinic=world.clinic).safety_lead == world.sue
    event = AuditEvent.objects.get(action="safety_lead.update")
    assert (event.actor_id, event.clinic_id, event.detail) == (
        world.admin.pk,
        world.clinic.pk,
        f"lead={world.sue.pk}",
    )
    admin.post("/clinic/safety/", {"safety_lead": ""})
    assert SafetySettings.objects.get(clinic=world.clinic).safety_lead is None


@pytest.mark.parametrize("choice", ["elsewhere", "client", "admin", "garbage"])
def test_the_safety_lead_must_be_a_clinician_or_supervisor_of_the_clinic(world, choice):
    value = {
        "elsewhere": world.elsewhere[0].pk,
        "client": world.portal.pk,
        "admin": world.admin.pk,
        "garbage": "1 OR 1=1",
    }[choice]
    response = signed_in(world.admin).post("/clinic/safety/", {"safety_lead": value})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert SafetySettings.objects.get(clinic=world.clinic).safety_lead == world.leah
    assert not AuditEvent.objects.filter(action="safety_lead.update").exists()


def test_only_the_administrator_opens_the_safety_page(world):
    for person in (world.alice, world.sue, world.leah, world.portal):
        http = signed_in(person)
        assert http.get("/clinic/safety/").status_code == 404
        assert http.post("/clinic/safety/", {"safety_lead": person.pk}).status_code == 404
    # another clinic's administrator sets their own clinic's lead, never ours
    far_admin, far_lead = world.elsewhere[3], world.elsewhere[2]
    page = signed_in(far_admin).get("/clinic/safety/").content.decode()
    assert f'value="{world.alice.pk}"' not in page and f'value="{far_lead.pk}"' in page
    response = signed_in(far_admin).post("/clinic/safety/", {"safety_lead": world.alice.pk})
    assert response.status_code == 400
    assert SafetySettings.objects.get(clinic=world.clinic).safety_lead == world.leah
    assert HttpClient().get("/clinic/safety/").status_code == 302  # to sign in


# The outbox in the demo -------------------------------------------------------------------------


def test_in_the_demo_the_administrator_reads_the_alert_mail(world):
    alert = give_phq9(world, 2)
    deliver_mail()
    page = signed_in(world.admin).get("/clinic/mail/").content.decode()
    assert "Safety alert" in page and world.alice.email in page
    assert f"http://testserver/alerts/{alert.pk}/" in page
    assert "Amara" not in page


def test_in_production_the_sent_alert_mail_keeps_no_text(world, settings):
    settings.DEMO = False
    give_phq9(world, 2)
    deliver_mail()
    assert set(OutboundMail.objects.values_list("status", "body")) == {(MailStatus.SENT, "")}


# Through a real mail server ---------------------------------------------------------------------


def test_the_clinician_receives_the_alert_through_a_real_smtp_server(world, smtp_server):
    inbox, start, stop = smtp_server
    start()
    alert = client_writes_risk_words(world)

    assert deliver_mail() == 2

    received = {tuple(recipients): message for recipients, message in inbox.messages}
    assert set(received) == {(world.alice.email,), (world.carl.email,)}
    message = received[(world.alice.email,)]
    text = message.get_content()
    assert message["Subject"] == "[Hillside Practice] High safety alert"
    assert "severity: High" in text
    assert f"http://testserver/alerts/{alert.pk}/" in text
    for secret in ("Amara", "Example", "want to die", alert.excerpt, alert.reason):
        assert secret not in text and secret not in message["Subject"]
    stop()


# The badge ------------------------------------------------------------------------------------


def badge(http: HttpClient, path: str = CRISIS_PAGE) -> tuple[str, str]:
    """The numbers beside Caseload and Requests, and what a screen reader hears there."""
    page = http.get(path).content.decode()
    nav = page[page.index('<nav class="main-nav"') : page.index("</nav>")]
    numbers = " ".join(re.findall(r'nav-badge" aria-hidden="true">(\d+)<', nav))
    spoken = " ".join(re.findall(r'visually-hidden">\(([^)]*)\)<', nav))
    return numbers, spoken


def test_the_badge_counts_open_alerts_for_each_person(world, time_machine):
    time_machine.move_to(MONDAY_NOON, tick=False)
    first = give_phq9(world, 2)
    give_phq9(world, 1, make_client(world.clinic, clinicians=[world.alice]))
    with transaction.atomic():
        alert_raise(
            client=make_client(world.clinic, clinicians=[world.bob]),
            source="t",
            source_id=1,
            rule_id="r",
            severity="high",
            reason="T",
        )

    assert badge(signed_in(world.alice)) == ("2", "2 open alerts")
    assert badge(signed_in(world.carl)) == ("1", "1 open alert")
    assert badge(signed_in(world.sue)) == ("", "")  # nothing escalated yet
    assert badge(signed_in(world.leah)) == ("", "")

    time_machine.move_to(MONDAY_NOON + timedelta(minutes=61), tick=False)
    assert alerts_escalate() == 2  # the two high ones
    assert badge(signed_in(world.sue)) == ("1", "1 open alert")  # alice's client only
    assert badge(signed_in(world.tess)) == ("1", "1 open alert")
    assert badge(signed_in(world.sam)) == ("", "")
    assert badge(signed_in(world.leah)) == ("2", "2 open alerts")  # the clinic's escalated
    for stranger in world.elsewhere:
        assert badge(signed_in(stranger)) == ("", "")

    signed_in(world.alice).post(
        f"/alerts/{first.pk}/acknowledge/", {"action": "contact", "note": "Spoke with them."}
    )
    assert badge(signed_in(world.alice)) == ("1", "1 open alert")
    assert badge(signed_in(world.leah)) == ("1", "1 open alert")


def risk_request(clinic: Clinic, **fields) -> IntakeRequest:
    values = {"name": "Robin", "contact": "email", "email": "r@example.test", "risk_words": True}
    return IntakeRequest.objects.create(clinic=clinic, message="…", **(values | fields))


def test_the_badge_counts_open_requests_with_risk_words(world):
    risk_request(world.clinic)
    risk_request(world.clinic, status="assigned", assigned_to=world.alice)
    risk_request(world.clinic, status="assigned", assigned_to=world.bob)
    risk_request(world.clinic, risk_words=False)
    risk_request(world.clinic, status="declined")
    risk_request(Clinic.objects.exclude(pk=world.clinic.pk).get())

    assert badge(signed_in(world.admin)) == ("3", "3 open requests with risk words")
    # alice: the unassigned one and her own, beside Requests; no alerts beside Caseload
    assert badge(signed_in(world.alice)) == ("2", "2 open requests with risk words")
    assert badge(signed_in(world.sue)) == ("", "")  # supervisors have no Requests page


def test_the_badge_costs_the_same_queries_whatever_the_numbers(world, time_machine):
    time_machine.move_to(MONDAY_NOON, tick=False)
    give_phq9(world, 2)
    people = (world.alice, world.sue, world.leah, world.admin)
    before = {p.pk: count_queries_of(p) for p in people}

    for n in range(12):
        clinician = make_person(world.clinic, Role.CLINICIAN)
        supervise(world.clinic, world.sue, clinician)
        record = make_client(world.clinic, clinicians=[world.alice, clinician])
        with transaction.atomic():
            alert_raise(
                client=record, source="t", source_id=n, rule_id="r", severity="high", reason="T"
            )
        risk_request(world.clinic)
    time_machine.move_to(MONDAY_NOON + timedelta(hours=2), tick=False)
    alerts_escalate()

    assert badge(signed_in(world.alice))[0] == "13 12"
    assert {p.pk: count_queries_of(p) for p in people} == before
    with CaptureQueriesContext(connection) as captured:
        waiting = alerts_waiting_for(clinic=world.clinic, user=world.sue, roles={Role.SUPERVISOR})
        assert waiting.count() == 13
    assert len(captured.captured_queries) == 1


def test_the_home_gives_the_badge_its_own_count_of_open_alerts(world, time_machine):
    """Issue 20: the home counts the open alerts waiting for the person, by the badge's own
    rule, to list them; the badge beside Caseload shows that count instead of counting them
    again (a millisecond or two over the clinic's open alerts at a programme's size). Requests
    are still counted for their badge."""
    time_machine.move_to(MONDAY_NOON, tick=False)
    give_phq9(world, 2)
    give_phq9(world, 1, make_client(world.clinic, clinicians=[world.alice]))
    time_machine.move_to(MONDAY_NOON + timedelta(minutes=61), tick=False)
    assert alerts_escalate() == 1  # the high one: a supervisor and the safety lead see it
    risk_request(world.clinic)

    assert badge(signed_in(world.alice), "/") == (
        "2 1",
        "2 open alerts 1 open request with risk words",
    )
    for person in (world.alice, world.carl, world.sue, world.tess, world.leah, world.admin):
        http = signed_in(person)
        assert badge(http, "/") == badge(http), person  # the crisis page counts them itself
        with CaptureQueriesContext(connection) as captured:
            assert http.get("/").status_code == 200
        counts = [
            q["sql"]
            for q in captured.captured_queries
            if 'FROM "safety_alert"' in q["sql"] and "COUNT(" in q["sql"]
        ]
        assert len(counts) <= 1, counts


def count_queries_of(person: User) -> int:
    http = signed_in(person)
    http.get(CRISIS_PAGE)
    with CaptureQueriesContext(connection) as captured:
        assert http.get(CRISIS_PAGE).status_code == 200
    return len(captured.captured_queries)


def test_the_safety_lead_opens_and_may_act_on_an_escalated_open_alert(world, time_machine):
    """The last person an alert escalates to can do something about it: log an attempt and
    close it (a high one with a note), audited in the role they hold."""
    time_machine.move_to(MONDAY_NOON, tick=False)
    alert = give_phq9(world, 2)
    url = f"/alerts/{alert.pk}/"
    assert signed_in(world.leah).get(url).status_code == 404  # not escalated: the team's
    assert (
        signed_in(world.leah).post(f"{url}contact/", {"outcome": "not_reached"}).status_code == 404
    )

    time_machine.move_to(MONDAY_NOON + timedelta(minutes=61), tick=False)
    alerts_escalate()
    leah, sam = signed_in(world.leah), signed_in(world.sam)
    far_lead = signed_in(world.elsewhere[2])
    assert leah.get(url).status_code == 200
    event = AuditEvent.objects.filter(action="alert.view", actor_id=world.leah.pk).get()
    assert (event.detail, event.object_id) == ("via=safety_lead", str(alert.pk))
    assert sam.get(url).status_code == 404
    assert far_lead.get(url).status_code == 404
    assert (
        far_lead.post(f"{url}acknowledge/", {"action": "contact", "note": "x"}).status_code == 404
    )
    response = leah.post(f"{url}acknowledge/", {"action": "contact"})
    assert response.status_code == 400  # a high alert is closed only with a note
    alert.refresh_from_db()
    assert alert.is_open
    response = leah.post(f"{url}acknowledge/", {"action": "contact", "note": "Spoke with them."})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert not alert.is_open and alert.acknowledged_by == world.leah
    closed = AuditEvent.objects.get(action="alert.acknowledge", actor_id=world.leah.pk)
    assert closed.role in ("clinician", "supervisor")
    assert leah.get(url).status_code == 404  # dealt with: the care team's again
