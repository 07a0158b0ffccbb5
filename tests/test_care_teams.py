"""Who sees which client: care teams, supervision, administrators, clients and clinics."""

import re
from dataclasses import dataclass

import pytest
from django.test import Client as HttpClient

from gentle.accounts.models import Invitation, Membership, Role, User
from gentle.audit.models import AuditEvent
from gentle.clients.models import CareTeamMember, Client
from tests.factories import count_queries, make_client, make_clinic, make_person, supervise
from tests.world import World as SharedWorld
from tests.world import sue_supervises_alice

pytestmark = pytest.mark.django_db


@dataclass
class World(SharedWorld):
    bobs_client: Client
    sues_client: Client  # sue is the care-team supervisor, bob the clinician


@pytest.fixture
def world(world) -> World:
    """Sue supervises Alice (not on Amara's care team); Bob has two clients, one with Sue."""
    clinic, bob, sue = world.clinic, world.bob, world.sue
    return World(
        **vars(sue_supervises_alice(world)),
        bobs_client=make_client(clinic, clinicians=[bob], given_name="Bartholomew"),
        sues_client=make_client(clinic, clinicians=[bob], supervisor=sue, given_name="Sunniva"),
    )


def detail(client_record: Client) -> str:
    return f"/clients/{client_record.pk}/"


def team_page(client_record: Client) -> str:
    return f"/clinic/clients/{client_record.pk}/team/"


def team_of(client_record: Client) -> set[tuple[int, str]]:
    return set(CareTeamMember.objects.filter(client=client_record).values_list("user_id", "role"))


def checked_values(html: str, name: str) -> set[str]:
    """The values of the checked checkboxes called ``name`` in the page."""
    return {
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in re.findall(r"<input[^>]*>", html)
        if f'name="{name}"' in tag and " checked" in tag
    }


# Clinicians and supervisors ----------------------------------------------------------------


def test_clinician_lists_and_opens_only_the_clients_on_their_care_team(client, world):
    client.force_login(world.alice)
    html = client.get("/clients/").content.decode()
    assert "Amara Example" in html
    assert "Bartholomew" not in html
    assert "Sunniva" not in html
    assert "Farrokh" not in html
    page = client.get(detail(world.amara))
    assert page.status_code == 200
    assert "Amara Example" in page.content.decode()
    for hidden in (world.bobs_client, world.sues_client, world.far_client):
        assert client.get(detail(hidden)).status_code == 404


def test_missing_and_forbidden_clients_answer_the_same_404(client, world):
    client.force_login(world.alice)
    forbidden = client.get(detail(world.bobs_client))
    missing = client.get("/clients/999999/")
    huge = client.get("/clients/99999999999999999999999/")
    assert forbidden.status_code == missing.status_code == huge.status_code == 404

    def page(response) -> str:
        """The 404 page (in the layout since issue 21) without what differs by design: the
        forms' CSRF tokens (masked afresh each time) and the address, in the language form."""
        html = response.content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        return re.sub(r'name="next" value="[^"]+"', "", html)

    assert page(forbidden) == page(missing)


def test_clinician_with_no_clients_is_told_how_clients_are_assigned(client, world):
    client.force_login(make_person(world.clinic, Role.CLINICIAN))
    html = client.get("/clients/").content.decode()
    assert "No clients yet." in html
    assert "Amara" not in html


def test_supervisor_sees_their_team_clients_and_those_of_clinicians_they_supervise(client, world):
    client.force_login(world.sue)
    html = client.get("/clients/").content.decode()
    assert "Amara Example" in html  # alice's client, through supervision
    assert "Sunniva Example" in html  # sue is the care-team supervisor
    assert "Bartholomew" not in html  # bob is not supervised by sue
    assert "Supervision" in html and "Care team" in html
    assert client.get(detail(world.amara)).status_code == 200
    assert client.get(detail(world.sues_client)).status_code == 200
    assert client.get(detail(world.bobs_client)).status_code == 404
    assert client.get(detail(world.far_client)).status_code == 404


def test_supervision_ends_when_removed(client, world):
    client.force_login(world.sue)
    assert client.get(detail(world.amara)).status_code == 200
    world.sue.supervisees.all().delete()
    assert client.get(detail(world.amara)).status_code == 404
    assert "Amara" not in client.get("/clients/").content.decode()


def test_supervision_in_one_clinic_does_not_reach_that_clinicians_clients_elsewhere(client, world):
    Membership.objects.create(user=world.alice, clinic=world.other, role=Role.CLINICIAN)
    elsewhere = make_client(world.other, clinicians=[world.alice], given_name="Elsewhere")
    client.force_login(world.sue)
    assert "Elsewhere" not in client.get("/clients/").content.decode()
    assert client.get(detail(elsewhere)).status_code == 404


# Administrators and clients ------------------------------------------------------------------


def test_administrator_not_on_the_team_cannot_open_the_record_but_manages_it(client, world):
    client.force_login(world.admin)
    assert client.get(detail(world.amara)).status_code == 404
    assert client.get("/clients/").status_code == 404
    # The client records list links each record to its care team and its access log.
    records = client.get("/clinic/clients/?q=Amara").content.decode()
    assert f'<a href="{team_page(world.amara)}">Care team</a>' in records
    assert f'<a href="/clients/{world.amara.pk}/access-log/">Access log</a>' in records
    team = client.get(team_page(world.amara))
    assert team.status_code == 200
    assert "Care team for Amara Example" in team.content.decode()
    log = client.get(f"/clients/{world.amara.pk}/access-log/")
    assert log.status_code == 200
    assert "Who opened this record" in log.content.decode()
    assert not AuditEvent.objects.filter(action="client.view", actor_id=world.admin.pk).exists()


def test_administrator_who_is_also_a_clinician_sees_only_their_own_team_clients(client, world):
    Membership.objects.create(user=world.admin, clinic=world.clinic, role=Role.CLINICIAN)
    mine = make_client(world.clinic, clinicians=[world.admin], given_name="Mine")
    client.force_login(world.admin)
    assert client.get(detail(mine)).status_code == 200
    assert client.get(detail(world.amara)).status_code == 404


def test_client_sees_only_their_own_portal_never_clinical_pages(client, world):
    person = make_person(world.clinic, Role.CLIENT)
    own = make_client(world.clinic, clinicians=[world.alice], user=person, given_name="Ottilie")
    client.force_login(person)
    portal = client.get("/portal/")
    html = portal.content.decode()
    assert portal.status_code == 200
    assert "Hello, Ottilie" in html
    assert world.alice.display_name in html
    assert "Amara" not in html
    for url in (
        "/clients/",
        detail(own),
        detail(world.amara),
        f"/clients/{own.pk}/access-log/",
        f"/clients/{own.pk}/break-glass/",
        "/clinic/clients/",
        team_page(own),
    ):
        assert client.get(url).status_code == 404, url
    assert AuditEvent.objects.filter(action="portal.view", client_id=own.pk).count() == 1


def test_client_login_without_a_record_gets_404_on_the_portal(client, world):
    client.force_login(make_person(world.clinic, Role.CLIENT))
    assert client.get("/portal/").status_code == 404


def test_staff_get_404_on_the_portal(client, world):
    client.force_login(world.alice)
    assert client.get("/portal/").status_code == 404


def test_visitors_are_asked_to_sign_in(client, world):
    for url in ("/clients/", detail(world.amara), "/clinic/clients/", "/portal/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


# Other clinics -------------------------------------------------------------------------------


def test_everything_in_another_clinic_answers_404_for_everyone(client, world):
    far = world.far_client
    far_person = make_person(world.other, Role.CLIENT)
    far.user = far_person
    far.save()
    people = [world.admin, world.alice, world.sue, make_person(world.clinic, Role.CLIENT)]
    urls = [
        detail(far),
        f"/clients/{far.pk}/access-log/",
        f"/clients/{far.pk}/break-glass/",
        team_page(far),
    ]
    for person in people:
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == 404, (person, url)
        assert "Farrokh" not in client.get("/").content.decode()
    client.force_login(world.admin)
    assert "Farrokh" not in client.get("/clinic/clients/").content.decode()
    assert not AuditEvent.objects.filter(client_id=far.pk).exists()


def test_posting_a_team_for_another_clinics_client_changes_nothing(client, world):
    far, before = world.far_client, team_of(world.far_client)
    client.force_login(world.admin)
    response = client.post(team_page(far), {"clinicians": [world.far_clinician.pk]})
    assert response.status_code == 404
    response = client.post(team_page(far), {"clinicians": [world.alice.pk]})
    assert response.status_code == 404
    assert team_of(far) == before
    assert not AuditEvent.objects.filter(client_id=far.pk).exists()


def test_a_supervisor_of_another_clinic_cannot_be_named_for_a_care_team(client, world):
    far_supervisor = make_person(world.other, Role.SUPERVISOR)
    before = team_of(world.amara)
    client.force_login(world.admin)
    response = client.post(
        team_page(world.amara),
        {"clinicians": [world.alice.pk], "supervisor": far_supervisor.pk},
    )
    assert "That choice is not one of the available choices." in response.content.decode()
    assert team_of(world.amara) == before


def test_people_of_another_clinic_answer_404_to_the_administrator(client, world):
    client.force_login(world.admin)
    far = world.far_clinician
    assert client.get(f"/clinic/people/{far.pk}/").status_code == 404
    response = client.post(f"/clinic/people/{far.pk}/roles/add/", {"role": "admin"})
    assert response.status_code == 404
    assert client.post(f"/clinic/people/{far.pk}/active/", {"active": "0"}).status_code == 404
    assert list(far.memberships.values_list("clinic", "role")) == [(world.other.pk, "clinician")]
    far.refresh_from_db()
    assert far.is_active


def test_out_of_range_ids_answer_404_on_the_administrators_pages(client, world):
    client.force_login(world.admin)
    huge = "99999999999999999999"
    assert client.get(f"/clinic/clients/{huge}/team/").status_code == 404
    assert client.get(f"/clients/{huge}/access-log/").status_code == 404
    assert client.post(f"/clinic/invitations/{huge}/revoke/").status_code == 404


def test_portal_invitation_for_another_clinics_client_answers_404(client, world):
    client.force_login(world.alice)
    response = client.post(
        f"/clients/{world.far_client.pk}/portal-invite/", {"email": "x@example.test"}
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


# People with roles in two clinics --------------------------------------------------------------


def test_person_in_two_clinics_acts_in_the_clinic_they_choose(client, world):
    Membership.objects.create(user=world.alice, clinic=world.other, role=Role.ADMIN)
    client.force_login(world.alice)
    # First the clinic with the lowest id: clinician there, not administrator.
    assert "You are signed in to Hillside Practice." in client.get("/").content.decode()
    assert client.get(detail(world.amara)).status_code == 200
    assert client.get("/clinic/clients/").status_code == 404

    response = client.post("/clinic/switch/", {"clinic": world.other.pk})
    assert response.status_code == 302
    assert "You are signed in to Riverside Practice." in client.get("/").content.decode()
    assert client.get(detail(world.amara)).status_code == 404
    assert client.get("/clients/").status_code == 404
    admin_list = client.get("/clinic/clients/").content.decode()
    assert "Farrokh Example" in admin_list
    assert "Amara" not in admin_list
    assert AuditEvent.objects.filter(action="clinic.switch", clinic_id=world.other.pk).exists()

    client.post("/clinic/switch/", {"clinic": world.clinic.pk})
    assert client.get(detail(world.amara)).status_code == 200


def test_clinician_in_two_clinics_sees_only_the_chosen_clinics_clients(client, world):
    Membership.objects.create(user=world.alice, clinic=world.other, role=Role.CLINICIAN)
    theirs = make_client(world.other, clinicians=[world.alice], given_name="Theodora")
    client.force_login(world.alice)
    html = client.get("/clients/").content.decode()
    assert "Amara" in html and "Theodora" not in html
    assert client.get(detail(theirs)).status_code == 404
    client.post("/clinic/switch/", {"clinic": world.other.pk})
    html = client.get("/clients/").content.decode()
    assert "Theodora" in html and "Amara" not in html
    assert client.get(detail(theirs)).status_code == 200
    assert client.get(detail(world.amara)).status_code == 404


def test_switching_to_a_clinic_one_is_not_in_answers_404_and_changes_nothing(client, world):
    client.force_login(world.alice)
    assert client.post("/clinic/switch/", {"clinic": world.other.pk}).status_code == 404
    assert client.post("/clinic/switch/", {"clinic": "abc"}).status_code == 404
    assert client.post("/clinic/switch/", {}).status_code == 404
    assert "You are signed in to Hillside Practice." in client.get("/").content.decode()
    assert client.get(detail(world.far_client)).status_code == 404
    assert not AuditEvent.objects.filter(action="clinic.switch").exists()


# Audit -------------------------------------------------------------------------------------


def test_opening_a_client_writes_a_client_view_row_in_the_same_request(client, world):
    client.force_login(world.alice)
    response = client.get(detail(world.amara))
    rows = AuditEvent.objects.filter(action="client.view")
    assert rows.count() == 1
    row = rows.get()
    assert row.client_id == world.amara.pk
    assert row.clinic_id == world.clinic.pk
    assert row.actor_id == world.alice.pk
    assert row.role == Role.CLINICIAN
    assert row.detail == "via=care_team"
    assert row.request_id == response["X-Request-ID"]


def test_a_supervisors_view_records_how_they_reached_the_client(client, world):
    client.force_login(world.sue)
    client.get(detail(world.amara))
    row = AuditEvent.objects.get(action="client.view")
    assert row.detail == "via=supervision"
    assert row.actor_id == world.sue.pk


def test_a_refused_open_writes_no_client_view_row(client, world):
    client.force_login(world.alice)
    client.get(detail(world.bobs_client))
    assert not AuditEvent.objects.filter(action="client.view").exists()


def test_access_log_lists_who_opened_the_record(client, world):
    client.force_login(world.alice)
    client.get(detail(world.amara))
    client.force_login(world.sue)
    client.get(detail(world.amara))
    client.force_login(world.bob)
    client.get(detail(world.amara))  # refused: not listed
    client.force_login(world.admin)
    response = client.get(f"/clients/{world.amara.pk}/access-log/")
    html = response.content.decode()
    assert response.status_code == 200
    assert world.alice.email in html
    assert world.sue.email in html
    assert world.bob.email not in html
    assert html.count("client.view") == 2
    assert AuditEvent.objects.filter(
        action="client.access_log.view", actor_id=world.admin.pk
    ).exists()


def test_care_team_member_sees_the_access_log_but_others_do_not(client, world):
    client.force_login(world.alice)
    assert client.get(f"/clients/{world.amara.pk}/access-log/").status_code == 200
    client.force_login(world.bob)
    assert client.get(f"/clients/{world.amara.pk}/access-log/").status_code == 404


# Administrators create records and set care teams ------------------------------------------


def test_administrator_creates_a_record_and_sets_its_care_team(client, world):
    client.force_login(world.admin)
    response = client.post(
        "/clinic/clients/",
        {"given_name": "Noor", "family_name": "Haddad", "preferred_name": "Nono"},
    )
    created = Client.objects.get(given_name="Noor")
    assert created.clinic == world.clinic
    assert (created.family_name, created.preferred_name) == ("Haddad", "Nono")
    assert response["Location"] == team_page(created)
    assert AuditEvent.objects.filter(action="client.create", client_id=created.pk).exists()
    assert "Client record created." in client.get(team_page(created)).content.decode()

    response = client.post(
        team_page(created),
        {"clinicians": [world.alice.pk, world.bob.pk], "supervisor": world.sue.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == "/clinic/clients/"
    assert team_of(created) == {
        (world.alice.pk, "clinician"),
        (world.bob.pk, "clinician"),
        (world.sue.pk, "supervisor"),
    }
    listing = client.get("/clinic/clients/").content.decode()
    assert "Care team saved." in listing
    assert "Noor Haddad" in listing
    assert AuditEvent.objects.filter(action="care_team.add", client_id=created.pk).count() == 3

    client.force_login(world.bob)
    page = client.get(detail(created)).content.decode()
    assert "Noor Haddad" in page
    assert "Likes to be called Nono." in page


def test_team_page_shows_the_current_team_checked(client, world):
    client.force_login(world.admin)
    html = client.get(team_page(world.amara)).content.decode()
    assert checked_values(html, "clinicians") == {str(world.alice.pk)}
    assert world.far_clinician.email not in html and world.far_clinician.display_name not in html


def test_removing_a_clinician_from_the_team_ends_their_access(client, world):
    client.force_login(world.admin)
    response = client.post(team_page(world.amara), {"clinicians": [world.bob.pk]})
    assert response.status_code == 302
    assert team_of(world.amara) == {(world.bob.pk, "clinician")}
    assert AuditEvent.objects.filter(
        action="care_team.remove", client_id=world.amara.pk, object_id=str(world.alice.pk)
    ).exists()
    client.force_login(world.alice)
    assert client.get(detail(world.amara)).status_code == 404
    client.force_login(world.bob)
    assert client.get(detail(world.amara)).status_code == 200


def test_empty_given_name_is_refused_and_keeps_what_was_typed(client, world):
    client.force_login(world.admin)
    before = Client.objects.count()
    response = client.post(
        "/clinic/clients/", {"given_name": "", "family_name": "Lindqvist", "preferred_name": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html
    assert 'value="Lindqvist"' in html
    assert Client.objects.count() == before
    assert not AuditEvent.objects.filter(action="client.create").exists()


def test_name_of_101_characters_is_refused_and_keeps_what_was_typed(client, world):
    client.force_login(world.admin)
    before = Client.objects.count()
    long_name = "A" * 101
    response = client.post("/clinic/clients/", {"given_name": long_name, "family_name": "Ng"})
    html = response.content.decode()
    assert "Ensure this value has at most 100 characters (it has 101)." in html
    assert 'value="Ng"' in html
    assert Client.objects.count() == before
    response = client.post("/clinic/clients/", {"given_name": "A" * 100, "family_name": "Ng"})
    assert response.status_code == 302
    assert Client.objects.count() == before + 1


def test_clinician_of_another_clinic_cannot_join_a_care_team(client, world):
    record, before = world.amara, team_of(world.amara)
    client.force_login(world.admin)
    response = client.post(
        team_page(record), {"clinicians": [world.bob.pk, world.far_clinician.pk]}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Select a valid choice. {world.far_clinician.pk} is not one of the" in html
    assert checked_values(html, "clinicians") == {str(world.bob.pk)}  # what was chosen stays
    assert team_of(record) == before
    assert not AuditEvent.objects.filter(action__startswith="care_team.").exists()


def test_a_non_clinician_cannot_be_a_clinician_on_the_team(client, world):
    record, before = world.amara, team_of(world.amara)
    client.force_login(world.admin)
    for not_clinician in (world.sue, world.admin):
        response = client.post(team_page(record), {"clinicians": [not_clinician.pk]})
        assert response.status_code == 200
        assert "is not one of the available choices." in response.content.decode()
    response = client.post(
        team_page(record), {"clinicians": [world.alice.pk], "supervisor": world.bob.pk}
    )
    assert "That choice is not one of the available choices." in response.content.decode()
    assert team_of(record) == before


def test_a_deactivated_clinician_cannot_be_added_to_a_care_team(client, world):
    gone = make_person(world.clinic, Role.CLINICIAN)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    client.force_login(world.admin)
    response = client.post(team_page(world.bobs_client), {"clinicians": [gone.pk]})
    assert "is not one of the available choices." in response.content.decode()
    assert not CareTeamMember.objects.filter(user=gone).exists()


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.SUPERVISOR, Role.CLIENT])
def test_non_administrators_get_404_on_the_record_management_pages(client, world, role):
    person = make_person(world.clinic, role)
    record = world.amara
    CareTeamMember.objects.get_or_create(client=record, user=person, role="clinician")
    client.force_login(person)
    before_count, before_team = Client.objects.count(), team_of(record)
    assert client.get("/clinic/clients/").status_code == 404
    assert client.post("/clinic/clients/", {"given_name": "Sneaky"}).status_code == 404
    assert client.get(team_page(record)).status_code == 404
    assert client.post(team_page(record), {"clinicians": [person.pk]}).status_code == 404
    assert Client.objects.count() == before_count
    assert team_of(record) == before_team


# Protection: caching, CSRF, query counts ---------------------------------------------------


def test_client_pages_are_not_stored_by_browsers_or_proxies(client, world):
    client.force_login(world.alice)
    for url in ("/clients/", detail(world.amara), detail(world.bobs_client)):
        assert client.get(url)["Cache-Control"] == "no-store, private", url
    client.force_login(world.admin)
    for url in ("/clinic/clients/", team_page(world.amara)):
        assert client.get(url)["Cache-Control"] == "no-store, private", url


def test_a_post_without_a_csrf_token_is_refused(world):
    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(world.admin)
    before_count, before_team = Client.objects.count(), team_of(world.amara)
    response = browser.post("/clinic/clients/", {"given_name": "Forged"})
    assert response.status_code == 403
    response = browser.post(team_page(world.amara), {"clinicians": [world.bob.pk]})
    assert response.status_code == 403
    assert Client.objects.count() == before_count
    assert team_of(world.amara) == before_team
    # With the token from the page, the same form works.
    page = browser.get("/clinic/clients/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(
        "/clinic/clients/", {"given_name": "Genuine", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert Client.objects.filter(given_name="Genuine").exists()


def test_client_list_query_count_does_not_grow_with_clients(client, world):
    clinician = make_person(world.clinic, Role.CLINICIAN)
    for _ in range(2):
        make_client(world.clinic, clinicians=[clinician])
    client.force_login(clinician)
    few = count_queries(client, "/clients/")
    for _ in range(13):
        make_client(world.clinic, clinicians=[clinician], supervisor=world.sue)
    many = count_queries(client, "/clients/")
    assert many == few
    assert client.get("/clients/").content.decode().count("/clients/") >= 15


def test_administrators_client_list_query_count_does_not_grow_with_clients(client):
    clinic = make_clinic()
    admin = make_person(clinic, Role.ADMIN)
    clinician = make_person(clinic, Role.CLINICIAN)
    supervisor = make_person(clinic, Role.SUPERVISOR)
    for _ in range(2):
        make_client(clinic, clinicians=[clinician], supervisor=supervisor)
    client.force_login(admin)
    few = count_queries(client, "/clinic/clients/")
    for _ in range(13):
        make_client(
            clinic, clinicians=[clinician, make_person(clinic, Role.CLINICIAN)], supervisor=None
        )
    assert count_queries(client, "/clinic/clients/") == few


def test_supervision_reaches_only_the_clinic_it_was_set_in(client):
    """Sue supervises Alice at Hillside only. Both also work at Riverside, where nobody
    supervises Alice: there Sue does not see Alice's clients."""
    hillside, riverside = make_clinic("Hillside Practice"), make_clinic("Riverside Practice")
    alice = make_person(hillside, Role.CLINICIAN)
    sue = make_person(hillside, Role.SUPERVISOR)
    Membership.objects.create(user=alice, clinic=riverside, role=Role.CLINICIAN)
    Membership.objects.create(user=sue, clinic=riverside, role=Role.SUPERVISOR)
    supervise(hillside, sue, alice)
    at_hillside = make_client(hillside, clinicians=[alice], given_name="Amara")
    at_riverside = make_client(riverside, clinicians=[alice], given_name="Farrokh")
    client.force_login(sue)
    assert client.get(detail(at_hillside)).status_code == 200
    client.post("/clinic/switch/", {"clinic": riverside.pk})
    assert client.get(detail(at_riverside)).status_code == 404
    assert "Farrokh" not in client.get("/clients/").content.decode()
