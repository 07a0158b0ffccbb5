"""Issue 23, part 5, second round: a role play done in the session is tied to a person in the
client's interpersonal inventory (or names someone else), and can be corrected or removed while
the session's progress note is not signed (ADR 0050)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gentle.audit.models import AuditEvent
from gentle.courses import actions
from gentle.courses.models import ProgressNote, RolePlay
from gentle.inventory.models import Person
from gentle.portal.record import build_record
from tests.factories import (
    count_queries,
    make_client,
    make_course,
    make_session,
    signed_in,
    visible_text,
)

pytestmark = pytest.mark.django_db

PLAY = {
    "kind": "role_reversal",
    "practised": "Asking to look at big payments together on Sunday evenings",
    "how_it_felt": "Surprised how defensive 'never' sounded from his side",
    "next_step": "Ask for one small thing and stop there",
}


def person(client, name, by, **fields) -> Person:
    return Person.objects.create(
        client=client,
        name=name,
        name_key=name.casefold(),
        relationship=fields.pop("relationship", "partner"),
        updated_by=by,
        **fields,
    )


@pytest.fixture
def video(world):
    return make_session(make_course(world.amara), world.alice, mode="video")


@pytest.fixture
def tomas(world):
    return person(world.amara, "Tomás", world.alice)


def page(http, session):
    return http.get(reverse("session_detail", args=[session.pk]))


def post_play(http, session, data):
    return http.post(reverse("session_role_play", args=[session.pk]), data)


def edit_url(play) -> str:
    return reverse("role_play_edit", args=[play.pk])


def delete_url(play) -> str:
    return reverse("role_play_delete", args=[play.pk])


def sign(session, by) -> None:
    ProgressNote.objects.create(
        session=session,
        author=by,
        updated_by=by,
        status="signed",
        signed_at=session.starts_at,
        signed_by=by,
    )


# --- tied to the inventory ---------------------------------------------------------------------


def test_the_form_offers_the_clients_people_and_someone_else(world, video, tomas):
    """Finding: the other person was only typed text, never a person of the inventory."""
    person(world.amara, "Lena", world.alice, relationship="friend")
    person(world.amara, "Draft Dora", world.alice, accepted=False)  # the client's draft
    html = page(signed_in(world.alice), video).content.decode()
    assert '<option value="" selected>Someone else (write the name below)</option>' in html
    assert f'<option value="{tomas.pk}">Tomás · Partner or spouse</option>' in html
    assert "Lena · Friend" in html
    assert "Draft Dora" not in html
    assert "Someone else&#x27;s name" in html


def test_without_people_the_form_asks_only_for_a_name(world, video):
    html = page(signed_in(world.alice), video).content.decode()
    assert 'name="person"' not in html
    assert 'name="other_person"' in html


def test_record_a_role_play_with_an_inventory_person(world, video, tomas):
    http = signed_in(world.alice)
    response = post_play(http, video, {**PLAY, "person": tomas.pk, "other_person": ""})
    assert response.status_code == 302
    play = RolePlay.objects.get()
    assert (play.inventory_person_id, play.other_person) == (tomas.pk, "Tomás")
    event = AuditEvent.objects.get(action="session.role_play")
    assert event.detail == f"kind=role_reversal id={play.pk} person={tomas.pk}"
    html = http.get(response["Location"]).content.decode()
    person_url = reverse("person_edit", args=[tomas.pk])
    assert f'<a href="{person_url}">Tomás</a>' in html
    assert "Role reversal: the client played the other person · Tomás" in visible_text(html)
    # The client's copy of their record ties it to Tomás in its inventory section.
    (row,) = build_record(world.amara)["role_plays"]
    assert (row["other_person"], row["inventory_person_id"]) == ("Tomás", tomas.pk)


def test_the_link_survives_a_rename_in_the_inventory(world, video, tomas):
    http = signed_in(world.alice)
    post_play(http, video, {**PLAY, "person": tomas.pk})
    Person.objects.filter(pk=tomas.pk).update(name="Tomás (husband)", name_key="tomás (husband)")
    text = visible_text(page(http, video))
    assert "Tomás (husband) (recorded as Tomás)" in text
    # Removed from the inventory: the name written when recorded, with no link.
    Person.objects.filter(pk=tomas.pk).delete()
    html = page(http, video).content.decode()
    assert "the other person · Tomás</h3>" in html
    assert reverse("person_edit", args=[tomas.pk]) not in html
    # Corrected afterwards, the recorded name is in the form to keep or change.
    form = http.get(edit_url(RolePlay.objects.get())).content.decode()
    assert 'name="other_person" value="Tomás"' in form


def test_record_a_role_play_with_someone_else(world, video, tomas):
    http = signed_in(world.alice)
    post_play(http, video, {**PLAY, "person": "", "other_person": "Her manager, Priya"})
    play = RolePlay.objects.get()
    assert (play.inventory_person_id, play.other_person) == (None, "Her manager, Priya")
    assert AuditEvent.objects.get(action="session.role_play").detail.endswith(f"id={play.pk}")
    assert "the other person · Her manager, Priya" in visible_text(page(http, video))


def test_neither_a_person_nor_a_name_is_refused_keeping_the_rest(world, video, tomas):
    response = post_play(signed_in(world.alice), video, {**PLAY, "person": "", "other_person": ""})
    assert response.status_code == 400
    assert not RolePlay.objects.exists()
    text = visible_text(response)
    assert "Choose a person from the inventory or write whom the role play was about." in text
    assert PLAY["practised"] in response.content.decode()


def test_a_person_of_another_clients_inventory_is_refused(world, video, tomas):
    """Attack: a forged id in the POST names a person in another client's inventory."""
    other = make_client(world.clinic, clinicians=[world.bob])
    stranger = person(other, "Stranger", world.bob)
    far = person(world.far_client, "Far person", world.far_clinician)
    http = signed_in(world.alice)
    for forged in (stranger.pk, far.pk):
        response = post_play(http, video, {**PLAY, "person": forged, "other_person": ""})
        assert response.status_code == 400
        assert "That person is not in this client's inventory. Choose again." in visible_text(
            response
        )
        assert "Stranger" not in response.content.decode()
    assert not RolePlay.objects.exists()
    assert not AuditEvent.objects.filter(action="session.role_play").exists()


