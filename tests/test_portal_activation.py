"""Portal activation that only the client can complete (penetration test, finding 1).

The link goes only by email to the client's address; the clinician's printed letter carries a
separate one-time code; activation asks for the code and the date of birth. Administrators
invite staff only. When the clinician who sent an invitation leaves the care team, their open
invitations end and a login activated from one waits for the remaining team's review."""

import re
from datetime import date

import pytest
from django.core import mail
from django.test import Client as HttpClient

from gentle.accounts.models import Invitation, Membership, Role, User
from gentle.audit.models import AuditEvent
from gentle.clients.models import Client
from gentle.courses.models import Course, ProgressNote, Session
from gentle.portal.models import RecordExport
from gentle.portal.tasks import prepare_export
from tests.factories import deliver_mail, make_client, make_clinic, make_person

pytestmark = pytest.mark.django_db
PASSWORD = "a long and private passphrase 42"


def signed_record(clinic, clinician) -> Client:
    """A record with a signed note, as in the penetration test's client #4."""
    record = make_client(clinic, clinicians=[clinician], given_name="Marit")
    record.date_of_birth = date(1990, 4, 12)
    record.email = "marit@example.test"
    record.save(update_fields=["date_of_birth", "email"])
    course = Course.objects.create(
        client=record,
        format="individual",
        contracted_sessions=12,
        session_minutes=50,
        initial_last=3,
        termination_first=10,
        start_date=date(2026, 1, 5),
    )
    session = Session.objects.create(
        course=course,
        clinician=clinician,
        minutes=50,
        mode="video",
        starts_at=record.created_at,
    )
    ProgressNote.objects.create(
        session=session,
        author=clinician,
        updated_by=clinician,
        status="signed",
        signed_at=record.created_at,
        signed_by=clinician,
        text="SIGNED-NOTE-TEXT",
    )
    return record


def links_in(text: str) -> list[str]:
    return re.findall(r"/invitations/[A-Za-z0-9_\-]{20,}/", text)


def reaches_record_copy(browser, django_capture_on_commit_callbacks) -> bool:
    """Whether this browser, signed in to a portal, can download the record copy."""
    with django_capture_on_commit_callbacks(execute=True):
        if browser.post("/portal/record/").status_code != 302:
            return False
    export = RecordExport.objects.order_by("-pk").first()
    if export is None:
        return False
    prepare_export.call(export.pk)
    response = browser.get(f"/portal/record/{export.pk}/json/")
    return response.status_code == 200 and "SIGNED-NOTE-TEXT" in response.content.decode()


def take_over(path: str) -> HttpClient:
    """Open a link in another browser and make it a login, the way the tester did."""
    browser = HttpClient()
    browser.post(
        path,
        {"display_name": "Not the client", "password1": PASSWORD, "password2": PASSWORD},
    )
    return browser


# Finding 1, first half: an administrator takes over a client's portal ----------------------


def test_an_administrator_cannot_invite_a_client_and_take_over_the_record(
    client, django_capture_on_commit_callbacks
):
    clinic = make_clinic()
    clinician = make_person(clinic, Role.CLINICIAN)
    admin = make_person(clinic, Role.ADMIN)
    record = signed_record(clinic, clinician)
    client.force_login(admin)

    shown, statuses = [], []
    for url, data in (
        (f"/clinic/clients/{record.pk}/invite/", {"email": "admin.private@example.test"}),
        ("/clinic/invitations/", {"email": "admin.private@example.test", "role": "client"}),
        (f"/clients/{record.pk}/portal-invite/", {"email": "admin.private@example.test"}),
    ):
        response = client.post(url, data)
        statuses.append(response.status_code)
        shown += links_in(response.content.decode())
    # The link sent by email is the administrator's too: they typed their own address.
    deliver_mail()
    shown += [link for message in mail.outbox for link in links_in(message.body)]
    for path in shown:
        browser = take_over(path)
        assert not reaches_record_copy(browser, django_capture_on_commit_callbacks)
    assert statuses == [404, 400, 404]
    assert not Invitation.objects.filter(purpose="client_portal").exists()
    record.refresh_from_db()
    assert record.user is None


def test_the_care_team_page_offers_the_administrator_no_portal_invitation(client):
    clinic = make_clinic()
    admin = make_person(clinic, Role.ADMIN)
    record = make_client(clinic, clinicians=[make_person(clinic, Role.CLINICIAN)])
    client.force_login(admin)
    html = client.get(f"/clinic/clients/{record.pk}/team/").content.decode()
    assert "Create invitation" not in html
    assert "Invitations to the portal are sent by a clinician of the care team" in html


