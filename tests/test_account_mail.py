"""Mail about accounts (password resets, invitations) is branded and linked from configuration
(GENTLE_BASE_URL, GENTLE_CLINIC_NAME), never from the request's Host header."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from gentle.accounts.models import Role
from gentle.lib.siteurl import parse_base_url
from tests.factories import deliver_mail, make_client, make_clinic, make_person
from tests.test_config import production_env, run_gentle

pytestmark = pytest.mark.django_db

PASSPHRASE = "correct horse battery staple on a quiet river morning"
FORGED = "evil.example"


@pytest.fixture(autouse=True)
def _configured(settings):
    cache.clear()
    # A production-like set-up where a second host name is accepted (an alias, or a wildcard):
    # the attacker's Host header passes ALLOWED_HOSTS.
    settings.ALLOWED_HOSTS = ["gentle.example.org", FORGED]
    settings.GENTLE_BASE_URL = "https://gentle.example.org"
    settings.GENTLE_CLINIC_NAME = "Hillside Practice"
    yield
    cache.clear()


def sent_mail():
    deliver_mail()
    return list(mail.outbox)


def ask_reset(client, email: str):
    return client.post("/accounts/password/reset/", {"email": email}, HTTP_HOST=FORGED)


def test_a_reset_link_comes_from_the_configured_address_not_the_host_header(client):
    # Found in a penetration test: the link (and the name) came from the Host header, so a
    # forged header sent the victim a reset link to the attacker's server.
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)

    assert ask_reset(client, person.email).status_code == 302

    [message] = sent_mail()
    assert message.to == [person.email]
    assert message.subject.startswith("[Hillside Practice] ")
    assert re.search(
        r"^https://gentle\.example\.org/accounts/password/reset/key/\S+/$", message.body, re.M
    )
    assert "Hillside Practice" in message.body
    assert FORGED not in message.subject + message.body


def test_the_reset_link_works(client):
    person = make_person(make_clinic(), Role.CLIENT, password=PASSPHRASE)
    ask_reset(client, person.email)
    link = re.search(
        r"https://gentle\.example\.org(/accounts/password/reset/key/\S+/)", sent_mail()[0].body
    )

    response = client.get(link.group(1), follow=True, HTTP_HOST="gentle.example.org")

    assert response.status_code == 200
    assert 'name="password1"' in response.content.decode()


def test_an_unknown_address_is_not_invited_to_sign_up(client):
    assert ask_reset(client, "nobody@example.test").status_code == 302

    [message] = sent_mail()
    assert message.to == ["nobody@example.test"]
    assert message.subject.startswith("[Hillside Practice] ")
    assert "/accounts/signup/" not in message.body
    assert "sign up" not in message.body.lower()
    assert "by invitation" in message.body
    assert FORGED not in message.subject + message.body


def test_a_portal_invitation_links_to_the_configured_address(client):
    clinic = make_clinic()
    clinician = make_person(clinic, Role.CLINICIAN)
    record = make_client(clinic, clinicians=[clinician])
    client.force_login(clinician)

    response = client.post(
        f"/clients/{record.pk}/portal-invite/", {"email": "ines@example.test"}, HTTP_HOST=FORGED
    )

    assert response.status_code == 200
    assert "/invitations/" not in response.content.decode()  # the link goes only by mail
    [message] = sent_mail()
    assert "https://gentle.example.org/invitations/" in message.body
    assert FORGED not in message.body


def test_a_staff_invitation_link_shows_the_configured_address(client):
    clinic = make_clinic()
    client.force_login(make_person(clinic, Role.ADMIN))

    response = client.post(
        "/clinic/invitations/",
        {"email": "noor@example.test", "role": Role.CLINICIAN},
        HTTP_HOST=FORGED,
    )

    html = response.content.decode()
    assert 'value="https://gentle.example.org/invitations/' in html
    assert FORGED not in html


# Configuration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://Gentle.Example.org/", "https://gentle.example.org"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ],
)
def test_a_base_url_is_kept_as_scheme_and_host(text, expected):
    assert parse_base_url(text) == expected


@pytest.mark.parametrize(
    "text", ["gentle.example.org", "ftp://gentle.example.org", "https://h/gentle", "https://h:x"]
)
def test_a_malformed_base_url_is_refused(text):
    with pytest.raises(ValueError):
        parse_base_url(text)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "GENTLE_BASE_URL is required when GENTLE_ENV=production"),
        ("http://gentle.example.org", "GENTLE_BASE_URL must start with https://"),
        ("https://elsewhere.example.org", "GENTLE_BASE_URL's host is not one of"),
        ("gentle.example.org", "GENTLE_BASE_URL is malformed"),
    ],
)
def test_the_base_url_stops_start_up_with_one_line_when_wrong(tmp_path, value, message):
    result = run_gentle("check", env=production_env(GENTLE_BASE_URL=value), tmp_path=tmp_path)

    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr
