"""Progress notes and process notes over HTTP: drafts, versions, signing, addenda, two people
editing one draft, and the privacy of process notes (who reads them, encryption at rest, audit,
pages and logs), with `gentle rotate-keys`."""

import json
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.test import Client as Browser
from django.utils import dateformat, timezone

from gentle.audit.models import AuditEvent
from gentle.clients.models import Client
from gentle.courses.models import (
    Course,
    NoteAddendum,
    NoteStatus,
    ProcessNote,
    ProgressNote,
    Session,
)
from gentle.lib.crypto import KeyRing, KeyRingError, new_key
from gentle.lib.logjson import JsonFormatter
from tests.factories import add_to_team, make_course, make_session
from tests.world import World as SharedWorld

pytestmark = pytest.mark.django_db

SIGNED_REFUSAL = "This note is signed and cannot change"
CONFLICT_TITLE = "Someone else saved this note"


@dataclass
class World(SharedWorld):
    course: Course
    session: Session  # Alice's, in an hour


@pytest.fixture
def world(world) -> World:
    """Bob joins Alice on Amara's care team; Amara's course has a session in an hour."""
    add_to_team(world.amara, world.bob)
    course = make_course(world.amara, status="active")
    soon = timezone.now() + timedelta(hours=1)
    session = make_session(course, world.alice, starts_at=soon, mode="in_person")
    return World(**vars(world), course=course, session=session)


def session_url(session: Session) -> str:
    return f"/sessions/{session.pk}/"


def note_url(session: Session) -> str:
    return f"/sessions/{session.pk}/note/"


def addendum_url(session: Session) -> str:
    return f"/sessions/{session.pk}/note/addendum/"


def process_url(session: Session) -> str:
    return f"/sessions/{session.pk}/process-note/"


def access_log_url(record: Client) -> str:
    return f"/clients/{record.pk}/access-log/"


def note_post(version: int | None = None, sign: bool = False, **changes) -> dict:
    """What the note form sends: every field, as a person would fill it in."""
    data = {
        "version": "" if version is None else version,
        "mood": 6,
        "interval_events": "Argued with her sister on Sunday",
        "focus_work": "Explored the expectations in the dispute",
        "techniques": ["exploration", "communication_analysis"],
        "risk_review": "No thoughts of self harm",
        "plan": "Role play the phone call next week",
        "text": "Engaged and reflective throughout",
        "sign": "1" if sign else "0",
    }
    data.update(changes)
    return data


def sign_url(session: Session) -> str:
    return f"/sessions/{session.pk}/note/sign/"


def save_draft(http, world: World, sign: bool = False, **changes) -> ProgressNote:
    """Save the note as the signed-in clinician (with the current version) and return it;
    with ``sign``, then confirm signing it on the confirmation page."""
    current = ProgressNote.objects.filter(session=world.session).first()
    version = current.version if current else None
    response = http.post(note_url(world.session), note_post(version, sign=sign, **changes))
    assert response.status_code == 302, response.content.decode()
    if sign:
        assert response["Location"] == sign_url(world.session)
        saved = ProgressNote.objects.get(session=world.session)
        response = http.post(sign_url(world.session), {"version": saved.version})
        assert response.status_code == 302, response.content.decode()
    return ProgressNote.objects.get(session=world.session)


def hidden_version(html: str) -> int:
    return int(re.search(r'name="version" value="(\d+)"', html).group(1))


def note_snapshot(session: Session) -> tuple:
    return tuple(
        ProgressNote.objects.filter(session=session).values_list(
            "status", "version", "mood", "techniques", "plan", "text"
        )
    )


# Drafts and versions ---------------------------------------------------------------------------