# The clinician's invitation: link by email, code on paper -----------------------------------


def invite(browser, clinician, record, email: str):
    """The clinician sends an invitation; returns the letter's HTML, its code and the link that
    went by email."""
    browser.force_login(clinician)
    response = browser.post(f"/clients/{record.pk}/portal-invite/", {"email": email})
    assert response.status_code == 200, response.content.decode()[:2000]
    letter = response.content.decode()
    code = re.search(r"<strong class=\"letter-code\" data-code>([^<]+)</strong>", letter).group(1)
    assert deliver_mail() == 1  # the worker sends what the page queued
    assert mail.outbox[-1].to == [email.lower()]
    (path,) = links_in(mail.outbox[-1].body)
    return letter, code, path


def activate(browser, path, code, dob="1990-04-12", name="Marit S", **extra):
    data = {
        "code": code,
        "date_of_birth": dob,
        "display_name": name,
        "password1": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }
    return browser.post(path, data)


@pytest.fixture
def team():
    clinic = make_clinic("Hillside Practice")
    ann = make_person(clinic, Role.CLINICIAN)
    ben = make_person(clinic, Role.CLINICIAN)
    admin = make_person(clinic, Role.ADMIN)
    supervisor = make_person(clinic, Role.SUPERVISOR)
    record = signed_record(clinic, ann)
    record.care_team.create(user=ben, role="clinician")
    record.care_team.create(user=supervisor, role="supervisor")
    return clinic, ann, ben, admin, supervisor, record


def test_the_link_goes_only_by_email_and_the_letter_carries_only_the_code(client, team):
    _, ann, _, _, _, record = team
    letter, code, path = invite(client, ann, record, "marit@example.test")
    token = path.split("/")[2]
    assert token not in letter and "/invitations/" not in letter
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert "We have sent a link to your email address marit@example.test." in letter
    assert "You will also be asked for your date of birth." in letter
    body = mail.outbox[0].body
    assert code not in body and code.replace("-", "") not in body
    assert "You will also need the code on the letter your clinician gave you." in body
    invitation = Invitation.objects.get()
    assert code not in invitation.code_hash and token not in invitation.token_hash
    # Nothing on the staff side shows the link again; the record shows where it went.
    html = client.get(f"/clients/{record.pk}/").content.decode()
    assert token not in html
    assert f"Invitation sent to marit@example.test by {ann.display_name}, open until" in html


def test_a_spanish_speaking_client_gets_the_mail_and_the_letter_in_spanish(client, team):
    """The clinician works in English; what the client reads follows the client's language,
    speaking as tú, with the date written the Spanish way."""
    _, ann, _, _, _, record = team
    record.language = "es"
    record.save(update_fields=["language"])
    letter, _, _ = invite(client, ann, record, "marit@example.test")
    assert "Print this letter and hand it to the client" in letter  # the clinician's note
    assert '<article class="card letter" lang="es">' in letter
    assert "Te hemos enviado un enlace a tu dirección de correo electrónico" in letter
    assert re.search(r"antes del \d{1,2} de [a-z]+ de \d{4}", letter)
    message = mail.outbox[0]
    assert message.subject.endswith("Tu invitación a Hillside Practice")
    assert "Abre este enlace antes del" in message.body and "We have sent" not in message.body


def test_the_client_activates_with_the_link_the_code_and_the_birth_date(client, team):
    _, ann, _, _, _, record = team
    _, code, path = invite(client, ann, record, "marit@example.test")
    phone = HttpClient()
    page = phone.get(path).content.decode()
    assert "enter the code from the letter your clinician gave you, and your date of birth" in page
    for field in ("code", "date_of_birth", "display_name", "password1", "password2"):
        assert f'name="{field}"' in page
    response = activate(phone, path, code.lower().replace("-", " "))  # as typed on a phone
    assert response.status_code == 302 and response["Location"] == "/"
    record.refresh_from_db()
    login = User.objects.get(email="marit@example.test")
    assert record.user == login and record.portal_invitation == Invitation.objects.get()
    assert phone.get("/portal/").status_code == 200
    assert AuditEvent.objects.filter(
        action="invitation.accept", actor_id=login.pk, client_id=record.pk
    ).exists()
    link = AuditEvent.objects.get(action="portal.link")
    assert link.detail == f"invitation={record.portal_invitation_id} invited_by={ann.pk}"

    client.force_login(ann)
    html = client.get(f"/clients/{record.pk}/").content.decode()
    assert "marit@example.test" in html and "Invited by" in html and ann.display_name in html
    assert "Check the portal login" not in html