def test_the_action_refuses_another_clients_person(world, video):
    """The action checks the id itself, whatever form called it."""
    other = make_client(world.clinic, clinicians=[world.bob])
    stranger = person(other, "Stranger", world.bob)
    fields = {**PLAY, "other_person": "Stranger", "inventory_person_id": stranger.pk}
    with pytest.raises(actions.NotThisClientsPerson):
        actions.role_play_add(by=world.alice, session=video, fields=fields)
    assert not RolePlay.objects.exists()


# --- correcting a role play --------------------------------------------------------------------


@pytest.fixture
def play(world, video, tomas):
    post_play(signed_in(world.alice), video, {**PLAY, "other_person": "Tomas, typo"})
    return RolePlay.objects.get()


def test_clinician_corrects_a_role_play(world, video, tomas, play):
    """Finding: a typo in a recorded role play stayed forever."""
    http = signed_in(world.alice)
    html = page(http, video).content.decode()
    assert edit_url(play) in html and delete_url(play) in html
    form = http.get(edit_url(play))
    assert form.status_code == 200
    assert "Tomas, typo" in form.content.decode()  # what was recorded, to correct
    response = http.post(
        edit_url(play),
        {**PLAY, "kind": "clinician_as_other", "person": tomas.pk, "practised": "Fixed"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#role-plays")
    play.refresh_from_db()
    assert (play.kind, play.inventory_person_id, play.other_person, play.practised) == (
        "clinician_as_other",
        tomas.pk,
        "Tomás",
        "Fixed",
    )
    assert play.edited_by == world.alice
    event = AuditEvent.objects.get(action="session.role_play_edit")
    assert event.detail == f"kind=clinician_as_other id={play.pk} person={tomas.pk}"
    assert event.client_id == world.amara.pk
    text = visible_text(http.get(response["Location"]))
    assert "Role play corrected." in text and "Corrected by" in text
    assert "Tomas, typo" not in text


def test_bad_correction_keeps_what_was_typed(world, play):
    http = signed_in(world.alice)
    typed = {**PLAY, "person": "", "other_person": "Tomás again", "practised": ""}
    typed["how_it_felt"] = "Calmer now"
    response = http.post(edit_url(play), typed)
    assert response.status_code == 400
    assert "Write what was practised." in visible_text(response)
    html = response.content.decode()
    assert "Tomás again" in html and "Calmer now" in html
    play.refresh_from_db()
    assert play.practised == PLAY["practised"] and play.other_person == "Tomas, typo"
    assert not AuditEvent.objects.filter(action="session.role_play_edit").exists()


def test_correction_with_another_clients_person_is_refused(world, play):
    stranger = person(make_client(world.clinic, clinicians=[world.bob]), "Stranger", world.bob)
    response = signed_in(world.alice).post(edit_url(play), {**PLAY, "person": stranger.pk})
    assert response.status_code == 400
    play.refresh_from_db()
    assert play.inventory_person_id is None


def test_others_cannot_correct_or_remove(world, video, play):
    for user in (world.bob, world.far_clinician, world.sue):
        http = signed_in(user)
        assert http.get(edit_url(play)).status_code == 404
        assert http.post(edit_url(play), {**PLAY, "other_person": "Changed"}).status_code == 404
        assert http.post(delete_url(play)).status_code == 404
    play.refresh_from_db()
    assert play.other_person == "Tomas, typo"
    # The supervisor reads the role play, without the links to change it.
    html = page(signed_in(world.sue), video).content.decode()
    assert "Tomas, typo" in html and edit_url(play) not in html


def test_a_signed_session_is_read_only(world, video, play):
    sign(video, world.alice)
    http = signed_in(world.alice)
    text = visible_text(page(http, video))
    assert "can no longer be corrected or removed" in text
    assert "Write any correction in an addendum to the note." in text
    html = page(http, video).content.decode()
    assert edit_url(play) not in html and delete_url(play) not in html
    assert "Record the role play" not in html
    form = http.get(edit_url(play))
    assert "The progress note of this session is signed" in visible_text(form)
    assert 'name="practised"' not in form.content.decode()
    response = http.post(edit_url(play), {**PLAY, "other_person": "Changed"})
    assert response.status_code == 409
    assert "Write any correction in an addendum to the note." in visible_text(response)
    assert http.post(delete_url(play)).status_code == 409
    play.refresh_from_db()
    assert play.other_person == "Tomas, typo"
    assert not AuditEvent.objects.filter(action__startswith="session.role_play_").exists()


def test_no_role_play_is_added_once_the_note_is_signed(world, video, play):
    """Signed while the form was open: refused, and what was typed comes back for an addendum."""
    sign(video, world.alice)
    typed = {**PLAY, "other_person": "Lena", "practised": "Saying no to the weekend"}
    response = post_play(signed_in(world.alice), video, typed)
    assert response.status_code == 409
    assert "no role play can be added to it" in visible_text(response)
    assert "Saying no to the weekend" in response.content.decode()
    assert RolePlay.objects.count() == 1
    assert AuditEvent.objects.filter(action="session.role_play").count() == 1


# --- removing a role play ----------------------------------------------------------------------


def test_clinician_removes_a_role_play_after_confirming(world, video, play):
    http = signed_in(world.alice)
    confirm = http.get(delete_url(play))
    assert confirm.status_code == 200
    text = visible_text(confirm)
    assert "This removes the role play below" in text
    assert "the person stays in the inventory" in text
    assert PLAY["practised"] in text and "Remove the role play" in text
    assert RolePlay.objects.exists()  # asking removes nothing
    response = http.post(delete_url(play))
    assert response.status_code == 302
    assert not RolePlay.objects.exists()
    assert Person.objects.filter(client=world.amara).exists()
    event = AuditEvent.objects.get(action="session.role_play_delete")
    assert event.detail == f"kind=role_reversal id={play.pk}"
    assert event.object_id == str(video.pk)
    text = visible_text(http.get(response["Location"]))
    assert "Role play removed." in text and "No role play recorded for this session." in text


def test_a_removed_role_play_is_gone_from_the_record_copy(world, play):
    assert len(build_record(world.amara)["role_plays"]) == 1
    signed_in(world.alice).post(delete_url(play))
    assert build_record(world.amara)["role_plays"] == []


# --- the page stays cheap ----------------------------------------------------------------------


def test_session_page_queries_do_not_grow_with_linked_role_plays(world, video, tomas):
    http = signed_in(world.alice)
    lena = person(world.amara, "Lena", world.alice)
    post_play(http, video, {**PLAY, "person": tomas.pk})
    url = reverse("session_detail", args=[video.pk])
    before = count_queries(http, url)
    for n in range(3):
        post_play(http, video, {**PLAY, "person": lena.pk})
        post_play(http, video, {**PLAY, "person": "", "other_person": f"Someone {n}"})
    assert count_queries(http, url) == before


# --- the demo ------------------------------------------------------------------------------------


def test_the_demo_ties_the_session_role_plays_to_tomas_in_the_inventory(client, settings):
    from gentle.accounts.models import User
    from gentle.demo import seed_demo

    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    plays = list(RolePlay.objects.select_related("session__course__client"))
    assert plays and {p.other_person for p in plays} == {"Tomás"}
    tomas = Person.objects.get(client=plays[0].session.course.client, name="Tomás")
    assert {p.inventory_person_id for p in plays} == {tomas.pk}
    client.force_login(User.objects.get(email="clinician@demo.gentle.test"))
    html = client.get(reverse("session_detail", args=[plays[0].session_id])).content.decode()
    assert f'<a href="{reverse("person_edit", args=[tomas.pk])}">Tomás</a>' in html