def test_first_save_creates_a_draft_and_audits_note_create(client, world):
    client.force_login(world.alice)
    response = client.post(note_url(world.session), note_post())
    assert response.status_code == 302
    assert response["Location"] == session_url(world.session)

    note = ProgressNote.objects.get(session=world.session)
    assert (note.status, note.version, note.author, note.updated_by) == (
        NoteStatus.DRAFT,
        1,
        world.alice,
        world.alice,
    )
    assert note.mood == 6
    assert note.techniques == ["exploration", "communication_analysis"]
    assert note.text == "Engaged and reflective throughout"
    assert note.plan == "Role play the phone call next week"
    assert note.signed_at is None

    event = AuditEvent.objects.get(action="note.create")
    assert (event.actor_id, event.client_id, event.object_type, event.object_id) == (
        world.alice.pk,
        world.amara.pk,
        "note",
        str(note.pk),
    )
    assert event.detail == "version=1"

    html = client.get(session_url(world.session)).content.decode()
    assert "Draft saved." in html
    assert "Engaged and reflective throughout" in html  # back in the form to go on writing
    assert hidden_version(html) == 1


def test_a_later_save_with_the_current_version_updates_the_draft_and_raises_the_version(
    client, world
):
    client.force_login(world.alice)
    save_draft(client, world)
    response = client.post(
        note_url(world.session), note_post(1, text="Second thoughts added", mood=7)
    )
    assert response.status_code == 302

    note = ProgressNote.objects.get(session=world.session)
    assert (note.version, note.text, note.mood, note.status) == (
        2,
        "Second thoughts added",
        7,
        NoteStatus.DRAFT,
    )
    assert ProgressNote.objects.count() == 1
    update = AuditEvent.objects.get(action="note.update")
    assert (update.object_id, update.detail) == (str(note.pk), "version=2")

    html = client.get(session_url(world.session)).content.decode()
    assert "Second thoughts added" in html
    assert hidden_version(html) == 2


def test_a_save_without_a_version_does_not_overwrite_an_existing_draft(client, world):
    client.force_login(world.alice)
    save_draft(client, world, text="The original draft")
    response = client.post(note_url(world.session), note_post(None, text="Blind overwrite"))
    assert response.status_code == 409
    note = ProgressNote.objects.get(session=world.session)
    assert (note.text, note.version) == ("The original draft", 1)


def test_sign_note_saves_the_draft_then_asks_for_confirmation_before_signing(client, world):
    """Finding (b): "Save and sign" made a note permanent in one click."""
    client.force_login(world.alice)
    response = client.post(note_url(world.session), note_post(sign=True))
    assert response.status_code == 302
    assert response["Location"] == sign_url(world.session)
    note = ProgressNote.objects.get(session=world.session)
    assert (note.status, note.version) == (NoteStatus.DRAFT, 1)  # saved, not signed
    assert not AuditEvent.objects.filter(action="note.sign").exists()

    page = client.get(sign_url(world.session))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Sign the note</h1>" in html
    assert "Signing cannot be undone" in html
    assert "corrections are added as addenda" in html
    assert "Engaged and reflective throughout" in html  # the note as it will stay
    assert 'name="version" value="1"' in html
    assert not AuditEvent.objects.filter(action="note.sign").exists()

    response = client.post(sign_url(world.session), {"version": 1})
    assert response.status_code == 302
    assert response["Location"] == session_url(world.session)
    note.refresh_from_db()
    assert note.status == NoteStatus.SIGNED
    assert note.signed_by == world.alice
    assert note.signed_at is not None
    assert AuditEvent.objects.filter(action="note.sign", object_id=str(note.pk)).count() == 1

    html = client.get(session_url(world.session)).content.decode()
    assert "Note signed. It can no longer change." in html
    assert f"Signed by {world.alice.display_name}" in html
    assert "Engaged and reflective throughout" in html
    assert f'action="{note_url(world.session)}"' not in html  # no form to edit it