def test_the_link_alone_or_a_malformed_code_activates_nothing_and_counts_no_try(client, team):
    _, ann, _, _, _, record = team
    _, code, path = invite(client, ann, record, "marit@example.test")
    phone = HttpClient()
    response = activate(phone, path, "")
    html = response.content.decode()
    assert response.status_code == 400 and "This field is required." in html
    assert 'value="Marit S"' in html
    response = activate(phone, path, "K7Q")
    assert "Enter the 8 letters and digits printed on your letter" in response.content.decode()
    assert Invitation.objects.get().failed_attempts == 0
    assert not User.objects.filter(email="marit@example.test").exists()
    record.refresh_from_db()
    assert record.user is None


def test_wrong_codes_and_birth_dates_are_counted_and_the_fifth_voids_the_invitation(client, team):
    _, ann, _, admin, _, record = team
    _, code, path = invite(client, ann, record, "marit@example.test")
    wrong = "AAAA-AAAA" if code != "AAAA-AAAA" else "CCCC-CCCC"
    phone = HttpClient()
    for attempt, (typed, dob) in enumerate(
        [(wrong, "1990-04-12"), (code, "1990-04-13"), (wrong, "1991-01-01"), (code, "2000-01-01")],
        start=1,
    ):
        response = activate(phone, path, typed, dob=dob)
        html = response.content.decode()
        assert response.status_code == 400
        left = 5 - attempt
        assert "The code or the date of birth does not match." in html
        assert f"You can try {left} more time{'s' if left > 1 else ''}." in html
        assert 'value="Marit S"' in html and f'value="{dob}"' in html  # what was typed stays
        assert typed not in html and PASSWORD not in html  # secrets are not sent back
    assert not User.objects.filter(email="marit@example.test").exists()
    last = activate(phone, path, wrong)
    assert last.status_code == 410
    assert "entered wrongly too many times" in last.content.decode()
    invitation = Invitation.objects.get()
    assert invitation.state == "locked"
    # Even the right answers do not open a void invitation.
    assert activate(HttpClient(), path, code).status_code == 410
    assert not User.objects.filter(email="marit@example.test").exists()
    failures = AuditEvent.objects.filter(action="invitation.code_failed").order_by("seq")
    assert [e.detail for e in failures] == [
        "attempt=1 code=wrong dob=ok",
        "attempt=2 code=ok dob=wrong",
        "attempt=3 code=wrong dob=wrong",
        "attempt=4 code=ok dob=wrong",
        "attempt=5 code=wrong dob=ok",
    ]
    assert {e.client_id for e in failures} == {record.pk}
    assert AuditEvent.objects.filter(action="invitation.locked").count() == 1
    client.force_login(admin)
    assert "Void: too many wrong codes" in client.get("/clinic/invitations/").content.decode()
    # The clinician invites again, and the new letter works.
    _, new_code, new_path = invite(client, ann, record, "marit@example.test")
    assert activate(HttpClient(), new_path, new_code).status_code == 302


def test_a_record_without_a_birth_date_asks_only_for_the_code(client, team):
    _, ann, _, _, _, record = team
    Client.objects.filter(pk=record.pk).update(date_of_birth=None)
    letter, code, path = invite(client, ann, record, "marit@example.test")
    assert "date of birth" not in letter
    page = HttpClient().get(path).content.decode()
    assert 'name="date_of_birth"' not in page
    assert activate(HttpClient(), path, code, dob="").status_code == 302


def test_an_invitation_to_a_staff_address_of_the_clinic_is_refused(client, team):
    _, ann, ben, admin, _, record = team
    client.force_login(ann)
    for address in (ann.email, ben.email.upper(), admin.email):
        response = client.post(f"/clients/{record.pk}/portal-invite/", {"email": address})
        html = response.content.decode()
        assert response.status_code == 400
        assert "This address belongs to a staff member of the clinic." in html
        assert f'value="{address}"' in html
    assert not Invitation.objects.exists() and not mail.outbox


def test_activation_into_an_account_with_a_staff_role_is_refused(client, team):
    clinic, ann, _, _, _, record = team
    _, code, path = invite(client, ann, record, "marit@example.test")
    # The address's account becomes staff after the invitation was sent.
    person = make_person(clinic, Role.ADMIN)
    User.objects.filter(pk=person.pk).update(email="marit@example.test")
    person.refresh_from_db()
    browser = HttpClient()
    browser.force_login(person)
    page = browser.get(path)
    assert page.status_code == 403
    assert "cannot be added to an account that works for this clinic" in page.content.decode()
    assert activate(browser, path, code).status_code == 403
    assert not Membership.objects.filter(user=person, role=Role.CLIENT).exists()
    record.refresh_from_db()
    assert record.user is None
    assert AuditEvent.objects.filter(
        action="invitation.refused", detail="state=staff_account"
    ).exists()


