"""Who the visitor is behind the reverse proxy: one answer (gentle.lib.clientip) for the
sign-in throttles, the intake flood limit and the audit log's "from where", and forwarding
headers believed only from the proxies listed in GENTLE_TRUSTED_PROXIES."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from gentle.accounts.models import Role
from gentle.audit.models import AuditEvent
from gentle.lib.clientip import parse_networks, resolve
from tests.factories import make_clinic, make_person
from tests.test_config import production_env, run_gentle
from tests.test_intake import form, stamp
from tests.test_mfa_and_throttling import (
    NOT_CORRECT,
    PASSPHRASE,
    TOO_MANY_ATTEMPTS,
    form_error,
    signed_in_as,
)

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"  # the test client's peer address: here it plays the reverse proxy
VISITOR, OTHER_VISITOR = "203.0.113.5", "198.51.100.7"


@pytest.fixture(autouse=True)
def _fresh_budgets():
    cache.clear()
    with time_machine.travel(datetime(2025, 3, 3, 9, 0, tzinfo=UTC), tick=False):
        yield
    cache.clear()


@pytest.fixture
def behind_proxy(settings):
    settings.GENTLE_TRUSTED_PROXIES = [PROXY]


def sign_in(browser: Client, email: str, password: str, forwarded_for: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
    return browser.post("/accounts/login/", {"login": email, "password": password}, **extra)


# The rule, as a function


TRUSTED = parse_networks(["10.0.0.0/8", "127.0.0.1"])


@pytest.mark.parametrize(
    ("peer", "forwarded", "visitor"),
    [
        ("203.0.113.5", "", "203.0.113.5"),  # no proxy in between
        ("203.0.113.5", "1.2.3.4", "203.0.113.5"),  # not our proxy: its header is ignored
        ("127.0.0.1", "203.0.113.5", "203.0.113.5"),
        ("127.0.0.1", "1.2.3.4, 203.0.113.5", "203.0.113.5"),  # the visitor wrote 1.2.3.4
        ("127.0.0.1", "203.0.113.5, 10.1.2.3", "203.0.113.5"),  # two proxies of ours
        ("127.0.0.1", "10.1.2.3", "10.1.2.3"),  # only our own machines: the first of them
        ("127.0.0.1", "", "127.0.0.1"),
        ("127.0.0.1", "junk, 10.1.2.3", "10.1.2.3"),  # stop at the last address we trust
        ("::ffff:127.0.0.1", "2001:db8::1", "2001:db8::1"),
        ("2001:db8::9", "203.0.113.5", "2001:db8::9"),
        ("not an address", "203.0.113.5", None),
    ],
)
def test_the_visitor_is_the_first_address_not_of_a_trusted_proxy(peer, forwarded, visitor):
    assert resolve(peer, forwarded, TRUSTED) == visitor


def test_a_bad_proxy_entry_is_named():
    with pytest.raises(ValueError, match="'10.0.0.300' is not an IP address or network"):
        parse_networks(["10.0.0.1", "10.0.0.300"])


# Signing in


def test_behind_the_proxy_one_visitors_failures_do_not_lock_out_the_clinic(client, behind_proxy):
    # Found in a penetration test: behind the proxy everyone shared the proxy's address, so
    # ten failed sign-ins a minute from anyone stopped every sign-in of the clinic.
    person = make_person(make_clinic(), Role.CLIENT, password=PASSPHRASE)
    for attempt in range(10):
        response = sign_in(client, f"guess{attempt}@example.test", "wrong", VISITOR)
        assert form_error(response) == NOT_CORRECT
    assert form_error(sign_in(client, "guess@example.test", "wrong", VISITOR)) == TOO_MANY_ATTEMPTS

    browser = Client()
    response = sign_in(browser, person.email, PASSPHRASE, OTHER_VISITOR)

    assert response.status_code == 302
    assert signed_in_as(browser) == person.pk


def test_a_visitor_cannot_escape_the_per_address_budget_with_a_made_up_header(client, settings):
    settings.GENTLE_TRUSTED_PROXIES = ["10.9.9.9"]  # a proxy exists, but this is not it
    for attempt in range(10):
        response = sign_in(client, f"guess{attempt}@example.test", "wrong", f"192.0.2.{attempt}")
        assert form_error(response) == NOT_CORRECT

    response = sign_in(client, "guess@example.test", "wrong", "192.0.2.99")

    assert form_error(response) == TOO_MANY_ATTEMPTS


# The audit log's "from where"


def test_the_audit_log_records_the_visitor_behind_the_proxy(client, behind_proxy):
    sign_in(client, "nobody@example.test", "wrong", f"192.0.2.1, {VISITOR}")

    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.ip == VISITOR


def test_the_audit_log_ignores_a_made_up_header_from_anyone_else(client):
    sign_in(client, "nobody@example.test", "wrong", VISITOR)

    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.ip == PROXY


# The intake flood limit


def test_the_flood_limit_ignores_a_made_up_header_from_anyone_else(client, settings):
    settings.GENTLE_INTAKE_PER_HOUR = 1
    settings.GENTLE_TRUSTED_PROXIES = ["10.9.9.9"]
    url = f"/c/{make_clinic().slug}/reach-out/"
    assert client.post(url, form(), HTTP_X_FORWARDED_FOR=VISITOR).status_code == 200

    # Time stands still in this module: a second stamp must differ, as the form's are single-use.
    response = client.post(url, form(started=stamp(40)), HTTP_X_FORWARDED_FOR=OTHER_VISITOR)

    assert response.status_code == 429


# HTTPS as the proxy reports it


@pytest.mark.parametrize(("trusted", "status"), [([PROXY], 200), (["10.9.9.9"], 301)])
def test_only_a_trusted_proxy_may_say_the_visitor_used_https(client, settings, trusted, status):
    settings.GENTLE_TRUSTED_PROXIES = trusted
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/crisis/", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == status


# Configuration


@pytest.mark.slow
@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"GENTLE_TRUSTED_PROXIES": "127.0.0.1,proxy.local"},
            "GENTLE_TRUSTED_PROXIES is malformed: 'proxy.local' is not an IP address or network",
        ),
        (
            {"GENTLE_BEHIND_PROXY": "true"},
            "GENTLE_BEHIND_PROXY was replaced by GENTLE_TRUSTED_PROXIES",
        ),
    ],
)
def test_proxy_settings_stop_start_up_with_one_line(tmp_path, variables, message):
    result = run_gentle("check", env=production_env(**variables), tmp_path=tmp_path)

    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr
