"""The outbox (gentle.notify): pages queue mail and answer at once; the worker sends it, retries
while the mail server is down, and the administrator sees what happened on "Outgoing mail"."""

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command

from gentle.accounts.models import Role
from gentle.audit.models import AuditEvent
from gentle.notify.actions import mail_deliver, mail_deliver_due, mail_prune, mail_queue
from gentle.notify.models import MailStatus, OutboundMail, Purpose
from tests.factories import deliver_mail, make_client, make_clinic, make_person

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RESET = "/accounts/password/reset/"


class MailServerDown(BaseEmailBackend):
    """What Django's SMTP backend raises when nothing listens on the mail port."""

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


class RecipientRefused(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"no such mailbox")})


DOWN = "tests.test_outbox.MailServerDown"
UP = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clinic():
    return make_clinic("Hillside Practice")


@pytest.fixture
def admin(clinic):
    return make_person(clinic, Role.ADMIN)


def status_of(message: OutboundMail) -> tuple:
    message.refresh_from_db()
    return message.status, message.attempts, message.last_error


# The mail server is down


def test_a_password_reset_answers_normally_while_the_mail_server_is_down(
    client, settings, clinic, admin, clock
):
    # Found in a penetration test: mail was sent in the request, so a mail server that did not
    # answer turned "Forgotten your password?" into a server error.
    settings.EMAIL_BACKEND = DOWN
    person = make_person(clinic, Role.CLINICIAN)

    response = client.post(RESET, {"email": person.email}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [("/accounts/password/reset/done/", 302)]
    queued = OutboundMail.objects.get()
    assert (queued.to, queued.purpose) == (person.email, Purpose.PASSWORD_RESET)

    assert deliver_mail() == 0  # the worker tries: refused, to be tried again in a minute
    assert status_of(queued) == (MailStatus.QUEUED, 1, "ConnectionRefusedError")
    assert queued.next_attempt_at == START + timedelta(minutes=1)
    client.force_login(admin)
    page = client.get("/clinic/mail/").content.decode()
    assert "Waiting to be sent" in page and "ConnectionRefusedError" in page
    assert "next try 09:01" in page

    settings.EMAIL_BACKEND = UP  # the server is back
    assert deliver_mail() == 0  # not due yet
    clock.shift(timedelta(minutes=1))
    assert deliver_mail() == 1

    assert status_of(queued)[:2] == (MailStatus.SENT, 2)
    [sent] = mail.outbox
    assert sent.to == [person.email] and "/accounts/password/reset/key/" in sent.body
    assert "Sent" in client.get("/clinic/mail/").content.decode()


def test_a_portal_invitation_answers_normally_while_the_mail_server_is_down(
    client, settings, clinic, clock
):
    settings.EMAIL_BACKEND = DOWN
    clinician = make_person(clinic, Role.CLINICIAN)
    record = make_client(clinic, clinicians=[clinician])
    client.force_login(clinician)

    response = client.post(f"/clients/{record.pk}/portal-invite/", {"email": "ines@example.test"})

    assert response.status_code == 200
    assert "The code works once" in response.content.decode()
    queued = OutboundMail.objects.get()
    assert (queued.purpose, queued.clinic_id) == (Purpose.PORTAL_INVITATION, clinic.pk)
    assert deliver_mail() == 0
    assert status_of(queued)[:2] == (MailStatus.QUEUED, 1)

    settings.EMAIL_BACKEND = UP
    clock.shift(timedelta(minutes=1))
    assert deliver_mail() == 1
    assert mail.outbox[0].to == ["ines@example.test"]


def test_declining_a_request_answers_normally_while_the_mail_server_is_down(
    client, settings, clinic
):
    from tests.test_intake import make_request

    settings.EMAIL_BACKEND = DOWN
    clinician = make_person(clinic, Role.CLINICIAN)
    request = make_request(clinic)
    client.force_login(clinician)
    url = f"/clinic/intake/{request.pk}/"
    client.post(f"{url}assign/", {"clinician": clinician.pk})

    response = client.post(f"{url}decline/", {"reason": "full"})

    assert response.status_code == 302
    queued = OutboundMail.objects.get()
    assert (queued.purpose, queued.clinic_id) == (Purpose.INTAKE_DECLINE, clinic.pk)


# Retries


def queue_one(**fields) -> OutboundMail:
    values = {
        "to": "ines@example.test",
        "subject": "Hello",
        "body": "A private link",
        "purpose": Purpose.PORTAL_INVITATION,
        **fields,
    }
    return mail_queue(**values)


@pytest.mark.parametrize(("demo", "body_kept"), [(True, "A private link"), (False, "")])
def test_retries_after_1_5_30_and_120_minutes_then_gives_up(settings, clock, demo, body_kept):
    settings.EMAIL_BACKEND = DOWN
    settings.DEMO = demo
    queued = queue_one(clinic_id=7)
    for attempt in range(1, 5):
        assert mail_deliver_due() == 0
        assert status_of(queued) == (MailStatus.QUEUED, attempt, "ConnectionRefusedError")
        clock.move_to(queued.next_attempt_at)

    assert mail_deliver_due() == 0

    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.next_attempt_at) == (MailStatus.FAILED, 5, None)
    assert queued.body == body_kept  # the demo keeps the text to read; production erases it
    event = AuditEvent.objects.get(action="mail.failed")
    assert (event.clinic_id, event.object_id) == (7, str(queued.pk))
    assert "A private link" not in event.detail and "ines" not in event.detail