def test_a_new_invitation_withdraws_the_earlier_one(client, team):
    _, ann, _, _, _, record = team
    _, first_code, first = invite(client, ann, record, "old@example.test")
    page = client.get(f"/clients/{record.pk}/portal-invite/").content.decode()
    assert "An invitation sent to old@example.test by" in page
    assert "A new invitation replaces it" in page
    _, code, second = invite(client, ann, record, "marit@example.test")
    assert activate(HttpClient(), first, first_code).status_code == 410
    assert AuditEvent.objects.filter(action="invitation.revoke", detail="reason=replaced").exists()
    assert activate(HttpClient(), second, code).status_code == 302


def test_the_invitation_is_audited_with_who_sent_it_where_but_not_the_address(client, team):
    _, ann, _, _, _, record = team
    invite(client, ann, record, "marit@example.test")
    invite(client, ann, record, "Someone.Else@Example.test")
    created = AuditEvent.objects.filter(action="invitation.create").order_by("seq")
    first, second = created
    assert (first.actor_id, first.role, first.client_id) == (ann.pk, "clinician", record.pk)
    assert first.detail.startswith("role=client channel=email addr=")
    assert first.detail.endswith(" to=m***@example.test on_record=yes")
    assert second.detail.endswith(" to=s***@example.test on_record=no")
    assert first.detail.split()[2] != second.detail.split()[2]  # the tags tell them apart
    again = client.post(f"/clients/{record.pk}/portal-invite/", {"email": "MARIT@example.test"})
    assert again.status_code == 200
    third = AuditEvent.objects.filter(action="invitation.create").order_by("-seq").first()
    assert third.detail.split()[2] == first.detail.split()[2]  # the same address matches
    assert AuditEvent.objects.filter(action="invitation.letter", actor_id=ann.pk).count() == 3
    for event in AuditEvent.objects.all():
        assert "marit@" not in event.detail.lower() and "someone.else" not in event.detail.lower()


# Finding 1, second half: a clinician keeps a portal login after leaving the care team -----


