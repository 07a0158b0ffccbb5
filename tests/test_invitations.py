"""Invitations: an administrator invites staff with a one-time, expiring link; a clinician of
the care team invites a client to the portal (link by email, code on the letter)."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client as HttpClient
from django.utils import timezone

from gentle.accounts.models import Invitation, Membership, Role, User
from gentle.audit.models import AuditEvent
from gentle.clients.models import Client
from tests.factories import deliver_mail, make_client, make_clinic, make_person, totp_code

pytestmark = pytest.mark.django_db

PASSPHRASE = "quiet river morning with a heron and two boats"
REFUSED = "This invitation cannot be used"


@pytest.fixture
def clinic():
    return make_clinic("Hillside Practice")


@pytest.fixture
def admin(clinic):
    return make_person(clinic, Role.ADMIN)


@pytest.fixture
def newcomer():
    """The invited person's own browser."""
    return HttpClient()


def link_in(html: str) -> str:
    """The path of the one-time link shown on the 'Invitation created' page."""
    match = re.search(r'value="http://testserver(/invitations/[^"/]+/)"', html)
    assert match, "no invitation link on the page"
    return match.group(1)


def invite(client, admin, email: str, role: str = Role.CLINICIAN) -> str:
    client.force_login(admin)
    response = client.post("/clinic/invitations/", {"email": email, "role": role})
    assert response.status_code == 200
    return link_in(response.content.decode())


def accept(browser, path: str, name: str = "Noor Haddad", password: str = PASSPHRASE, **extra):
    data = {"display_name": name, "password1": password, "password2": password, **extra}
    return browser.post(path, data)


def signed_in_as(browser) -> int | None:
    value = browser.session.get("_auth_user_id")
    return int(value) if value else None


# Creating invitations -----------------------------------------------------------------------


def test_admin_invites_a_colleague_and_sees_the_link_only_once(client, clinic, admin):
    client.force_login(admin)
    page = client.get("/clinic/invitations/")
    assert page.status_code == 200
    assert "Invite a colleague" in page.content.decode()

    response = client.post(
        "/clinic/invitations/", {"email": "New.Colleague@Example.test", "role": Role.SUPERVISOR}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Invitation created" in html
    assert "It is shown only now." in html
    path = link_in(html)
    token = path.split("/")[2]

    invitation = Invitation.objects.get()
    assert invitation.email == "new.colleague@example.test"
    assert (invitation.clinic, invitation.role, invitation.state) == (clinic, "supervisor", "open")
    assert invitation.created_by == admin
    assert token not in invitation.token_hash

    listing = client.get("/clinic/invitations/").content.decode()
    assert "new.colleague@example.test" in listing
    assert "Open until" in listing
    assert token not in listing

    event = AuditEvent.objects.get(action="invitation.create")
    assert (event.actor_id, event.clinic_id) == (admin.pk, clinic.pk)
    assert event.object_id == str(invitation.pk)
    assert re.fullmatch(
        r"role=supervisor channel=link addr=[0-9a-f]{12} to=n\*\*\*@example\.test", event.detail
    )
    assert token not in event.detail


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-address", "role": "clinician"}, "Enter a valid email address."),
        ({"email": "", "role": "clinician"}, "This field is required."),
        (
            {"email": "someone@example.test", "role": "client"},
            "Select a valid choice. client is not one of the available choices.",
        ),
    ],
)
def test_bad_invitation_input_is_refused_with_a_message(client, admin, data, message):
    client.force_login(admin)
    response = client.post("/clinic/invitations/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    if data["email"]:
        assert f'value="{data["email"]}"' in html
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(action="invitation.create").exists()


def test_the_staff_invitation_action_itself_refuses_the_client_role(clinic, admin):
    from gentle.accounts.actions import InvitationRefused, invitation_create

    with pytest.raises(InvitationRefused):
        invitation_create(by=admin, clinic=clinic, email="c@example.test", role=Role.CLIENT)
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(action="invitation.create").exists()


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.SUPERVISOR, Role.CLIENT])
def test_non_administrators_get_404_on_the_invitation_pages(client, clinic, admin, role):
    invite(client, admin, "pending@example.test")
    invitation = Invitation.objects.get()
    client.force_login(make_person(clinic, role))
    assert client.get("/clinic/invitations/").status_code == 404
    response = client.post(
        "/clinic/invitations/", {"email": "sneaky@example.test", "role": "admin"}
    )
    assert response.status_code == 404
    assert client.post(f"/clinic/invitations/{invitation.pk}/revoke/").status_code == 404
    assert list(Invitation.objects.all()) == [invitation]
    invitation.refresh_from_db()
    assert invitation.state == "open"


