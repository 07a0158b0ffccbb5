"""Communication and conflict: style reflections and the style map, communication analysis,
step worksheets (left and resumed), statement feedback, and their portal side."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from gentle.accounts.models import Role
from gentle.audit.models import AuditEvent
from gentle.communication.models import Exchange, StyleReflection, Worksheet
from gentle.inventory.models import Person
from tests.factories import count_queries, signed_in
from tests.world import World as SharedWorld
from tests.world import another_client

pytestmark = pytest.mark.django_db


@dataclass
class World(SharedWorld):
    partner: Person  # Sam, Amara's partner in the inventory


@pytest.fixture
def world(world) -> World:
    return World(**vars(world), partner=person(world.amara, world.alice, "Sam"))


def person(record, by, name):
    return Person.objects.create(
        client=record, name=name, name_key=name.lower(), relationship="partner", updated_by=by
    )


def worksheet(record, by, kind="desc", **fields):
    return Worksheet.objects.create(
        client=record, kind=kind, title="Asking Sam", updated_by=by, **fields
    )


# Style reflections and the map


def test_a_reflection_places_the_style_on_the_map_and_shows_change(client, world):
    clinician, record, partner = world.alice, world.amara, world.partner
    client.force_login(clinician)
    url = f"/clients/{record.pk}/communication/styles/"
    assert "A reflection, not a test" in client.get(url).content.decode()
    response = client.post(url, {"person": partner.pk, "items": ["p1", "p2", "s1"]})
    assert response.status_code == 302
    first = StyleReflection.objects.get()
    assert first.style == "passive" and first.counts == {"passive": 2, "assertive": 1}
    StyleReflection.objects.filter(pk=first.pk).update(day=timezone.localdate() - timedelta(30))
    client.post(url, {"person": partner.pk, "items": ["s1", "s2"]})
    html = client.get(f"/clients/{record.pk}/communication/").content.decode()
    row = html.split('<th scope="row">Sam</th>')[1].split("</tr>")[0]
    assert 'style-passive was"' in row and "○" in row  # earlier: passive
    assert 'style-assertive is-now"' in row and "●" in row  # now: assertive
    assert "Passive → " in row and row.count("→") == 1


def test_a_tie_is_mixed_and_an_empty_checklist_is_refused(client, world):
    clinician, record, partner = world.alice, world.amara, world.partner
    client.force_login(clinician)
    url = f"/clients/{record.pk}/communication/styles/"
    response = client.post(url, {"person": partner.pk, "items": [], "note": "hard week"})
    assert response.status_code == 400
    assert "Tick at least one sentence that fits." in response.content.decode()
    assert 'value="hard week"' in response.content.decode()
    assert not StyleReflection.objects.exists()
    client.post(url, {"person": partner.pk, "items": ["a1", "pa1"]})
    assert StyleReflection.objects.get().style == "mixed"


def test_a_person_from_another_client_cannot_be_reflected_on(client, world):
    clinician, record = world.alice, world.amara
    other = another_client(world, "Odile")
    stranger = person(other, clinician, "Stranger")
    client.force_login(clinician)
    response = client.post(
        f"/clients/{record.pk}/communication/styles/", {"person": stranger.pk, "items": ["s1"]}
    )
    assert response.status_code == 400 and not StyleReflection.objects.exists()


def test_supervisors_read_but_do_not_write(client, world):
    clinician, supervisor, record, partner = world.alice, world.sue, world.amara, world.partner
    sheet = worksheet(record, clinician, answers={"describe": "The bills"})
    client.force_login(supervisor)
    hub = client.get(f"/clients/{record.pk}/communication/").content.decode()
    assert "Style map" in hub and "Reflect on a relationship" not in hub
    page = client.get(f"/worksheets/{sheet.pk}/").content.decode()
    assert "The bills" in page and "Save and come back later" not in page
    assert client.post(f"/worksheets/{sheet.pk}/", {"describe": "x"}).status_code == 404
    response = client.post(
        f"/clients/{record.pk}/communication/styles/", {"person": partner.pk, "items": ["s1"]}
    )
    assert response.status_code == 404 and not StyleReflection.objects.exists()
    sheet.refresh_from_db()
    assert sheet.answers == {"describe": "The bills"}


# Communication analysis


def exchange_data(partner, **changes):
    data = {
        "day": timezone.localdate().isoformat(),
        "person": partner.pk,
        "area": "dispute",
        "i_said": "You never help with anything.",
        "they_said": "That's not fair.",
        "i_meant": "I am exhausted.",
        "i_felt": "Alone",
        "how_it_ended": "Silence",
        "could_have_said": "I'm exhausted. Could you do the bath tonight?",
        "might_have_landed": "Better",
    }
    return data | changes


def test_an_exchange_is_written_down_and_its_alternative_gets_feedback(client, world):
    clinician, record, partner = world.alice, world.amara, world.partner
    client.force_login(clinician)
    response = client.post(
        f"/clients/{record.pk}/communication/exchanges/new/", exchange_data(partner)
    )
    exchange = Exchange.objects.get()
    assert response["Location"] == f"/exchanges/{exchange.pk}/"
    assert exchange.person_label == "Sam" and exchange.updated_by == clinician
    html = client.get(f"/exchanges/{exchange.pk}/").content.decode()
    assert "What else I could have said: how it might land" in html
    assert "A clear request" in html and "“Could you" in html
    assert AuditEvent.objects.filter(action="exchange.create", object_id=str(exchange.pk)).exists()


def test_a_bad_exchange_is_refused_and_keeps_what_was_typed(client, world):
    clinician, record, partner = world.alice, world.amara, world.partner
    client.force_login(clinician)
    url = f"/clients/{record.pk}/communication/exchanges/new/"
    response = client.post(url, exchange_data(partner, i_said="", i_felt="Hurt and tired"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Write down what was said: a few words are enough." in html
    assert "Hurt and tired" in html
    response = client.post(url, exchange_data(partner, they_said="x" * 2001))
    assert response.status_code == 400 and "at most 2000 characters" in response.content.decode()
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = client.post(url, exchange_data(partner, day=future))
    assert (
        response.status_code == 400 and "This date is in the future." in response.content.decode()
    )
    assert not Exchange.objects.exists()


def test_markup_is_kept_as_text_and_a_removed_person_keeps_their_name(client, world):
    clinician, record, partner = world.alice, world.amara, world.partner
    client.force_login(clinician)
    client.post(
        f"/clients/{record.pk}/communication/exchanges/new/",
        exchange_data(partner, i_said="<script>alert(1)</script> you never"),
    )
    exchange = Exchange.objects.get()
    partner.delete()
    html = client.get(f"/exchanges/{exchange.pk}/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    exchange.refresh_from_db()
    assert exchange.person is None and exchange.person_label == "Sam"


# Worksheets


def test_a_worksheet_is_left_and_resumed_without_losing_anything(client, world):
    clinician, record, partner = world.alice, world.amara, world.partner
    client.force_login(clinician)
    response = client.post(
        f"/clients/{record.pk}/communication/worksheets/new/",
        {"kind": "desc", "title": "Asking Sam", "person": partner.pk},
    )
    sheet = Worksheet.objects.get()
    assert response["Location"] == f"/worksheets/{sheet.pk}/"
    url = f"/worksheets/{sheet.pk}/"
    client.post(url, {"describe": "Two payments went out without a word.", "save": "1"})
    sheet.refresh_from_db()
    assert sheet.answers == {"describe": "Two payments went out without a word."}
    assert sheet.completed_at is None
    page = client.get(url).content.decode()
    assert "Two payments went out without a word." in page and "In progress" in page

    response = client.post(
        url,
        {"describe": "Two payments went out.", "express": "I feel worried.", "finish": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Fill in this step to finish, or save and come back later." in html
    assert "I feel worried." in html
    sheet.refresh_from_db()
    assert sheet.completed_at is None and "express" not in sheet.answers

    complete = {
        "describe": "Two payments went out.",
        "express": "I feel worried when money goes out without us talking.",
        "specify": "Could we plan the week's spending on Sundays?",
        "finish": "1",
    }
    assert client.post(url, complete).status_code == 302
    sheet.refresh_from_db()
    assert sheet.completed_at is not None and len(sheet.answers) == 3
    page = client.get(url).content.decode()
    assert "Finished" in page and "How it might land" in page and "Speaks from" in page
    assert AuditEvent.objects.filter(action="worksheet.finish").count() == 1


def test_a_finished_worksheet_offers_save_changes_not_finish_and_stays_finished(world):
    """Walking the pages (issue 21): a finished worksheet still offered "Finish"."""
    finished_at = timezone.now() - timedelta(days=2)
    answers = {"describe": "Bills.", "express": "I worry.", "specify": "Sundays?"}
    sheet = worksheet(world.amara, world.alice, answers=answers, completed_at=finished_at)
    sheet.shared_with_client = True
    sheet.save()
    for http, url in (
        (signed_in(world.alice), f"/worksheets/{sheet.pk}/"),
        (signed_in(world.portal), f"/portal/worksheets/{sheet.pk}/"),
    ):
        html = http.get(url).content.decode()
        assert 'name="save" value="1" class="button button-primary">Save changes</button>' in html
        assert 'name="finish"' not in html and "Save and come back later" not in html
        # A "finish" from a page opened before it was finished only saves; it stays finished.
        response = http.post(url, {**answers, "describe": "The bills.", "finish": "1"})
        assert response.status_code == 302
        sheet.refresh_from_db()
        assert sheet.completed_at == finished_at and sheet.answers["describe"] == "The bills."
        # Bad input: a finished worksheet cannot lose a step it needs; nothing is changed.
        response = http.post(url, {**answers, "express": " ", "save": "1"})
        assert response.status_code == 400
        assert "This worksheet is finished: this step cannot be left empty." in (
            response.content.decode()
        )
        sheet.refresh_from_db()
        assert sheet.answers["express"] == "I worry."
    assert not AuditEvent.objects.filter(action="worksheet.finish").exists()
    assert AuditEvent.objects.filter(action="worksheet.save").count() == 2


def test_worksheet_bad_input_is_refused(client, world):
    clinician, record = world.alice, world.amara
    client.force_login(clinician)
    response = client.post(
        f"/clients/{record.pk}/communication/worksheets/new/",
        {"kind": "horoscope", "title": "x"},
        follow=True,
    )
    assert "Choose a worksheet and give it a title" in response.content.decode()
    assert not Worksheet.objects.exists()
    sheet = worksheet(record, clinician, kind="decision", answers={"decision": "Course"})
    response = client.post(
        f"/worksheets/{sheet.pk}/", {"decision": "Course", "options": "y" * 2001}
    )
    assert response.status_code == 400 and "at most 2000 characters" in response.content.decode()
    sheet.refresh_from_db()
    assert sheet.answers == {"decision": "Course"}


def test_every_kind_of_worksheet_opens_with_its_steps(client, world):
    clinician, record = world.alice, world.amara
    client.force_login(clinician)
    expected = {
        "desc": ["Describe", "Express", "Specify", "Consequences"],
        "nvc": ["Observations", "Feelings", "Needs", "Requests"],
        "dear_man": ["Describe", "Express", "Assert", "Reinforce", "Stay mindful", "Negotiate"],
        "repair": ["What happened", "My part", "What I will say", "When and where"],
        "decision": ["The decision", "Options", "Likely consequences", "My choice"],
    }
    for kind, labels in expected.items():
        html = client.get(f"/worksheets/{worksheet(record, clinician, kind=kind).pk}/").content
        for label in labels:
            assert f">{label}</label>" in html.decode(), (kind, label)


# Statement feedback


def test_statement_feedback_for_staff_and_clients_stores_nothing(client, world):
    clinician, portal = world.alice, world.portal
    before = AuditEvent.objects.count()
    for user, url in (
        (clinician, "/communication/statement/"),
        (portal, "/portal/communication/statement/"),
    ):
        client.force_login(user)
        response = client.post(url, {"text": "You always ruin everything."})
        html = response.content.decode()
        assert response.status_code == 200 and "Absolute words" in html and "“always”" in html
        assert "No clear request yet" in html
        response = client.post(url, {"text": ""})
        assert (
            response.status_code == 400 and "This field is required." in response.content.decode()
        )
    assert AuditEvent.objects.exclude(action="portal.view").count() == before


def test_statement_feedback_speaks_spanish(client, world):
    clinician = world.alice
    client.force_login(clinician)
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    response = client.post("/communication/statement/", {"text": "Siempre llegas tarde."})
    html = response.content.decode()
    assert "“Siempre”" in html


# The portal


def test_shared_work_reaches_the_client_who_fills_and_finishes_it(client, world):
    clinician, portal, record = world.alice, world.portal, world.amara
    sheet = worksheet(record, clinician, answers={"describe": "The bills"})
    exchange = Exchange.objects.create(
        client=record, i_said="You never", they_said="Stop", updated_by=clinician
    )
    client.force_login(portal)
    assert client.get(f"/portal/worksheets/{sheet.pk}/").status_code == 404
    assert client.get(f"/portal/exchanges/{exchange.pk}/").status_code == 404
    client.force_login(clinician)
    client.post(f"/worksheets/{sheet.pk}/share/", {"shared": "1"})
    client.post(f"/exchanges/{exchange.pk}/share/", {"shared": "1"})

    client.force_login(portal)
    listing = client.get("/portal/communication/").content.decode()
    assert "Asking Sam" in listing and "in progress" in listing
    url = f"/portal/worksheets/{sheet.pk}/"
    response = client.post(url, {"describe": "The bills", "express": "I worry.", "finish": "1"})
    assert response.status_code == 400 and "I worry." in response.content.decode()
    finished = {
        "describe": "The bills",
        "express": "I worry.",
        "specify": "Could we plan on Sundays?",
        "finish": "1",
    }
    assert client.post(url, finished).status_code == 302
    event = AuditEvent.objects.get(action="worksheet.finish")
    assert (event.role, event.actor_id) == (Role.CLIENT, portal.pk)
    response = client.post(
        f"/portal/exchanges/{exchange.pk}/",
        {
            "day": timezone.localdate().isoformat(),
            "i_said": "You never",
            "they_said": "Stop",
            "could_have_said": "Could you help me tonight?",
        },
    )
    assert response.status_code == 302

    client.force_login(clinician)
    assert "finished" in client.get(f"/clients/{record.pk}/communication/").content.decode()
    assert "Could you help me tonight?" in client.get(f"/exchanges/{exchange.pk}/").content.decode()


def test_another_clients_shared_worksheet_stays_closed(client, world):
    clinician, portal = world.alice, world.portal
    neighbour = another_client(world, "Nia", portal=True)
    theirs = worksheet(neighbour, clinician, shared_with_client=True)
    client.force_login(portal)
    assert client.get(f"/portal/worksheets/{theirs.pk}/").status_code == 404
    response = client.post(f"/portal/worksheets/{theirs.pk}/", {"describe": "mine now"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.answers == {}


# Query counts


def test_the_hub_and_a_worksheet_cost_the_same_queries_however_much_there_is(client, world):
    clinician, record = world.alice, world.amara
    client.force_login(clinician)
    sheet = worksheet(record, clinician, answers={"express": "You never listen"})
    hub = f"/clients/{record.pk}/communication/"
    counts = (count_queries(client, hub), count_queries(client, f"/worksheets/{sheet.pk}/"))
    for n in range(12):
        someone = person(record, clinician, f"Person {n}")
        for items in (["p1"], ["s1"]):
            StyleReflection.objects.create(
                client=record,
                person=someone,
                items=items,
                counts={},
                style="passive",
                created_by=clinician,
            )
        worksheet(record, clinician, kind="nvc")
        Exchange.objects.create(client=record, i_said="x", they_said="y", updated_by=clinician)
    assert (count_queries(client, hub), count_queries(client, f"/worksheets/{sheet.pk}/")) == counts