def test_the_waits_between_attempts(settings):
    settings.EMAIL_BACKEND = DOWN
    queued = queue_one()
    now = queued.next_attempt_at
    waits = []
    for _attempt in range(4):
        mail_deliver(mail_id=queued.pk, now=now)
        queued.refresh_from_db()
        waits.append(queued.next_attempt_at - now)
        now = queued.next_attempt_at
    assert waits == [timedelta(minutes=m) for m in (1, 5, 30, 120)]


def test_a_refused_address_is_not_tried_again(settings):
    settings.EMAIL_BACKEND = "tests.test_outbox.RecipientRefused"
    queued = queue_one()

    mail_deliver_due()

    assert status_of(queued) == (MailStatus.FAILED, 1, "SMTPRecipientsRefused 550")


def test_a_message_is_sent_once_even_if_two_workers_reach_it(settings):
    queued = queue_one()
    assert mail_deliver(mail_id=queued.pk) == MailStatus.SENT
    assert mail_deliver(mail_id=queued.pk) == ""
    assert mail_deliver_due() == 0
    assert len(mail.outbox) == 1


def test_a_send_whose_worker_died_is_tried_again_later(clock):
    queued = queue_one()
    OutboundMail.objects.filter(pk=queued.pk).update(
        status=MailStatus.SENDING, attempts=1, next_attempt_at=START + timedelta(minutes=15)
    )
    assert mail_deliver_due() == 0
    clock.shift(timedelta(minutes=15))
    assert mail_deliver_due() == 1
    assert status_of(queued)[:2] == (MailStatus.SENT, 2)


def test_queueing_is_audited_without_the_content(client, clinic, admin):
    client.force_login(admin)
    queued = queue_one(clinic_id=clinic.pk, by=admin)
    event = AuditEvent.objects.get(action="mail.queue")
    assert (event.actor_id, event.clinic_id, event.object_id) == (
        admin.pk,
        clinic.pk,
        str(queued.pk),
    )
    assert event.detail == "purpose=portal_invitation"


def test_old_sent_mail_is_forgotten_after_90_days(clock):
    old, recent, waiting = queue_one(), queue_one(), queue_one()
    mail_deliver(mail_id=old.pk)
    mail_deliver(mail_id=recent.pk)
    OutboundMail.objects.filter(pk__in=[old.pk, waiting.pk]).update(
        created_at=START - timedelta(days=91)
    )
    assert mail_prune() == 1
    assert set(OutboundMail.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}


# Through the worker and a real mail server


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_what_a_page_queued(client):
    person = make_person(make_clinic(), Role.CLIENT)

    client.post(RESET, {"email": person.email})

    assert OutboundMail.objects.get().status == MailStatus.QUEUED
    assert mail.outbox == []
    call_command("worker", once=True)
    assert OutboundMail.objects.get().status == MailStatus.SENT
    assert [m.to for m in mail.outbox] == [[person.email]]


def test_mail_goes_through_a_real_smtp_server_and_waits_while_it_is_down(
    client, smtp_server, clock
):
    inbox, start, stop = smtp_server
    person = make_person(make_clinic(), Role.CLIENT)

    client.post(RESET, {"email": person.email})  # nothing listens on the port yet
    assert deliver_mail() == 0
    queued = OutboundMail.objects.get()
    assert status_of(queued) == (MailStatus.QUEUED, 1, "ConnectionRefusedError")

    start()
    clock.shift(timedelta(minutes=1))
    assert deliver_mail() == 1

    [(recipients, message)] = inbox.messages
    assert recipients == [person.email]
    assert message["Subject"].startswith("[Gentle] ")
    assert "/accounts/password/reset/key/" in message.get_content()
    assert status_of(queued)[:2] == (MailStatus.SENT, 2)
    stop()


# The administrator's page


def test_the_administrator_sees_the_clinics_mail_and_reset_mail_to_its_people(
    client, settings, clinic, admin
):
    settings.DEMO = False
    member = make_person(clinic, Role.CLINICIAN)
    queue_one(clinic_id=clinic.pk, to="ines@example.test")
    queue_one(clinic_id=make_clinic().pk, to="elsewhere@example.test")
    queue_one(to=member.email, purpose=Purpose.PASSWORD_RESET)
    queue_one(to="stranger@example.test", purpose=Purpose.PASSWORD_RESET)
    mail_deliver_due()
    client.force_login(admin)

    page = client.get("/clinic/mail/").content.decode()

    assert "ines@example.test" in page and member.email in page
    assert "elsewhere@example.test" not in page and "stranger@example.test" not in page
    assert "Portal invitation" in page and "Password reset" in page
    assert "A private link" not in page  # production: no message text
    assert AuditEvent.objects.filter(action="mail.list", clinic_id=clinic.pk).exists()


def test_in_the_demo_the_administrator_can_read_the_messages(client, clinic, admin):
    queue_one(clinic_id=clinic.pk)
    client.force_login(admin)

    page = client.get("/clinic/mail/").content.decode()

    assert "Show the message" in page and "A private link" in page


def test_only_administrators_open_outgoing_mail(client, clinic):
    for role in (Role.CLINICIAN, Role.SUPERVISOR):
        client.force_login(make_person(clinic, role))
        assert client.get("/clinic/mail/").status_code == 404


def test_nothing_in_the_outbox_says_so(client, admin):
    client.force_login(admin)
    assert "No mail yet." in client.get("/clinic/mail/").content.decode()