def test_visitors_are_asked_to_sign_in_for_the_invitation_pages(client):
    response = client.get("/clinic/invitations/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# Accepting ----------------------------------------------------------------------------------


def test_new_colleague_accepts_is_signed_in_with_the_role_and_sent_to_mfa_setup(
    client, clinic, admin, newcomer
):
    path = invite(client, admin, "noor@example.test", Role.CLINICIAN)
    page = newcomer.get(path)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Join Hillside Practice" in html
    assert "You are invited as Clinician, with the email address noor@example.test." in html
    for field in ("display_name", "password1", "password2"):
        assert f'name="{field}"' in html

    response = accept(newcomer, path)
    assert response.status_code == 302
    assert response["Location"] == "/"
    person = User.objects.get(email="noor@example.test")
    assert person.display_name == "Noor Haddad"
    assert person.check_password(PASSPHRASE)
    assert set(Membership.objects.filter(user=person).values_list("clinic", "role")) == {
        (clinic.pk, "clinician")
    }
    assert signed_in_as(newcomer) == person.pk

    assert newcomer.get("/")["Location"] == "/accounts/2fa/totp/activate/"
    assert newcomer.get("/clients/")["Location"] == "/accounts/2fa/totp/activate/"
    html = newcomer.get("/crisis/").content.decode()  # exempt from the MFA redirect
    assert "Staff accounts need two-factor authentication." in html

    invitation = Invitation.objects.get()
    assert invitation.state == "used" and invitation.used_by == person
    accepted = AuditEvent.objects.get(action="invitation.accept")
    assert (accepted.actor_id, accepted.clinic_id, accepted.role) == (
        person.pk,
        clinic.pk,
        "clinician",
    )
    assert accepted.object_id == str(invitation.pk)
    assert AuditEvent.objects.filter(
        action="role.add", actor_id=person.pk, detail="role=clinician via=invitation"
    ).exists()
    assert AuditEvent.objects.filter(action="auth.login", actor_id=person.pk).exists()

    client.force_login(admin)
    assert "Accepted" in client.get("/clinic/invitations/").content.decode()


@pytest.mark.parametrize(
    ("password1", "password2", "message"),
    [
        ("password1234", "password1234", "This password is too common."),
        (PASSPHRASE, PASSPHRASE + "!", "The two passwords differ."),
        ("k7#pQ", "k7#pQ", "This password is too short. It must contain at least 10 characters."),
        ("8675309123456", "8675309123456", "This password is entirely numeric."),
        (
            "noor@example.test",
            "noor@example.test",
            "The password is too similar to the email address.",
        ),
    ],
)
def test_weak_or_mismatched_passwords_are_refused_and_the_name_stays(
    client, admin, newcomer, password1, password2, message
):
    path = invite(client, admin, "noor@example.test")
    response = newcomer.post(
        path, {"display_name": "Noor Haddad", "password1": password1, "password2": password2}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'value="Noor Haddad"' in html
    assert f'value="{password1}"' not in html  # passwords are never sent back
    assert not User.objects.filter(email="noor@example.test").exists()
    assert Invitation.objects.get().state == "open"
    assert signed_in_as(newcomer) is None


def test_a_missing_name_is_asked_for(client, admin, newcomer):
    path = invite(client, admin, "noor@example.test")
    response = accept(newcomer, path, name="")
    assert "This field is required." in response.content.decode()
    assert not User.objects.filter(email="noor@example.test").exists()


def test_a_70_character_passphrase_is_accepted(client, admin, newcomer):
    passphrase = "the heron waits by the quiet river while two small boats drift past us"
    assert len(passphrase) == 70
    path = invite(client, admin, "noor@example.test")
    assert accept(newcomer, path, password=passphrase).status_code == 302
    assert User.objects.get(email="noor@example.test").check_password(passphrase)


def test_the_same_link_a_second_time_cannot_be_used(client, admin, newcomer):
    path = invite(client, admin, "noor@example.test")
    accept(newcomer, path)
    newcomer.logout()
    again = newcomer.get(path)
    assert again.status_code == 410
    assert REFUSED in again.content.decode()
    stranger = HttpClient()
    response = accept(stranger, path, name="Someone Else")
    assert response.status_code == 410
    assert REFUSED in response.content.decode()
    assert User.objects.filter(email="noor@example.test").count() == 1
    assert User.objects.get(email="noor@example.test").display_name == "Noor Haddad"
    assert signed_in_as(stranger) is None
    assert AuditEvent.objects.filter(action="invitation.refused", detail="state=used").count() == 2


def test_an_expired_invitation_answers_410_and_creates_nobody(
    client, admin, newcomer, time_machine
):
    path = invite(client, admin, "noor@example.test")
    days = settings.GENTLE_INVITATION_DAYS
    time_machine.move_to(timezone.now() + timedelta(days=days, minutes=-5), tick=False)
    assert newcomer.get(path).status_code == 200  # still open just before
    time_machine.move_to(timezone.now() + timedelta(minutes=10), tick=False)
    page = newcomer.get(path)
    assert page.status_code == 410
    assert REFUSED in page.content.decode()
    response = accept(newcomer, path)
    assert response.status_code == 410
    assert not User.objects.filter(email="noor@example.test").exists()
    assert signed_in_as(newcomer) is None
    assert AuditEvent.objects.filter(action="invitation.refused", detail="state=expired").exists()
    client.logout()  # the administrator's session has long ended
    client.force_login(admin)
    assert "Expired" in client.get("/clinic/invitations/").content.decode()


def test_an_invitation_past_its_expiry_time_in_the_database_is_refused(client, admin, newcomer):
    path = invite(client, admin, "noor@example.test")
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert accept(newcomer, path).status_code == 410
    assert not User.objects.filter(email="noor@example.test").exists()


def test_a_revoked_invitation_answers_410_and_creates_nobody(client, clinic, admin, newcomer):
    path = invite(client, admin, "noor@example.test")
    invitation = Invitation.objects.get()
    response = client.post(f"/clinic/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 302
    listing = client.get("/clinic/invitations/").content.decode()
    assert "Invitation revoked." in listing
    assert "Revoked" in listing
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    assert AuditEvent.objects.filter(
        action="invitation.revoke", actor_id=admin.pk, object_id=str(invitation.pk)
    ).exists()

    assert newcomer.get(path).status_code == 410
    response = accept(newcomer, path)
    assert response.status_code == 410
    assert REFUSED in response.content.decode()
    assert not User.objects.filter(email="noor@example.test").exists()
    assert AuditEvent.objects.filter(action="invitation.refused", detail="state=revoked").exists()


def test_an_accepted_invitation_cannot_be_revoked_afterwards(client, admin, newcomer):
    path = invite(client, admin, "noor@example.test")
    accept(newcomer, path)
    invitation = Invitation.objects.get()
    client.post(f"/clinic/invitations/{invitation.pk}/revoke/")
    invitation.refresh_from_db()
    assert invitation.state == "used" and invitation.revoked_at is None
    assert Membership.objects.filter(user__email="noor@example.test").exists()


def test_revoking_an_invitation_accepted_meanwhile_is_not_reported_as_revoked(
    client, admin, newcomer
):
    # The administrator's list still shows "Revoke" while the invitee accepts.
    path = invite(client, admin, "noor@example.test")
    invitation = Invitation.objects.get()
    accept(newcomer, path)
    response = client.post(f"/clinic/invitations/{invitation.pk}/revoke/", follow=True)
    html = response.content.decode()
    assert "Invitation revoked." not in html
    assert "Accepted" in html
    assert not AuditEvent.objects.filter(action="invitation.revoke").exists()


def test_an_admin_cannot_revoke_another_clinics_invitation(client, admin, newcomer):
    other = make_clinic("Riverside Practice")
    other_admin = make_person(other, Role.ADMIN)
    path = invite(client, other_admin, "far@example.test")
    invitation = Invitation.objects.get()
    client.force_login(admin)
    assert client.post(f"/clinic/invitations/{invitation.pk}/revoke/").status_code == 404
    assert client.post("/clinic/invitations/999999/revoke/").status_code == 404
    assert "far@example.test" not in client.get("/clinic/invitations/").content.decode()
    invitation.refresh_from_db()
    assert invitation.state == "open"
    assert not AuditEvent.objects.filter(action="invitation.revoke").exists()
    assert accept(newcomer, path).status_code == 302


def test_an_unknown_token_answers_410_and_is_audited(client, newcomer):
    for token in ("no-such-token", "x" * 150):
        response = newcomer.get(f"/invitations/{token}/")
        assert response.status_code == 410
        assert REFUSED in response.content.decode()
    response = accept(newcomer, "/invitations/no-such-token/")
    assert response.status_code == 410
    assert not User.objects.exists()
    refused = AuditEvent.objects.filter(action="invitation.refused")
    assert refused.count() == 3
    assert set(refused.values_list("detail", flat=True)) == {"state=unknown"}


# People who already have an account ----------------------------------------------------------


def test_an_existing_account_is_asked_to_sign_in_first_then_gains_the_role(
    client, clinic, admin, newcomer
):
    elsewhere = make_clinic("Riverside Practice")
    existing = make_person(elsewhere, Role.CLINICIAN, password=PASSPHRASE)
    path = invite(client, admin, existing.email.upper(), Role.SUPERVISOR)

    page = newcomer.get(path)
    html = page.content.decode()
    assert page.status_code == 200
    assert f"You already have an account as {existing.email}." in html
    assert f'href="/accounts/login/?next={path}"' in html
    assert 'name="password1"' not in html
    response = accept(newcomer, path, name="Impostor", password="another passphrase here")
    assert "You already have an account" in response.content.decode()
    assert not Membership.objects.filter(user=existing, clinic=clinic).exists()
    assert Invitation.objects.get().state == "open"

    newcomer.force_login(existing)
    page = newcomer.get(path).content.decode()
    assert "Accept invitation" in page
    assert 'name="password1"' not in page
    response = newcomer.post(path)
    assert response.status_code == 302
    roles = set(Membership.objects.filter(user=existing).values_list("clinic", "role"))
    assert roles == {(elsewhere.pk, "clinician"), (clinic.pk, "supervisor")}
    existing.refresh_from_db()
    assert existing.check_password(PASSPHRASE)  # unchanged
    assert existing.display_name != "Impostor"
    assert User.objects.filter(email__iexact=existing.email).count() == 1
    assert "You are signed in to Hillside Practice." in newcomer.get("/").content.decode()
    assert Invitation.objects.get().used_by == existing


def test_someone_else_signed_in_cannot_accept_an_invitation_for_an_existing_account(
    client, clinic, admin, newcomer
):
    existing = make_person(make_clinic(), Role.CLINICIAN)
    path = invite(client, admin, existing.email, Role.ADMIN)
    intruder = make_person(clinic, Role.CLINICIAN)
    newcomer.force_login(intruder)
    response = newcomer.post(path)
    assert "You already have an account" in response.content.decode()
    assert not Membership.objects.filter(clinic=clinic, role="admin").exclude(user=admin).exists()
    assert Invitation.objects.get().state == "open"


# Client portal invitations (sent by the care team's clinician; tests/test_portal_activation.py
# covers the code, the date of birth and the review) --------------------------------------------


def portal_invite(client, clinician, record, email: str) -> tuple[str, str]:
    """The clinician invites; returns the emailed link's path and the letter's code."""
    client.force_login(clinician)
    response = client.post(f"/clients/{record.pk}/portal-invite/", {"email": email})
    assert response.status_code == 200
    code = re.search(r"data-code>([^<]+)<", response.content.decode()).group(1)
    deliver_mail()
    path = re.search(r"http://testserver(/invitations/[^/\s]+/)", mail.outbox[-1].body).group(1)
    return path, code


def test_a_portal_invitation_links_the_new_login_to_exactly_that_client(
    client, clinic, admin, newcomer
):
    clinician = make_person(clinic, Role.CLINICIAN)
    record = make_client(clinic, clinicians=[clinician], given_name="Ottilie", family_name="Brun")
    bystander = make_client(clinic, given_name="Bystander")
    path, code = portal_invite(client, clinician, record, "otti@example.test")
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.purpose, invitation.client_id) == (
        "client",
        "client_portal",
        record.pk,
    )
    assert AuditEvent.objects.filter(action="invitation.create", client_id=record.pk).exists()

    page = newcomer.get(path).content.decode()
    assert "You are invited as Client" in page
    response = accept(newcomer, path, name="Otti B", code=code)
    assert response.status_code == 302
    person = User.objects.get(email="otti@example.test")
    record.refresh_from_db()
    bystander.refresh_from_db()
    assert record.user == person
    assert bystander.user is None
    assert list(Client.objects.filter(user=person)) == [record]
    assert set(Membership.objects.filter(user=person).values_list("clinic", "role")) == {
        (clinic.pk, "client")
    }
    assert AuditEvent.objects.filter(
        action="portal.link", actor_id=person.pk, client_id=record.pk
    ).exists()

    portal = newcomer.get("/portal/")
    html = portal.content.decode()
    assert portal.status_code == 200
    assert "Hello, Ottilie" in html
    assert "Otti B" in html  # the account menu
    assert clinician.display_name in html
    assert "Bystander" not in html
    assert newcomer.get("/clients/").status_code == 404
    assert newcomer.get(f"/clients/{record.pk}/").status_code == 404

    client.force_login(admin)
    team = client.get(f"/clinic/clients/{record.pk}/team/").content.decode()
    assert "This client has a portal login." in team


def test_a_client_with_a_portal_login_cannot_be_invited_again(client, clinic):
    clinician = make_person(clinic, Role.CLINICIAN)
    record = make_client(clinic, clinicians=[clinician], user=make_person(clinic, Role.CLIENT))
    client.force_login(clinician)
    response = client.post(
        f"/clients/{record.pk}/portal-invite/", {"email": "again@example.test"}, follow=True
    )
    assert "This client already uses the portal." in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_bad_portal_invitation_address_is_refused_and_kept(client, clinic):
    clinician = make_person(clinic, Role.CLINICIAN)
    record = make_client(clinic, clinicians=[clinician])
    client.force_login(clinician)
    response = client.post(f"/clients/{record.pk}/portal-invite/", {"email": "otti@"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter a valid email address." in html
    assert 'value="otti@"' in html
    assert not Invitation.objects.exists()


def test_the_administrator_can_no_longer_post_a_portal_invitation_and_the_team_stays(
    client, clinic, admin
):
    clinician = make_person(clinic, Role.CLINICIAN)
    record = make_client(clinic, clinicians=[clinician])
    client.force_login(admin)
    response = client.post(f"/clinic/clients/{record.pk}/invite/", {"email": "otti@"})
    assert response.status_code == 404
    html = client.get(f"/clinic/clients/{record.pk}/team/").content.decode()
    boxes = [tag for tag in re.findall(r"<input[^>]*>", html) if 'name="clinicians"' in tag]
    assert any(f'value="{clinician.pk}"' in tag and " checked" in tag for tag in boxes)
    assert not Invitation.objects.exists()


def test_a_second_portal_invitation_for_a_linked_record_creates_nobody(
    client, clinic, admin, newcomer
):
    clinician = make_person(clinic, Role.CLINICIAN)
    record = make_client(clinic, clinicians=[clinician])
    first, first_code = portal_invite(client, clinician, record, "a@example.test")
    second, second_code = portal_invite(client, clinician, record, "b@example.test")
    # A new invitation withdraws the earlier one; open both as if they had crossed.
    Invitation.objects.update(revoked_at=None)
    assert accept(newcomer, first, code=first_code).status_code == 302
    late = HttpClient()
    response = accept(late, second, code=second_code)
    assert response.status_code == 410
    assert REFUSED in response.content.decode()
    assert not User.objects.filter(email="b@example.test").exists()
    assert Invitation.objects.get(email="b@example.test").state == "open"
    record.refresh_from_db()
    assert record.user.email == "a@example.test"
    assert signed_in_as(late) is None


def test_an_existing_colleague_signs_in_from_the_link_and_comes_back_to_accept(
    client, clinic, admin, newcomer
):
    existing = make_person(make_clinic("Riverside Practice"), Role.CLINICIAN, password=PASSPHRASE)
    path = invite(client, admin, existing.email, Role.CLINICIAN)
    response = newcomer.post(
        f"/accounts/login/?next={path}", {"login": existing.email, "password": PASSPHRASE}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = newcomer.post("/accounts/2fa/authenticate/", {"code": totp_code(existing)})
    assert response["Location"] == path
    assert newcomer.post(path)["Location"] == "/"
    assert Membership.objects.filter(user=existing, clinic=clinic, role="clinician").exists()


def test_accepting_without_a_csrf_token_is_refused(client, admin):
    path = invite(client, admin, "noor@example.test")
    browser = HttpClient(enforce_csrf_checks=True)
    assert browser.get(path).status_code == 200
    response = accept(browser, path)
    assert response.status_code == 403
    assert not User.objects.filter(email="noor@example.test").exists()
    assert Invitation.objects.get().state == "open"