def test_a_signed_note_refuses_further_edits(client, world):
    client.force_login(world.alice)
    save_draft(client, world, sign=True, text="Signed words")
    signed = ProgressNote.objects.get(session=world.session)
    before = note_snapshot(world.session)

    response = client.post(
        note_url(world.session), note_post(signed.version, text="Rewritten after signing")
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert SIGNED_REFUSAL in html
    assert "Rewritten after signing" in html.split("The current version")[0]  # shown, not lost
    assert f'action="{addendum_url(world.session)}"' in html  # to add it as an addendum
    assert note_snapshot(world.session) == before
    assert ProgressNote.objects.get(session=world.session).text == "Signed words"
    assert not AuditEvent.objects.filter(action="note.update").exists()

    # An older version or another clinician on the team gets the same answer.
    client.force_login(world.bob)
    response = client.post(note_url(world.session), note_post(1, text="Bob rewrites it"))
    assert SIGNED_REFUSAL in response.content.decode()
    assert note_snapshot(world.session) == before


# Addenda ---------------------------------------------------------------------------------------


def test_an_addendum_is_added_to_a_signed_note_with_its_author_and_time(client, world):
    client.force_login(world.alice)
    save_draft(client, world, sign=True, text="Signed words")
    before = note_snapshot(world.session)

    client.force_login(world.bob)
    response = client.post(addendum_url(world.session), {"text": "Mood was 5, not 6"})
    assert response.status_code == 302

    addendum = NoteAddendum.objects.get()
    assert (addendum.note.session_id, addendum.author, addendum.text) == (
        world.session.pk,
        world.bob,
        "Mood was 5, not 6",
    )
    assert note_snapshot(world.session) == before  # the signed note itself never changes
    written = AuditEvent.objects.get(action="note.addendum", object_type="note")
    assert (written.actor_id, written.detail) == (world.bob.pk, f"addendum={addendum.pk}")

    html = client.get(session_url(world.session)).content.decode()
    assert "Addendum added." in html
    addenda = html.split("<h3>Addenda</h3>", 1)[1]
    assert "Mood was 5, not 6" in addenda
    when = dateformat.format(timezone.localtime(addendum.created_at), "j M Y, H:i")
    assert f"{world.bob.display_name} · {when}" in addenda
    assert html.index("Signed words") < html.index("Mood was 5, not 6")


def test_an_addendum_to_an_unsigned_note_answers_404(client, world):
    client.force_login(world.alice)
    assert client.post(addendum_url(world.session), {"text": "No note yet"}).status_code == 404
    save_draft(client, world)
    response = client.post(addendum_url(world.session), {"text": "Only a draft"})
    assert response.status_code == 404
    assert not NoteAddendum.objects.exists()
    assert not AuditEvent.objects.filter(action="note.addendum", object_type="note").exists()


# Bad input -------------------------------------------------------------------------------------


BAD_INPUT = [
    pytest.param({"mood": 11}, "Ensure this value is less than or equal to 10.", id="mood-11"),
    pytest.param(
        {"mood": -1}, "Ensure this value is greater than or equal to 0.", id="mood-minus-1"
    ),
    pytest.param(
        {"techniques": ["exploration", "hypnosis"]},
        "Select a valid choice. hypnosis is not one of the available choices.",
        id="unknown-technique",
    ),
    pytest.param(
        {"text": "w" * 20001},
        "Ensure this value has at most 20000 characters (it has 20001).",
        id="note-of-20001-characters",
    ),
]


@pytest.mark.parametrize(("bad", "message"), BAD_INPUT)
def test_bad_input_on_a_first_save_is_refused_and_keeps_what_was_typed(client, world, bad, message):
    client.force_login(world.alice)
    response = client.post(
        note_url(world.session), note_post(plan="Typed plan that must survive", **bad)
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Typed plan that must survive" in html
    assert "Argued with her sister on Sunday" in html
    assert not ProgressNote.objects.exists()
    assert not AuditEvent.objects.filter(object_type="note").exists()  # no note written


@pytest.mark.parametrize(("bad", "message"), BAD_INPUT)
def test_bad_input_on_a_draft_is_refused_and_leaves_the_draft_unchanged(
    client, world, bad, message
):
    client.force_login(world.alice)
    save_draft(client, world, plan="Saved plan", text="Saved note")
    before = note_snapshot(world.session)
    response = client.post(
        note_url(world.session), note_post(1, plan="Edited plan that must survive", **bad)
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Edited plan that must survive" in html
    assert note_snapshot(world.session) == before
    assert not AuditEvent.objects.filter(action="note.update").exists()


def test_a_note_of_exactly_20000_characters_is_accepted(client, world):
    client.force_login(world.alice)
    save_draft(client, world, text="w" * 20000)
    assert len(ProgressNote.objects.get(session=world.session).text) == 20000


# Who may read and write ------------------------------------------------------------------------


def test_supervisor_on_the_care_team_reads_the_note_but_every_post_answers_404(client, world):
    client.force_login(world.alice)
    save_draft(client, world, text="Draft the supervisor may read")
    before = note_snapshot(world.session)

    client.force_login(world.sue)
    page = client.get(session_url(world.session))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Draft the supervisor may read" in html
    assert f"Draft, last saved by {world.alice.display_name}" in html
    assert f'action="{note_url(world.session)}"' not in html
    assert process_url(world.session) not in html

    assert client.post(note_url(world.session), note_post(1, text="Sue's edit")).status_code == 404
    assert client.post(note_url(world.session), note_post(1, sign=True)).status_code == 404
    assert client.get(sign_url(world.session)).status_code == 404
    assert client.post(sign_url(world.session), {"version": 1}).status_code == 404
    assert note_snapshot(world.session) == before

    client.force_login(world.alice)
    save_draft(client, world, sign=True, text="Draft the supervisor may read")
    client.force_login(world.sue)
    assert client.post(addendum_url(world.session), {"text": "From sue"}).status_code == 404
    assert not NoteAddendum.objects.exists()
    assert not AuditEvent.objects.filter(actor_id=world.sue.pk, action__startswith="note.").exists()


def test_a_clinician_of_another_clinic_gets_404_and_changes_nothing(client, world):
    client.force_login(world.alice)
    save_draft(client, world, sign=True, text="Only for this clinic")
    before = note_snapshot(world.session)

    client.force_login(world.far_clinician)
    assert client.get(session_url(world.session)).status_code == 404
    assert client.post(note_url(world.session), note_post(2, text="Far edit")).status_code == 404
    assert client.post(addendum_url(world.session), {"text": "Far addendum"}).status_code == 404
    assert client.get(process_url(world.session)).status_code == 404
    assert client.post(process_url(world.session), {"text": "Far process"}).status_code == 404
    assert note_snapshot(world.session) == before
    assert not NoteAddendum.objects.exists()
    assert not ProcessNote.objects.exists()
    assert not AuditEvent.objects.filter(actor_id=world.far_clinician.pk).exists()


# Two people editing one draft ------------------------------------------------------------------


def test_two_clinicians_saving_the_same_draft_lose_neither_text(client, world):
    client.force_login(world.alice)
    save_draft(client, world, text="First draft")
    alices, bobs = Browser(), Browser()
    alices.force_login(world.alice)
    bobs.force_login(world.bob)
    opened_by_alice = hidden_version(alices.get(session_url(world.session)).content.decode())
    opened_by_bob = hidden_version(bobs.get(session_url(world.session)).content.decode())
    assert opened_by_alice == opened_by_bob == 1

    response = alices.post(
        note_url(world.session), note_post(opened_by_alice, text="Alice wrote this paragraph")
    )
    assert response.status_code == 302

    response = bobs.post(
        note_url(world.session),
        note_post(opened_by_bob, text="Bob wrote this other paragraph", plan="Bob plan"),
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert f"<title>{CONFLICT_TITLE}" in html
    assert f"<h1>{CONFLICT_TITLE}</h1>" in html
    mine, theirs = html.split("The current version", 1)
    assert "Bob wrote this other paragraph" in mine and "Bob plan" in mine
    assert "Alice wrote this paragraph" in theirs
    assert hidden_version(theirs) == 2

    note = ProgressNote.objects.get(session=world.session)
    assert (note.text, note.version, note.updated_by) == (
        "Alice wrote this paragraph",
        2,
        world.alice,
    )
    assert AuditEvent.objects.filter(action="note.update").count() == 1

    response = bobs.post(
        note_url(world.session),
        note_post(
            hidden_version(theirs),
            text="Alice wrote this paragraph\nBob wrote this other paragraph",
        ),
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.version == 3
    assert note.text == "Alice wrote this paragraph\nBob wrote this other paragraph"
    assert note.updated_by == world.bob


def test_signing_a_stale_version_conflicts_instead_of_signing_unseen_text(client, world):
    client.force_login(world.alice)
    save_draft(client, world, text="Opened by both")
    save_draft(client, world, text="Alice changed it afterwards")

    client.force_login(world.bob)
    response = client.post(note_url(world.session), note_post(1, sign=True, text="Bob signs"))
    assert response.status_code == 409
    assert CONFLICT_TITLE in response.content.decode()
    note = ProgressNote.objects.get(session=world.session)
    assert (note.status, note.text, note.version) == (
        NoteStatus.DRAFT,
        "Alice changed it afterwards",
        2,
    )
    assert not AuditEvent.objects.filter(action="note.sign").exists()


def test_confirming_a_version_changed_in_another_tab_does_not_sign_it(client, world):
    client.force_login(world.alice)
    save_draft(client, world, text="Read on the confirmation page")
    confirmation = client.get(sign_url(world.session)).content.decode()
    assert hidden_version(confirmation) == 1
    other_tab = Browser()
    other_tab.force_login(world.alice)
    save_draft(other_tab, world, text="Changed in the other tab")

    response = client.post(sign_url(world.session), {"version": 1})
    assert response["Location"] == sign_url(world.session)
    html = client.get(response["Location"]).content.decode()
    assert "The note changed after you opened this page" in html
    assert "Changed in the other tab" in html
    note = ProgressNote.objects.get(session=world.session)
    assert (note.status, note.version) == (NoteStatus.DRAFT, 2)
    assert not AuditEvent.objects.filter(action="note.sign").exists()


# Process notes ---------------------------------------------------------------------------------


def test_the_author_writes_and_reads_their_process_note_encrypted_at_rest(client, world):
    text = "Countertransference: felt protective when she spoke of her father"
    client.force_login(world.alice)
    response = client.post(process_url(world.session), {"text": text})
    assert response.status_code == 302
    assert response["Location"] == process_url(world.session)

    page = client.get(process_url(world.session))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Process note saved. Only you can read it." in html
    assert text in html

    note = ProcessNote.objects.get()
    assert note.author == world.alice
    assert text not in note.ciphertext
    for word in ("Countertransference", "protective", "father"):
        assert word not in note.ciphertext
    assert KeyRing(django_settings.GENTLE_PROCESS_NOTE_KEYS).decrypt(note.ciphertext) == text
    # Nothing of it in the progress note or the record.
    assert not ProgressNote.objects.exists()


def test_every_process_note_read_and_save_is_audited_without_its_text(client, world):
    first, second = "Felt sleepy in the session", "Wondered about my own grief"
    client.force_login(world.alice)
    client.get(process_url(world.session))
    client.post(process_url(world.session), {"text": first})
    client.get(process_url(world.session))
    client.post(process_url(world.session), {"text": second})
    client.get(process_url(world.session))

    note = ProcessNote.objects.get()
    mine = AuditEvent.objects.filter(actor_id=world.alice.pk, client_id=world.amara.pk)
    assert mine.filter(action="process_note.read").count() == 3
    created = mine.get(action="process_note.create")
    updated = mine.get(action="process_note.update")
    for event in (created, updated):
        assert (event.object_type, event.object_id, event.detail) == (
            "process_note",
            str(note.pk),
            "",
        )
    for row in AuditEvent.objects.values():
        for value in row.values():
            assert first not in str(value) and second not in str(value), row


def test_a_colleague_on_the_care_team_sees_an_empty_form_not_the_authors_text(client, world):
    text = "Alice's private doubts about the formulation"
    client.force_login(world.alice)
    client.post(process_url(world.session), {"text": text})

    client.force_login(world.bob)
    page = client.get(process_url(world.session))
    html = page.content.decode()
    assert page.status_code == 200
    assert "private doubts" not in html
    assert re.search(r"<textarea[^>]*>\s*</textarea>", html)

    client.post(process_url(world.session), {"text": "Bob's own note"})
    assert ProcessNote.objects.count() == 2
    alices = ProcessNote.objects.get(author=world.alice)
    assert KeyRing(django_settings.GENTLE_PROCESS_NOTE_KEYS).decrypt(alices.ciphertext) == text
    client.force_login(world.alice)
    html = client.get(process_url(world.session)).content.decode()
    assert "private doubts" in html and "own note" not in html


def test_supervisor_administrator_and_client_get_404_on_process_notes(client, world):
    client.force_login(world.alice)
    client.post(process_url(world.session), {"text": "Only mine"})
    before = list(ProcessNote.objects.values_list("pk", "ciphertext"))
    for person in (world.sue, world.admin, world.portal):
        client.force_login(person)
        assert client.get(process_url(world.session)).status_code == 404, person
        response = client.post(process_url(world.session), {"text": "Overwrite"})
        assert response.status_code == 404, person
        assert not AuditEvent.objects.filter(
            actor_id=person.pk, action__startswith="process_note"
        ).exists()
    assert list(ProcessNote.objects.values_list("pk", "ciphertext")) == before


def test_process_note_events_stay_off_the_clients_access_log(client, world):
    client.force_login(world.alice)
    client.get(session_url(world.session))
    client.get(process_url(world.session))
    client.post(process_url(world.session), {"text": "Kept apart from the record"})
    client.get(process_url(world.session))
    assert AuditEvent.objects.filter(action__startswith="process_note").exists()

    for person in (world.alice, world.admin):
        client.force_login(person)
        page = client.get(access_log_url(world.amara))
        html = page.content.decode()
        assert page.status_code == 200
        assert "session.view" in html  # the record's own events are listed
        assert re.findall(r"process_note\.\w+", html) == [], person


# The canary: a process note's words appear nowhere else --------------------------------------


CANARY = "Canary-Process-Note-4Xq9Zt"


def feed_path(http) -> str:
    html = http.post("/calendar/feed/", {"action": "renew"}).content.decode()
    link = re.search(r'value="https?://[^/"]+(/calendar/feed/[^"]+\.ics)"', html).group(1)
    return link


def test_a_process_note_canary_appears_on_no_page_no_log_line_and_no_audit_row(
    client, world, caplog
):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.request")
    record, course, session = world.amara, world.course, world.session

    client.force_login(world.alice)
    save_draft(client, world, sign=True, text="The progress note, part of the record")
    plan = client.post(f"/courses/{course.pk}/relapse-plan/", {"warning_signs": "Sleeping badly"})
    assert plan.status_code == 302
    response = client.post(process_url(session), {"text": f"She said {CANARY} about it"})
    assert response.status_code == 302
    assert CANARY in client.get(process_url(session)).content.decode()  # the one place

    week = timezone.localtime(session.starts_at).date().isocalendar()
    clinical_pages = [
        f"/clients/{record.pk}/",
        f"/courses/{course.pk}/",
        f"/courses/{course.pk}/summary/",
        session_url(session),
        access_log_url(record),
        f"/caseload/?q={CANARY}",
        f"/caseload/?q={record.given_name}",
        "/clients/",
        f"/calendar/?week={week.year}-W{week.week:02d}",
    ]
    admin_pages = [
        access_log_url(record),
        "/clinic/audit/",
        "/clinic/clients/",
        f"/clinic/clients/{record.pk}/team/",
    ]
    portal_pages = ["/portal/", "/portal/plan/"]
    every_page = [*clinical_pages, *admin_pages, *portal_pages, process_url(session)]
    opens = {
        world.alice: [*clinical_pages, process_url(session)],
        world.bob: [*clinical_pages, process_url(session)],
        world.sue: clinical_pages,
        world.admin: admin_pages,
        world.portal: portal_pages,
    }
    for person, expected in opens.items():
        client.force_login(person)
        for url in dict.fromkeys(every_page):
            response = client.get(url)
            html = response.content.decode()
            if url == f"/caseload/?q={CANARY}":
                # The page echoes what was typed (search box, language switch's return
                # address); no result may match it.
                html = html.replace(f'value="{CANARY}"', "").replace(f"?q={CANARY}", "")
                if response.status_code == 200:
                    assert "No clients match." in html
            if url == f"/caseload/?q={record.given_name}" and response.status_code == 200:
                assert "Amara Example" in html
            if url in expected:
                assert response.status_code == 200, (person, url)
            if person == world.alice and url == process_url(session):
                continue
            assert CANARY not in html, (person, url)
        if person in (world.alice, world.bob, world.sue):
            feed = client.get(feed_path(client))
            assert feed.status_code == 200
            assert "BEGIN:VCALENDAR" in feed.content.decode()
            assert CANARY not in feed.content.decode(), person

    # The session page shows the progress note, never the process note.
    client.force_login(world.sue)
    assert (
        "The progress note, part of the record" in client.get(session_url(session)).content.decode()
    )

    lines = [JsonFormatter().format(r) for r in caplog.records]
    assert any(json.loads(line)["logger"] == "gentle.access" for line in lines)
    assert not [line for line in lines if CANARY in line]
    for row in AuditEvent.objects.values():
        for field, value in row.items():
            assert CANARY not in str(value), (field, row)


# Key rotation ----------------------------------------------------------------------------------


def write_process_notes(client, world, texts: dict) -> None:
    for person, text in texts.items():
        client.force_login(person)
        assert client.post(process_url(world.session), {"text": text}).status_code == 302


def test_rotate_keys_reencrypts_every_process_note_under_the_new_key(client, world, settings):
    old, new = new_key(), new_key()
    texts = {world.alice: "Alice under the old key", world.bob: "Bob under the old key"}
    settings.GENTLE_PROCESS_NOTE_KEYS = [old]
    write_process_notes(client, world, texts)
    before = dict(ProcessNote.objects.values_list("pk", "ciphertext"))

    settings.GENTLE_PROCESS_NOTE_KEYS = [new, old]
    out = StringIO()
    call_command("rotate_keys", stdout=out)
    assert "re-encrypted 2 process note(s)" in out.getvalue()

    for note in ProcessNote.objects.all():
        assert note.ciphertext != before[note.pk]
        assert KeyRing([new]).decrypt(note.ciphertext) == texts[note.author]
        with pytest.raises(KeyRingError):
            KeyRing([old]).decrypt(note.ciphertext)

    event = AuditEvent.objects.get(action="process_note.rotate_keys")
    assert event.detail == "count=2"
    assert event.actor_label == "gentle rotate-keys"

    settings.GENTLE_PROCESS_NOTE_KEYS = [new]  # the old key is gone
    for person, text in texts.items():
        client.force_login(person)
        page = client.get(process_url(world.session))
        assert page.status_code == 200
        assert text in page.content.decode()


def test_rotate_keys_with_only_a_wrong_key_fails_clearly_and_changes_nothing(
    client, world, settings
):
    old = new_key()
    settings.GENTLE_PROCESS_NOTE_KEYS = [old]
    write_process_notes(client, world, {world.alice: "Written under the right key"})
    before = list(ProcessNote.objects.values_list("pk", "ciphertext"))

    settings.GENTLE_PROCESS_NOTE_KEYS = [new_key()]
    with pytest.raises(CommandError) as failure:
        call_command("rotate_keys", stdout=StringIO())
    assert str(failure.value) == (
        "rotate-keys stopped, nothing changed: the text does not open with any configured key"
    )
    assert list(ProcessNote.objects.values_list("pk", "ciphertext")) == before
    assert not AuditEvent.objects.filter(action="process_note.rotate_keys").exists()

    settings.GENTLE_PROCESS_NOTE_KEYS = [old]
    client.force_login(world.alice)
    assert "Written under the right key" in client.get(process_url(world.session)).content.decode()


def test_rotate_keys_changes_no_note_when_any_one_does_not_open(client, world, settings):
    old, stray, new = new_key(), new_key(), new_key()
    settings.GENTLE_PROCESS_NOTE_KEYS = [old]
    write_process_notes(client, world, {world.alice: "Opens with the old key"})
    settings.GENTLE_PROCESS_NOTE_KEYS = [stray]
    write_process_notes(client, world, {world.bob: "Opens with no configured key"})
    before = list(ProcessNote.objects.order_by("pk").values_list("pk", "ciphertext"))

    settings.GENTLE_PROCESS_NOTE_KEYS = [new, old]
    with pytest.raises(CommandError, match="nothing changed"):
        call_command("rotate_keys", stdout=StringIO())
    assert list(ProcessNote.objects.order_by("pk").values_list("pk", "ciphertext")) == before
    assert not AuditEvent.objects.filter(action="process_note.rotate_keys").exists()
