"""Session policy over HTTP, with a frozen clock: idle timeouts, the absolute lifetime,
background polling, and every way a person's sessions end (sign-out elsewhere, an
administrator's change, a new password). See gentle/accounts/middleware.py."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client

from gentle.accounts.models import Role
from gentle.audit.models import AuditEvent
from gentle.portal.models import RecordExport
from tests.factories import make_client, make_clinic, make_person, totp_code

pytestmark = pytest.mark.django_db

PASSPHRASE = "correct horse battery staple on a quiet river morning"
NEW_PASSPHRASE = "a different passphrase for a different season entirely"
SESSION_ENDED = "Your session ended. Please sign in again."
BACKGROUND = {"HTTP_X_GENTLE_BACKGROUND": "1"}


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits and used authenticator codes live in the cache: no test sees another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2025, 3, 3, 9, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def minutes(n: float) -> float:
    return n * 60


def sign_in(browser: Client, person, password: str = PASSPHRASE) -> None:
    """Sign in as a person would: password, then the authenticator code if they have one."""
    response = browser.post("/accounts/login/", {"login": person.email, "password": password})
    if response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/":
        response = browser.post("/accounts/2fa/authenticate/", {"code": totp_code(person)})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == "/"
    assert signed_in_as(browser) == person.pk


def signed_in_as(browser: Client) -> int | None:
    user_id = browser.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def assert_sent_to_sign_in(response, path: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def session_exists(key: str) -> bool:
    return Session.objects.filter(session_key=key).exists()


# Idle timeouts and the absolute lifetime


def test_staff_session_survives_14_idle_minutes_but_not_16(client, clock):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)
    sign_in(client, person)

    clock.shift(minutes(14))
    assert client.get("/clients/").status_code == 200

    clock.shift(minutes(16))
    key = client.session.session_key
    response = client.get("/clients/")
    assert_sent_to_sign_in(response, "/clients/")
    assert signed_in_as(client) is None
    assert not session_exists(key)
    login_page = client.get(response["Location"]).content.decode()
    assert SESSION_ENDED in login_page
    assert_sent_to_sign_in(client.get("/clients/"), "/clients/")


def test_staff_idle_limit_counts_from_sign_in(client, clock):
    person = make_person(make_clinic(), Role.ADMIN, password=PASSPHRASE)
    sign_in(client, person)
    clock.shift(minutes(16))
    assert_sent_to_sign_in(client.get("/clinic/people/"), "/clinic/people/")
    assert signed_in_as(client) is None


def test_client_session_survives_29_idle_minutes_but_not_31(client, clock):
    person = make_person(make_clinic(), Role.CLIENT, password=PASSPHRASE)
    sign_in(client, person)

    clock.shift(minutes(29))  # beyond the staff limit, within the client one
    response = client.get("/")
    assert response["Location"] == "/portal/"  # still signed in: a client's home is the portal
    assert signed_in_as(client) == person.pk

    clock.shift(minutes(31))
    assert_sent_to_sign_in(client.get("/"), "/")
    assert signed_in_as(client) is None


def test_absolute_lifetime_of_12_hours_ends_even_an_active_session(client, clock):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)
    sign_in(client, person)
    for step in range(72):  # a page every 10 minutes, up to exactly 12 hours
        clock.shift(minutes(10))
        assert client.get("/clients/").status_code == 200, f"ended after {step + 1} steps"

    clock.shift(minutes(10))
    assert_sent_to_sign_in(client.get("/clients/"), "/clients/")
    assert signed_in_as(client) is None
    event = AuditEvent.objects.get(action="session.expired")
    assert event.detail == "reason=absolute"


# Background polling


def test_background_polling_does_not_extend_the_session(client, clock):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)
    sign_in(client, person)

    clock.shift(minutes(10))
    assert client.get("/", **BACKGROUND).status_code == 200  # polling works while valid
    assert signed_in_as(client) == person.pk

    clock.shift(minutes(6))  # 16 minutes since the person last did anything
    assert_sent_to_sign_in(client.get("/", **BACKGROUND), "/")
    assert signed_in_as(client) is None


def poll_of(page: str, element_id: str) -> tuple[str, dict]:
    """The URL and the headers of a polling element, as gentle.js sends them (the browser
    journey tests/browser/test_record_copy_journey.py checks that it does)."""
    tag = re.search(rf'<[a-z]+ id="{element_id}"[^>]*>', page).group(0)
    url = re.search(r'data-poll="([^"]+)"', tag).group(1)
    return url, {"HX-Request": "true", "X-Gentle-Background": "1"}


def test_the_record_pages_polling_does_not_keep_the_session_alive(client, clock):
    """Finding 8a: the "My record" page polls every 2 seconds while a copy is prepared; left
    open, it must not keep the session alive past the idle limit."""
    clinic = make_clinic()
    person = make_person(clinic, Role.CLIENT, password=PASSPHRASE)
    export = RecordExport.objects.create(
        client=make_client(clinic, user=person), requested_by=person, status="queued"
    )
    sign_in(client, person)
    url, headers = poll_of(client.get("/portal/record/").content.decode(), f"export-{export.pk}")

    for minute in range(1, 31):  # polling while the person is away, up to the 30-minute limit
        clock.shift(minutes(1))
        assert client.get(url, headers=headers).status_code == 200, f"minute {minute}"

    clock.shift(minutes(1))
    response = client.get(url, headers=headers)
    assert response.status_code == 204  # gentle.js loads the sign-in page instead
    assert response["HX-Redirect"] == "/accounts/login/"
    assert signed_in_as(client) is None
    assert AuditEvent.objects.get(action="session.expired").detail == "reason=idle"


def test_every_polling_element_marks_its_requests_as_background():
    """Pages poll only through gentle.js's data-poll, which marks every poll as background;
    a poller written another way (say htmx's `hx-trigger="every ..."`) would keep sessions
    alive."""
    root = Path(__file__).resolve().parent.parent / "gentle"
    polling = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text()
        assert not re.search(r"\shx-[a-z-]+=", text), f"{template}: htmx is gone (ADR 0021)"
        polling += re.findall(r"\sdata-poll=", text)
    assert polling, "no polling element found: is this test still looking in the right place?"
    script = (root / "static" / "gentle" / "gentle.js").read_text()
    poll = script[script.index("function poll(") :]
    assert """headers: { "X-Gentle-Background": "1" }""" in poll[: poll.index("\n  }\n")]


def test_a_normal_request_extends_the_session(client, clock):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)
    sign_in(client, person)

    clock.shift(minutes(10))
    assert client.get("/clients/").status_code == 200

    clock.shift(minutes(6))  # 16 minutes since sign-in, 6 since the last page
    assert client.get("/clients/").status_code == 200
    assert signed_in_as(client) == person.pk


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/clients/?next=/clients/", {}),
        ("/clients/?skip_expiry=1", {}),
        ("/clients/?expired=0&idle=0", {}),
        ("/clients/", {"HTTP_X_GENTLE_BACKGROUND": "1"}),
        ("/clients/", {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}),
        ("/clients/", {"HTTP_X_GENTLE_BACKGROUND": "0"}),
        ("/clients/", {"HTTP_HX_REQUEST": "true"}),
        ("/clients/", {"HTTP_HX_REQUEST": "true", "HTTP_X_GENTLE_BACKGROUND": "1"}),
    ],
    ids=[
        "next",
        "skip_expiry",
        "made-up-params",
        "background",
        "xhr",
        "background-0",
        "htmx",
        "htmx-background",
    ],
)
def test_nothing_in_the_request_skips_the_expiry_check(client, clock, path, headers):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)
    sign_in(client, person)
    clock.shift(minutes(16))

    response = client.get(path, **headers)

    if "HTTP_HX_REQUEST" in headers:  # the script is told to load the sign-in page
        assert response.status_code == 204
        assert response["HX-Redirect"] == "/accounts/login/"
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert signed_in_as(client) is None
    assert_sent_to_sign_in(client.get("/clients/"), "/clients/")


def test_expired_session_is_audited(client, clock):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)
    sign_in(client, person)
    clock.shift(minutes(16))
    client.get("/clients/")

    event = AuditEvent.objects.get(action="session.expired")
    assert (event.actor_id, event.actor_label) == (person.pk, person.email)
    assert event.detail == "reason=idle"
    assert event.at == datetime(2025, 3, 3, 9, 16, tzinfo=UTC)


def test_a_valid_session_writes_no_expiry_audit_row(client, clock):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)
    sign_in(client, person)
    clock.shift(minutes(14))
    client.get("/clients/")
    assert not AuditEvent.objects.filter(action="session.expired").exists()


# Ending every session of a person


def test_signing_out_in_one_browser_ends_the_other_browsers_session(client, clock):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)
    laptop, phone = client, Client()
    sign_in(laptop, person)
    clock.shift(30)  # the next authenticator code: a code is accepted once only
    sign_in(phone, person)
    assert phone.get("/clients/").status_code == 200

    response = laptop.post("/accounts/logout/")
    assert response.status_code == 302
    assert signed_in_as(laptop) is None

    assert_sent_to_sign_in(phone.get("/clients/"), "/clients/")
    assert signed_in_as(phone) is None


@pytest.mark.parametrize(
    ("action", "data", "audit_action", "undo"),
    [
        ("active", {"active": "0"}, "account.disable", ("active", {"active": "1"})),
        (
            "roles/remove",
            {"role": "clinician"},
            "role.remove",
            ("roles/add", {"role": "clinician"}),
        ),
        ("end-sessions", {}, "account.sessions_end", None),
    ],
    ids=["disable-account", "remove-role", "sign-out-everywhere"],
)
def test_administrator_change_ends_the_persons_sessions(
    client, clock, action, data, audit_action, undo
):
    clinic = make_clinic()
    admin = make_person(clinic, Role.ADMIN, password=PASSPHRASE)
    clinician = make_person(clinic, Role.CLINICIAN, password=PASSPHRASE)
    clinician_browser = Client()
    sign_in(clinician_browser, clinician)
    sign_in(client, admin)
    assert clinician_browser.get("/clients/").status_code == 200

    response = client.post(f"/clinic/people/{clinician.pk}/{action}/", data)
    assert response.status_code == 302
    # Taking away the last role leaves no page for that person in this clinic.
    back = "/clinic/people/" if action == "roles/remove" else f"/clinic/people/{clinician.pk}/"
    assert response["Location"] == back
    assert AuditEvent.objects.filter(action=audit_action, object_id=str(clinician.pk)).exists()

    assert_sent_to_sign_in(clinician_browser.get("/clients/"), "/clients/")
    if undo is not None:  # undoing the change does not bring the old session back
        client.post(f"/clinic/people/{clinician.pk}/{undo[0]}/", undo[1])
    assert_sent_to_sign_in(clinician_browser.get("/clients/"), "/clients/")
    # The administrator's own session is untouched.
    assert client.get("/clinic/people/").status_code == 200
    assert signed_in_as(client) == admin.pk


def test_administrator_change_to_someone_else_leaves_this_person_signed_in(client, clock):
    clinic = make_clinic()
    admin = make_person(clinic, Role.ADMIN, password=PASSPHRASE)
    clinician = make_person(clinic, Role.CLINICIAN, password=PASSPHRASE)
    other = make_person(clinic, Role.CLINICIAN, password=PASSPHRASE)
    clinician_browser = Client()
    sign_in(clinician_browser, clinician)
    sign_in(client, admin)

    client.post(f"/clinic/people/{other.pk}/end-sessions/")

    assert clinician_browser.get("/clients/").status_code == 200
    assert signed_in_as(clinician_browser) == clinician.pk


def test_changing_the_password_ends_the_other_sessions(client, clock):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)
    laptop, phone = client, Client()
    sign_in(laptop, person)
    clock.shift(30)
    sign_in(phone, person)

    response = laptop.post(
        "/accounts/password/change/",
        {"oldpassword": PASSPHRASE, "password1": NEW_PASSPHRASE, "password2": NEW_PASSPHRASE},
    )
    assert response.status_code == 302

    assert_sent_to_sign_in(phone.get("/clients/"), "/clients/")
    assert signed_in_as(phone) is None
    # The new password is the one that works now.
    clock.shift(30)
    sign_in(Client(), person, password=NEW_PASSPHRASE)
    refused = Client().post("/accounts/login/", {"login": person.email, "password": PASSPHRASE})
    assert refused.status_code == 200
    assert "are not correct" in refused.content.decode()


def test_a_wrong_old_password_changes_nothing_and_ends_no_session(client, clock):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)
    laptop, phone = client, Client()
    sign_in(laptop, person)
    clock.shift(30)
    sign_in(phone, person)

    response = laptop.post(
        "/accounts/password/change/",
        {
            "oldpassword": "not my password",
            "password1": NEW_PASSPHRASE,
            "password2": NEW_PASSPHRASE,
        },
    )
    assert response.status_code == 200
    assert "Please type your current password." in response.content.decode()
    assert phone.get("/clients/").status_code == 200
    assert laptop.get("/clients/").status_code == 200


# Session keys


def test_client_sign_in_issues_a_new_session_key(client, clock):
    person = make_person(make_clinic(), Role.CLIENT, password=PASSPHRASE)
    before = client.session.session_key  # a session the visitor already had

    sign_in(client, person)

    after = client.session.session_key
    assert after != before
    assert not session_exists(before)


def test_authenticator_code_step_issues_a_new_session_key(client, clock):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)
    before = client.session.session_key
    client.post("/accounts/login/", {"login": person.email, "password": PASSPHRASE})
    between = client.session.session_key

    client.post("/accounts/2fa/authenticate/", {"code": totp_code(person)})

    after = client.session.session_key
    assert signed_in_as(client) == person.pk
    assert after not in (before, between)
    assert not session_exists(before)
    assert not session_exists(between)


def test_password_step_issues_a_new_session_key_before_the_code_is_asked(client, clock):
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)
    before = client.session.session_key

    response = client.post("/accounts/login/", {"login": person.email, "password": PASSPHRASE})

    assert response["Location"] == "/accounts/2fa/authenticate/"
    between = client.session.session_key
    assert between != before, "the half-signed-in session kept the key the visitor arrived with"
    assert not session_exists(before)