def test_a_login_sent_by_a_clinician_who_left_the_team_is_reviewed_and_can_be_ended(
    client, team, django_capture_on_commit_callbacks
):
    _, ann, ben, admin, supervisor, record = team
    # Ann sends the invitation to an address of her own and keeps the letter.
    _, code, path = invite(client, ann, record, "ann.private@example.test")
    own = HttpClient()
    assert activate(own, path, code, name="Marit").status_code == 302
    assert reaches_record_copy(own, django_capture_on_commit_callbacks)

    client.force_login(admin)
    response = client.post(
        f"/clinic/clients/{record.pk}/team/", {"clinicians": [ben.pk], "supervisor": supervisor.pk}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.portal_review_since is not None
    event = AuditEvent.objects.get(action="portal.review_needed")
    assert (event.actor_id, event.client_id) == (admin.pk, record.pk)
    assert event.detail == f"invitation={record.portal_invitation_id} invited_by={ann.pk}"

    client.force_login(ben)
    html = client.get(f"/clients/{record.pk}/").content.decode()
    assert (
        f"Portal login activated from an invitation sent by {ann.display_name}, who has left "
        "the care team. Confirm with the client that this login (ann.private@example.test) is "
        "theirs, or end portal access."
    ) in html
    assert "not the address in the details" in html
    client.force_login(supervisor)
    html = client.get(f"/clients/{record.pk}/").content.decode()
    assert "Check the portal login" in html and "End portal access" not in html
    assert client.post(f"/clients/{record.pk}/portal-access/end/").status_code == 404

    client.force_login(ben)
    response = client.post(f"/clients/{record.pk}/portal-access/end/", follow=True)
    assert "Portal access ended." in response.content.decode()
    record.refresh_from_db()
    login = User.objects.get(email="ann.private@example.test")
    assert record.user is None and record.portal_review_since is None
    assert not Membership.objects.filter(user=login, role=Role.CLIENT).exists()
    ended = AuditEvent.objects.get(action="portal.end")
    assert (ended.actor_id, ended.object_id, ended.detail) == (
        ben.pk,
        str(login.pk),
        "under_review=yes",
    )
    # Her browser's session has ended; signing in again reaches no portal.
    portal = own.get("/portal/")
    assert portal.status_code == 302 and portal["Location"].startswith("/accounts/login/")
    own.force_login(login)
    assert own.get("/portal/").status_code == 404
    assert not reaches_record_copy(own, django_capture_on_commit_callbacks)


def test_the_remaining_team_confirms_a_login_that_is_the_clients(client, team):
    _, ann, ben, admin, _, record = team
    _, code, path = invite(client, ann, record, "marit@example.test")
    phone = HttpClient()
    activate(phone, path, code)
    client.force_login(admin)
    client.post(f"/clinic/clients/{record.pk}/team/", {"clinicians": [ben.pk]})
    client.force_login(ben)
    response = client.post(f"/clients/{record.pk}/portal-access/confirm/", follow=True)
    html = response.content.decode()
    assert "Confirmed. The portal login stays." in html
    assert "Check the portal login" not in html
    record.refresh_from_db()
    assert record.user.email == "marit@example.test" and record.portal_review_since is None
    assert AuditEvent.objects.filter(action="portal.review_confirm", actor_id=ben.pk).exists()
    assert phone.get("/portal/").status_code == 200
    again = client.post(f"/clients/{record.pk}/portal-access/confirm/", follow=True)
    assert "There was nothing to confirm." in again.content.decode()
    assert AuditEvent.objects.filter(action="portal.review_confirm").count() == 1


def test_a_login_from_a_clinician_still_on_the_team_needs_no_review(client, team):
    _, ann, ben, admin, _, record = team
    _, code, path = invite(client, ann, record, "marit@example.test")
    activate(HttpClient(), path, code)
    client.force_login(admin)
    client.post(f"/clinic/clients/{record.pk}/team/", {"clinicians": [ann.pk]})  # Ben leaves
    record.refresh_from_db()
    assert record.portal_review_since is None
    assert not AuditEvent.objects.filter(action="portal.review_needed").exists()


def test_an_open_invitation_ends_when_its_sender_leaves_the_team(client, team):
    _, ann, ben, admin, _, record = team
    _, code, path = invite(client, ann, record, "marit@example.test")
    client.force_login(admin)
    client.post(f"/clinic/clients/{record.pk}/team/", {"clinicians": [ben.pk]})
    invitation = Invitation.objects.get()
    assert invitation.state == "revoked"
    revoke = AuditEvent.objects.get(action="invitation.revoke")
    assert (revoke.actor_id, revoke.client_id, revoke.detail) == (
        admin.pk,
        record.pk,
        "reason=sender_left_team",
    )
    response = activate(HttpClient(), path, code)
    assert response.status_code == 410
    assert not User.objects.filter(email="marit@example.test").exists()


def test_an_invitation_whose_sender_lost_the_clinician_role_no_longer_works(client, team):
    clinic, ann, _, _, _, record = team
    _, code, path = invite(client, ann, record, "marit@example.test")
    Membership.objects.filter(user=ann, clinic=clinic, role=Role.CLINICIAN).delete()
    assert activate(HttpClient(), path, code).status_code == 410
    record.refresh_from_db()
    assert record.user is None


def test_ending_access_and_inviting_the_same_address_again_relinks_the_account(client, team):
    _, ann, _, _, _, record = team
    _, code, path = invite(client, ann, record, "marit@example.test")
    phone = HttpClient()
    activate(phone, path, code)
    client.force_login(ann)
    html = client.get(f"/clients/{record.pk}/").content.decode()
    assert "End portal access" in html
    client.post(f"/clients/{record.pk}/portal-access/end/")
    assert AuditEvent.objects.get(action="portal.end").detail == "under_review=no"
    _, code, path = invite(client, ann, record, "marit@example.test")
    login = User.objects.get(email="marit@example.test")
    phone.force_login(login)
    page = phone.get(path).content.decode()
    assert 'name="code"' in page and 'name="password1"' not in page
    assert phone.post(path, {"code": code, "date_of_birth": "1990-04-12"}).status_code == 302
    record.refresh_from_db()
    assert record.user == login


def test_losing_the_clinician_role_on_the_people_page_starts_the_review(client, team):
    _, ann, ben, admin, _, record = team
    _, code, path = invite(client, ann, record, "ann.private@example.test")
    assert activate(HttpClient(), path, code, name="Marit").status_code == 302
    client.force_login(admin)
    response = client.post(f"/clinic/people/{ann.pk}/roles/remove/", {"role": Role.CLINICIAN})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.portal_review_since is not None
    event = AuditEvent.objects.get(action="portal.review_needed")
    assert (event.actor_id, event.client_id) == (admin.pk, record.pk)
    client.force_login(ben)
    html = client.get(f"/clients/{record.pk}/").content.decode()
    assert "who has left the care team" in html and "End portal access" in html
