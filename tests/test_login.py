"""Signing in and out with email and password (MFA arrives with the Identity issue)."""

import pytest
from django.test import override_settings

from gentle.accounts.models import Role, User
from tests.factories import make_clinic, make_person, totp_code

pytestmark = pytest.mark.django_db

PASSPHRASE = "correct horse battery staple on a quiet river morning"


def test_staff_sign_in_with_password_then_authenticator_code(client):
    person = make_person(make_clinic("Hillside Practice"), Role.CLINICIAN, password=PASSPHRASE)
    response = client.post(
        "/accounts/login/", {"login": person.email.upper(), "password": PASSPHRASE}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # not signed in before the second factor
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(person)}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/"
    assert f"Welcome, {person.display_name}" in html
    assert "Hillside Practice" in html


def test_client_signs_in_with_password_only(client):
    person = make_person(make_clinic(), Role.CLIENT, password=PASSPHRASE)
    response = client.post("/accounts/login/", {"login": person.email, "password": PASSPHRASE})
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(person.pk)


def test_wrong_password_keeps_the_email_and_says_why(client):
    person = make_person(make_clinic(), Role.CLIENT, password=PASSPHRASE)
    response = client.post("/accounts/login/", {"login": person.email, "password": "nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in html
    assert f'value="{person.email}"' in html
    assert "_auth_user_id" not in client.session


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client):
    make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)
    unknown = client.post("/accounts/login/", {"login": "nobody@example.test", "password": "x"})
    assert "are not correct" in unknown.content.decode()


def test_empty_login_form_asks_for_both_fields(client):
    html = client.post("/accounts/login/", {"login": "", "password": ""}).content.decode()
    assert html.count("This field is required.") == 2


def test_open_sign_up_is_closed(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.test", "password1": PASSPHRASE, "password2": PASSPHRASE},
    )
    assert "Sign Up Closed" in response.content.decode()
    assert not User.objects.filter(email="new@example.test").exists()


def test_demo_accounts_only_work_in_demo_mode(client):
    User.objects.create_user(email="clinician@demo.gentle.test", password="gentle-demo")
    # (no clinic role: the login itself is what is tested)
    with override_settings(DEMO=False):
        response = client.post(
            "/accounts/login/",
            {"login": "clinician@demo.gentle.test", "password": "gentle-demo"},
        )
        assert "are not correct" in response.content.decode()
    response = client.post(
        "/accounts/login/", {"login": "clinician@demo.gentle.test", "password": "gentle-demo"}
    )
    assert response.status_code == 302


def test_sign_out_is_a_post_and_ends_the_session(client):
    client.force_login(make_person(make_clinic(), Role.CLINICIAN))
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session
    assert client.get("/clinic/people/").status_code == 302


def test_passwords_are_stored_with_argon2():
    person = make_person(make_clinic(), Role.CLINICIAN, password=PASSPHRASE)
    assert person.password.startswith("argon2")
