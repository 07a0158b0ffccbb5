"""Two-factor authentication for staff, and the throttles and answers that keep guessing and
account discovery out: sign-in, authenticator codes and password reset. All over HTTP."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.cache import cache
from django.test import Client

from gentle.accounts.models import Role
from gentle.audit.models import AuditEvent
from tests.factories import (
    code_from_secret,
    deliver_mail,
    make_client,
    make_clinic,
    make_person,
    totp_code,
)
from tests.test_config import production_env, run_gentle

pytestmark = pytest.mark.django_db

PASSPHRASE = "correct horse battery staple on a quiet river morning"
SET_UP = "/accounts/2fa/totp/activate/"
CODE_STEP = "/accounts/2fa/authenticate/"
MUST_SET_UP = "Staff accounts need two-factor authentication."
INCORRECT_CODE = "Incorrect code."
TOO_MANY_ATTEMPTS = "Too many failed login attempts. Try again later."
NOT_CORRECT = "The email address and/or password you specified are not correct."
TOO_MANY_REQUESTS = "You have sent too many requests. Please try again later."


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits and used authenticator codes live in the cache: no test sees another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    """A frozen clock, so an authenticator code cannot roll over in the middle of a test."""
    with time_machine.travel(datetime(2025, 3, 3, 9, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def password_step(browser: Client, email: str, password: str = PASSPHRASE):
    return browser.post("/accounts/login/", {"login": email, "password": password})


def signed_in_as(browser: Client) -> int | None:
    user_id = browser.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def another_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def form_error(response) -> str:
    """The error text of the sign-in form, as the person reads it."""
    match = re.search(
        r'<div class="form-error" role="alert">(.*?)</div>', response.content.decode()
    )
    assert match, response.content.decode()
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def has_totp(person) -> bool:
    return Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()


# Staff must set up an authenticator app


@pytest.mark.parametrize("path", ["/", "/clients/", "/clinic/people/"])
def test_staff_without_an_authenticator_are_sent_to_set_up_from_every_page(client, path):
    person = make_person(make_clinic(), Role.ADMIN, Role.CLINICIAN, password=PASSPHRASE, mfa=False)
    assert password_step(client, person.email)["Location"] == "/"

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == SET_UP
    assert MUST_SET_UP in client.get(path, follow=True).content.decode()


def test_staff_without_an_authenticator_cannot_act_before_setting_one_up(client):
    clinic = make_clinic()
    admin = make_person(clinic, Role.ADMIN, password=PASSPHRASE, mfa=False)
    colleague = make_person(clinic, Role.CLINICIAN)
    password_step(client, admin.email)

    response = client.post(f"/clinic/people/{colleague.pk}/active/", {"active": "0"})

    assert response["Location"] == SET_UP
    colleague.refresh_from_db()
    assert colleague.is_active
    assert not AuditEvent.objects.filter(action="account.disable").exists()


def test_staff_without_an_authenticator_can_still_reach_crisis_help_and_sign_out(client):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE, mfa=False)
    password_step(client, person.email)

    crisis = client.get("/crisis/")
    assert crisis.status_code == 200
    assert MUST_SET_UP not in crisis.content.decode()

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert signed_in_as(client) is None


def test_clients_are_not_asked_to_set_up_an_authenticator(client):
    clinic = make_clinic()
    person = make_person(clinic, Role.CLIENT, password=PASSPHRASE)
    make_client(clinic, user=person)

    assert password_step(client, person.email)["Location"] == "/"
    for path in ("/", "/portal/"):
        response = client.get(path, follow=True)  # a client's home is the portal
        assert response.redirect_chain in ([], [("/portal/", 302)]), path
        assert response.status_code == 200, path
        assert MUST_SET_UP not in response.content.decode()
    assert not Authenticator.objects.filter(user=person).exists()


# Setting up the authenticator app


def reauthenticate_for_set_up(browser: Client, person) -> None:
    assert password_step(browser, person.email)["Location"] == "/"
    assert browser.get("/")["Location"] == SET_UP
    response = browser.get(SET_UP)
    assert response.status_code == 302
    assert (
        response["Location"]
        == "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    )
    response = browser.post("/accounts/reauthenticate/", {"password": PASSPHRASE, "next": SET_UP})
    assert response["Location"] == SET_UP


def secret_on_the_set_up_page(browser: Client) -> str:
    response = browser.get(SET_UP)
    assert response.status_code == 200
    match = re.search(r'id="authenticator_secret"\s+value="([A-Z2-7]+)"', response.content.decode())
    assert match, "the set-up page shows the secret to type into the app"
    return match.group(1)


@pytest.mark.django_db(transaction=True)  # allauth reports the new authenticator on commit
def test_enrolment_journey_sets_up_the_authenticator_and_opens_the_pages(client, clock):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE, mfa=False)
    reauthenticate_for_set_up(client, person)
    key_before = client.session.session_key
    secret = secret_on_the_set_up_page(client)

    response = client.post(SET_UP, {"code": code_from_secret(secret)})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    assert has_totp(person)
    event = AuditEvent.objects.get(action="mfa.add", object_id="totp")
    assert (event.actor_id, event.actor_label) == (person.pk, person.email)
    assert signed_in_as(client) == person.pk
    assert client.session.session_key != key_before  # a new session key once MFA is in place
    assert client.get("/clients/").status_code == 200
    assert client.get("/").status_code == 200


def test_wrong_code_at_set_up_is_refused_and_nothing_is_created(client, clock):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE, mfa=False)
    reauthenticate_for_set_up(client, person)
    secret = secret_on_the_set_up_page(client)

    response = client.post(SET_UP, {"code": another_code(code_from_secret(secret))})

    assert response.status_code == 200
    assert INCORRECT_CODE in response.content.decode()
    assert not Authenticator.objects.filter(user=person).exists()
    assert not AuditEvent.objects.filter(action="mfa.add").exists()
    assert client.get("/clients/")["Location"] == SET_UP


# The code step at sign-in


def test_a_code_is_accepted_once_only(client, clock):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)
    code = totp_code(person)
    assert password_step(client, person.email)["Location"] == CODE_STEP
    assert client.post(CODE_STEP, {"code": code})["Location"] == "/"

    other_browser = Client()
    assert password_step(other_browser, person.email)["Location"] == CODE_STEP
    replay = other_browser.post(CODE_STEP, {"code": code})

    assert replay.status_code == 200
    assert INCORRECT_CODE in replay.content.decode()
    assert signed_in_as(other_browser) is None
    clock.shift(30)  # the app's next code works
    assert other_browser.post(CODE_STEP, {"code": totp_code(person)})["Location"] == "/"


def test_codes_are_throttled_after_five_wrong_ones(client, clock):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)
    right = totp_code(person)
    password_step(client, person.email)
    for _ in range(5):
        response = client.post(CODE_STEP, {"code": another_code(right)})
        assert response.status_code == 200
        assert INCORRECT_CODE in response.content.decode()

    refused = client.post(CODE_STEP, {"code": right})

    assert refused.status_code == 200
    assert TOO_MANY_ATTEMPTS in refused.content.decode()
    assert signed_in_as(client) is None
    assert AuditEvent.objects.filter(action="mfa.failed", actor_id=person.pk).count() == 5
    # Starting again in another browser does not reset the count.
    other_browser = Client()
    assert password_step(other_browser, person.email)["Location"] == CODE_STEP
    again = other_browser.post(CODE_STEP, {"code": right})
    assert TOO_MANY_ATTEMPTS in again.content.decode()
    assert signed_in_as(other_browser) is None


# Passwords


def test_failed_passwords_are_throttled_per_account(client, clock):
    clinic = make_clinic()
    person = make_person(clinic, Role.CLIENT, password=PASSPHRASE)
    neighbour = make_person(clinic, Role.CLIENT, password=PASSPHRASE)
    for attempt in range(5):
        response = password_step(client, person.email, f"wrong guess {attempt}")
        assert form_error(response) == NOT_CORRECT

    refused = password_step(client, person.email, PASSPHRASE)

    assert refused.status_code == 200
    assert form_error(refused) == TOO_MANY_ATTEMPTS
    assert signed_in_as(client) is None
    # Another account, from the same address, is not held up.
    assert password_step(Client(), neighbour.email)["Location"] == "/"


@pytest.mark.parametrize("host", ["LOCALHOST", "localhost:8000", "localhost.", "127.0.0.1"])
def test_a_locked_account_stays_locked_whatever_the_host_header(client, clock, host):
    # Found in a penetration test: the budget was kept per Host header, so another spelling of
    # the host gave five fresh guesses and a locked account signed in.
    person = make_person(make_clinic(), Role.CLIENT, password=PASSPHRASE)
    for attempt in range(5):
        response = client.post(
            "/accounts/login/",
            {"login": person.email, "password": f"wrong guess {attempt}"},
            HTTP_HOST="localhost",
        )
        assert form_error(response) == NOT_CORRECT

    other_browser = Client()
    refused = other_browser.post(
        "/accounts/login/", {"login": person.email.upper(), "password": PASSPHRASE}, HTTP_HOST=host
    )

    assert refused.status_code == 200
    assert form_error(refused) == TOO_MANY_ATTEMPTS
    assert signed_in_as(other_browser) is None


def failing_sign_ins(email: str) -> list[tuple[int, str]]:
    browser = Client()
    answers = []
    for attempt in range(6):
        response = password_step(browser, email, f"wrong guess {attempt}")
        answers.append((response.status_code, form_error(response)))
    return answers


def test_unknown_email_gets_exactly_the_same_answers_as_a_known_one(client, clock):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)
    known = password_step(client, person.email, "not the passphrase")
    unknown = password_step(client, "nobody@example.test", "not the passphrase")

    assert known.status_code == unknown.status_code == 200
    assert form_error(known) == form_error(unknown) == NOT_CORRECT
    assert without_tokens(known.content.decode()).replace(person.email, "EMAIL") == (
        without_tokens(unknown.content.decode()).replace("nobody@example.test", "EMAIL")
    )

    # The throttle answers alike too (a minute apart, as the per-address limit is 10 a minute).
    cache.clear()
    known_answers = failing_sign_ins(person.email)
    clock.shift(61)
    assert failing_sign_ins("nobody@example.test") == known_answers
    assert known_answers[-1] == (200, TOO_MANY_ATTEMPTS)


def test_failed_sign_ins_are_audited_with_the_attempted_address(client):
    person = make_person(make_clinic(), Role.CLIENT, password=PASSPHRASE)
    password_step(client, person.email, "a wrong secret one")
    password_step(client, "nobody@example.test", "a wrong secret two")

    events = list(AuditEvent.objects.filter(action="auth.login_failed").order_by("seq"))
    assert [e.actor_label for e in events] == [person.email, "nobody@example.test"]
    assert all(e.ip == "127.0.0.1" for e in events)
    for event in events:  # the attempted password is never written down
        assert "secret" not in f"{event.actor_label} {event.detail} {event.object_id}"
    assert not AuditEvent.objects.filter(action="auth.login").exists()


@pytest.mark.parametrize(
    "passphrase",
    [
        "the quiet river runs past the old mill where the herons wait for morning",
        "ñandú " * 12 + "and a café that opens at dawn, with 42 chairs & one long table",
    ],
    ids=["70-characters", "unicode-128-characters"],
)
def test_long_passphrase_signs_in_and_every_character_counts(client, passphrase):
    assert len(passphrase) >= 64
    person = make_person(make_clinic(), Role.CLIENT, password=passphrase)

    almost = password_step(Client(), person.email, passphrase[:-1] + "!")
    assert form_error(almost) == NOT_CORRECT

    response = password_step(client, person.email, passphrase)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_as(client) == person.pk


# Password reset


def test_password_reset_answers_alike_for_known_and_unknown_addresses(client):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)

    known = client.post("/accounts/password/reset/", {"email": person.email}, follow=True)
    unknown = client.post(
        "/accounts/password/reset/", {"email": "nobody@example.test"}, follow=True
    )

    assert (
        known.redirect_chain == unknown.redirect_chain == [("/accounts/password/reset/done/", 302)]
    )
    assert without_tokens(known.content.decode()) == without_tokens(unknown.content.decode())
    deliver_mail()
    links = [m for m in mail.outbox if "/accounts/password/reset/key/" in m.body]
    assert [m.to for m in links] == [[person.email]]
    person.refresh_from_db()
    assert person.check_password(PASSPHRASE)  # nothing changes until the link is used


def test_password_reset_is_throttled_per_address_alike_for_known_and_unknown(client, clock):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)
    other = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)

    def ask(email: str) -> list:
        return [client.post("/accounts/password/reset/", {"email": email}) for _ in range(4)]

    answers = ask(person.email)
    assert [r.status_code for r in answers] == [302, 302, 302, 429]
    assert TOO_MANY_REQUESTS in answers[-1].content.decode()
    deliver_mail()
    links = [m for m in mail.outbox if "/accounts/password/reset/key/" in m.body]
    assert len(links) == 3

    clock.shift(61)  # past the per-address-per-minute limit, within the per-email hour
    unknown = ask("nobody@example.test")
    assert [r.status_code for r in unknown] == [302, 302, 302, 429]
    assert unknown[-1].content == answers[-1].content

    clock.shift(61)
    assert client.post("/accounts/password/reset/", {"email": other.email}).status_code == 302


# Configuration


@pytest.mark.slow
def test_optional_mfa_stops_start_up_in_production(tmp_path):
    env = production_env(GENTLE_DEMO_MFA_OPTIONAL="true")

    result = run_gentle("check", env=env, tmp_path=tmp_path)

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "GENTLE_DEMO_MFA_OPTIONAL may only be true when GENTLE_ENV=demo" in lines[0]
    assert "Traceback" not in result.stderr


def test_a_code_read_in_the_last_seconds_of_its_period_is_the_next_periods():
    """CI once typed a code at hh:mm:29.9 that the server read at :30.3 and refused."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    secret = "JBSWY3DPEHPK3PXP"
    with time_machine.travel(datetime(2025, 3, 3, 9, 0, 27, tzinfo=UTC), tick=True):
        code = code_from_secret(secret)
        now = datetime.now(UTC)
    assert now.second >= 30
    assert code == format_hotp_value(hotp_value(secret, int(now.timestamp()) // 30))
