"""The interpersonal inventory through HTTP: the people in a client's life and their place on
the closeness circle, moves, edits and removals, snapshots and what changed between them,
attachment patterns (ECR-RS per relationship), who may do what, and that people's own words
never become markup."""

import html
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings

from gentle.accounts.models import User
from gentle.audit.models import AuditEvent
from gentle.clients.models import Client
from gentle.inventory import selectors
from gentle.inventory.actions import name_key
from gentle.inventory.models import Person, Snapshot
from gentle.lib import svg
from gentle.measures.models import Administration, Status
from tests.factories import count_queries
from tests.world import World as SharedWorld
from tests.world import another_client

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><svg onload=x>'
NAME_TOO_LONG = "Ensure this value has at most 100 characters (it has 101)."
NOTE_TOO_LONG = "Ensure this value has at most 2000 characters (it has 2001)."
DUPLICATE = "Someone of this name is already in the inventory."
NOT_A_RING = "Choose one of the rings."
NOT_A_TARGET = "Choose a person from the inventory or one of the listed relationships."


@dataclass
class World(SharedWorld):
    bea: Client  # another client of alice


@pytest.fixture
def world(world) -> World:
    return World(**vars(world), bea=another_client(world, "Bea"))


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


# Helpers ---------------------------------------------------------------------------------------


def inventory_url(record: Client) -> str:
    return f"/clients/{record.pk}/inventory/"


def new_url(record: Client) -> str:
    return f"/clients/{record.pk}/inventory/new/"


def person_url(person: Person) -> str:
    return f"/inventory/people/{person.pk}/"


def move_url(person: Person) -> str:
    return f"/inventory/people/{person.pk}/move/"


def remove_url(person: Person) -> str:
    return f"/inventory/people/{person.pk}/remove/"


def snapshots_url(record: Client) -> str:
    return f"/clients/{record.pk}/inventory/snapshots/"


def compare_url(record: Client, a: Snapshot, b: Snapshot) -> str:
    return f"/clients/{record.pk}/inventory/compare/?a={a.pk}&b={b.pk}"


def attachment_url(record: Client) -> str:
    return f"/clients/{record.pk}/attachment/"


def attachment_new_url(record: Client) -> str:
    return f"/clients/{record.pk}/attachment/new/"


def form_data(name: str, **fields) -> dict:
    """What the 'Add a person' form posts when only the required fields are filled in."""
    return {
        "name": name,
        "relationship": "friend",
        "ring": "2",
        "knows_about_depression": "unknown",
        "expectations_met": "unknown",
        **fields,
    }


def person(record: Client, name: str, *, by: User, ring: int = 2, **fields) -> Person:
    fields.setdefault("relationship", "friend")
    return Person.objects.create(
        client=record, name=name, name_key=name_key(name), ring=ring, updated_by=by, **fields
    )


def edit_data(someone: Person, **changes) -> dict:
    """The edit form as posted back with the person's current values and ``changes``."""
    data = {}
    for field in (
        "name",
        "relationship",
        "ring",
        "contact",
        "knows_about_depression",
        "expectations_met",
        "activities",
        "satisfying",
        "unsatisfying",
        "expectations",
        "can_talk",
        "cannot_talk",
        "conflicts",
        "change_since_onset",
        "change_wanted",
        "notes",
    ):
        data[field] = str(getattr(someone, field))
    for flag in (
        "supportive",
        "confides",
        "in_conflict",
        "in_focus",
        "deceased",
        "lost_contact",
        "past",
    ):
        if getattr(someone, flag):
            data[flag] = "on"
    for key, value in changes.items():
        if value is False:
            data.pop(key, None)
        else:
            data[key] = "on" if value is True else str(value)
    return data


def page(http, url: str) -> str:
    response = http.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def shown_messages(text: str) -> list[str]:
    return [
        html.unescape(m) for m in re.findall(r'<li class="message message-\w+">(.*?)</li>', text)
    ]


def parse_xml(text: str) -> ET.Element:
    """Parse our own drawings strictly as XML: it fails unless they are well formed."""
    return ET.fromstring(text)  # noqa: S314 (the app's own output, in a test)


def svgs(text: str, css: str) -> list[ET.Element]:
    """The page's inline <svg class="css"> drawings, parsed as XML (fails if not well formed)."""
    return [
        parse_xml(chunk)
        for chunk in re.findall(rf'<svg class="{css}[" ].*?</svg>', text, flags=re.S)
    ]


def label_of(element: ET.Element) -> str:
    """The name shown beside a dot (a <text>, or the first in a group), its lines joined."""
    text = element if element.tag == f"{SVG}text" else element.find(f"{SVG}text")
    return " ".join(text.itertext())


def shows(label: str, name: str) -> bool:
    """Whether a chart label shows this name: whole, or cut short (then perhaps with "…"),
    on one line or more (where a word too long for a line is broken)."""
    shown, whole = label.removesuffix("…").replace(" ", ""), name.replace(" ", "")
    return shown == whole or (len(shown) >= 8 and whole.startswith(shown))


def rings_on_circle(drawing: ET.Element, *names: str) -> dict[str, int]:
    """Each of ``names``'s ring on a closeness circle, from how far their dot is from the
    centre; every person drawn must be one of ``names``."""
    centre, step = float(drawing.get("data-centre")), float(drawing.get("data-step"))
    placed = {}
    for group in drawing.findall(f"{SVG}g"):
        dot = group.find(f"{SVG}circle")
        distance = math.dist((float(dot.get("cx")), float(dot.get("cy"))), (centre, centre))
        label = label_of(group)
        [name] = [name for name in names if shows(label, name)] or [f"unexpected {label!r}"]
        placed[name] = round(distance / step)
    return placed


def rings_in_list(text: str) -> dict[str, int]:
    """Each person's ring in 'The circle as a list'."""
    section = text.split('id="rings-title"', 1)[1].split("</section>", 1)[0]
    placed = {}
    for chunk in section.split("<h3>")[1:]:
        ring = int(re.match(r"Ring (\d+)", chunk).group(1))
        for name in re.findall(r'<a href="/inventory/people/\d+/">(.*?)</a>', chunk):
            placed[html.unescape(name)] = ring
    return placed


def submit_ecr(http, administration_id: int, answers: dict[str, int]):
    data = {item: str(value) for item, value in answers.items()}
    return http.post(f"/administrations/{administration_id}/", {**data, "submit": "1"})


def ecr_scores(answers: dict[str, int]) -> tuple[float, float]:
    """ECR-RS scoring by hand: avoidance = mean of items 1-6 with 1-4 reversed (8 - value);
    anxiety = mean of items 7-9."""
    avoidance = [8 - answers[f"e{i}"] for i in range(1, 5)] + [answers["e5"], answers["e6"]]
    anxiety = [answers[f"e{i}"] for i in range(7, 10)]
    return sum(avoidance) / 6, sum(anxiety) / 3


def assert_escaped(text: str) -> None:
    assert SCRIPT not in text
    assert "<script>alert" not in text
    assert "<svg onload" not in text
    assert "&lt;script&gt;" in text


# Adding people ---------------------------------------------------------------------------------


EVERY_FIELD = {
    "name": "Rosa",
    "relationship": "partner",
    "ring": "1",
    "contact": "daily",
    "activities": "Cooking on Sundays",
    "satisfying": "She listens",
    "unsatisfying": "Little time together",
    "expectations": "To share the chores",
    "expectations_met": "partly",
    "can_talk": "Work and the children",
    "cannot_talk": "Money",
    "conflicts": "Weekly, about money; not resolved",
    "in_conflict": "on",
    "knows_about_depression": "yes",
    "supportive": "on",
    "confides": "on",
    "change_since_onset": "We talk less",
    "change_wanted": "To talk about money calmly",
    "in_focus": "on",
    "notes": "Met at university",
}


def test_a_person_is_saved_with_every_inventory_field_and_shown_on_the_circle_and_list(
    alice, world
):
    response = alice.post(new_url(world.amara), EVERY_FIELD)

    assert response.status_code == 302
    assert response.url == inventory_url(world.amara)
    rosa = Person.objects.get(client=world.amara)
    for field, value in EVERY_FIELD.items():
        expected = {"on": True, "1": 1}.get(value, value)
        assert getattr(rosa, field) == expected, field
    assert (rosa.deceased, rosa.lost_contact, rosa.past) == (False, False, False)
    assert rosa.updated_by == world.alice
    text = page(alice, inventory_url(world.amara))
    assert "Added to the inventory." in shown_messages(text)
    [circle] = svgs(text, "circle")
    assert circle.get("role") == "group"  # its people can be reached and moved by keyboard
    assert circle.get("aria-label") == "Closeness circle of Amara"
    assert rings_on_circle(circle, "Rosa") == {"Rosa": 1}
    assert circle.find(f"{SVG}g").get("class") == "person support conflict focus"
    assert rings_in_list(text) == {"Rosa": 1}
    assert "Partner or spouse · support · conflict · focus" in text
    added = AuditEvent.objects.get(action="inventory.add")
    assert (added.client_id, added.object_id, added.detail) == (world.amara.pk, str(rosa.pk), "")


def test_optional_fields_can_be_left_empty(alice, world):
    response = alice.post(new_url(world.amara), form_data("Tomás", ring="3"))

    assert response.status_code == 302
    tomas = Person.objects.get(client=world.amara)
    assert (tomas.name, tomas.relationship, tomas.ring, tomas.contact) == ("Tomás", "friend", 3, "")
    assert (tomas.notes, tomas.conflicts, tomas.supportive, tomas.in_conflict) == ("", "", 0, 0)
    assert rings_in_list(page(alice, inventory_url(world.amara))) == {"Tomás": 3}


def test_a_person_without_a_name_or_relationship_is_refused(alice, world):
    response = alice.post(new_url(world.amara), form_data("", relationship=""))

    assert response.status_code == 400
    assert response.content.decode().count("This field is required.") == 2
    assert not Person.objects.exists()


@pytest.mark.parametrize("again", ["Rosa", "rosa", "ROSA", "  Rosa  "])
def test_a_duplicate_name_is_refused_and_the_typed_text_stays(alice, world, again):
    person(world.amara, "Rosa", by=world.alice)

    response = alice.post(
        new_url(world.amara), form_data(again, notes="My sister, not my partner", ring="3")
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert DUPLICATE in text
    assert f'value="{again}"' in text  # as typed
    assert "My sister, not my partner</textarea>" in text
    assert list(Person.objects.values_list("name", flat=True)) == ["Rosa"]
    assert not AuditEvent.objects.filter(action="inventory.add").exists()


def test_a_duplicate_name_differing_only_in_the_case_of_an_accented_letter_is_refused(alice, world):
    person(world.amara, "Ángela", by=world.alice)

    response = alice.post(new_url(world.amara), form_data("ángela"))

    assert response.status_code == 400
    assert DUPLICATE in response.content.decode()
    assert Person.objects.count() == 1


def test_the_same_name_may_be_in_two_clients_inventories(alice, world):
    person(world.bea, "Rosa", by=world.alice)

    assert alice.post(new_url(world.amara), form_data("Rosa")).status_code == 302
    assert Person.objects.filter(name="Rosa").count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "x" * 101}, NAME_TOO_LONG),
        ({"notes": "x" * 2001}, NOTE_TOO_LONG),
        ({"conflicts": "x" * 2001}, NOTE_TOO_LONG),
    ],
)
def test_over_long_text_is_refused_with_a_message(alice, world, fields, message):
    response = alice.post(new_url(world.amara), {**form_data("Rosa"), **fields})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Person.objects.exists()


def test_text_at_the_limits_is_accepted(alice, world):
    response = alice.post(new_url(world.amara), form_data("x" * 100, notes="y" * 2000))

    assert response.status_code == 302
    saved = Person.objects.get()
    assert (len(saved.name), len(saved.notes)) == (100, 2000)


def test_markup_in_a_name_or_note_is_stored_as_typed_and_shown_escaped_everywhere(alice, world):
    first = alice.post(snapshots_url(world.amara), {"label": "Before"})
    assert first.status_code == 302
    for name in (SCRIPT, BREAKOUT):
        response = alice.post(new_url(world.amara), form_data(name, notes=SCRIPT, ring="1"))
        assert response.status_code == 302
    hostile = Person.objects.get(name=SCRIPT)
    assert hostile.notes == SCRIPT
    assert Person.objects.filter(name=BREAKOUT).exists()
    alice.post(snapshots_url(world.amara), {"label": SCRIPT})  # a label is typed text too
    before, after = Snapshot.objects.order_by("pk")

    inventory = page(alice, inventory_url(world.amara))
    assert_escaped(inventory)
    assert "&quot;&gt;&lt;svg onload=x&gt;" in inventory
    [circle] = svgs(inventory, "circle")
    assert rings_on_circle(circle, SCRIPT, BREAKOUT) == {SCRIPT: 1, BREAKOUT: 1}
    assert rings_in_list(inventory) == {SCRIPT: 1, BREAKOUT: 1}

    moved = alice.post(move_url(hostile), {f"p{hostile.pk}-ring": "2"}, follow=True)
    assert_escaped(moved.content.decode())
    assert f"{SCRIPT} is now on ring 2." in shown_messages(moved.content.decode())

    person_page = page(alice, person_url(hostile))
    assert_escaped(person_page)
    assert "&lt;/script&gt;</textarea>" in person_page  # the note, as typed

    compare = page(alice, compare_url(world.amara, before, after))
    assert_escaped(compare)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; is new in the circle" in compare
    after_circle = svgs(compare, "circle")[1]
    assert rings_on_circle(after_circle, SCRIPT, BREAKOUT) == {SCRIPT: 1, BREAKOUT: 1}

    started = alice.post(attachment_new_url(world.amara), {"about": f"person:{hostile.pk}"})
    administration_id = int(started.url.rstrip("/").rsplit("/", 1)[1])
    submit_ecr(alice, administration_id, {f"e{i}": 4 for i in range(1, 10)})
    attachment = page(alice, attachment_url(world.amara))
    assert_escaped(attachment)
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in attachment
    assert f'<option value="person:{hostile.pk}">&lt;script&gt;' in attachment
    [plane] = svgs(attachment, "plane")
    assert any(shows(label_of(t), SCRIPT) for t in plane.iter(f"{SVG}text"))


HOSTILE_NAMES = [
    SCRIPT,
    BREAKOUT,
    "</text></g></svg><p>",
    "Tom & Jerry",
    'O\'Brien "the boss"',
    "<![CDATA[x]]> <!-- y -->",
    "&amp; &#x3c; &lt;",
]


def test_the_closeness_circle_drawing_is_well_formed_xml_with_hostile_names_as_text():
    people = [
        {"name": name, "ring": ring % 3 + 1, "support": True, "conflict": False, "focus": True}
        for ring, name in enumerate(HOSTILE_NAMES)
    ]

    drawn = svg.closeness_circle(people, rings=3, label=SCRIPT, centre=BREAKOUT)
    [drawing] = svgs(drawn, "circle")

    assert drawing.get("aria-label") == SCRIPT
    assert drawing.find(f"{SVG}title").text == SCRIPT
    assert drawing.find(f"{SVG}text").text == BREAKOUT
    names = [label_of(group) for group in drawing.findall(f"{SVG}g")]
    assert len(names) == len(HOSTILE_NAMES)
    assert not drawing.findall(f".//{SVG}script") and not drawing.findall(f".//{SVG}svg")
    assert rings_on_circle(drawing, *HOSTILE_NAMES) == {p["name"]: p["ring"] for p in people}


def test_the_attachment_plane_drawing_is_well_formed_xml_with_hostile_names_as_text():
    points = [(1 + i % 7, 7 - i % 7, name) for i, name in enumerate(HOSTILE_NAMES)]

    [drawing] = svgs(svg.scatter(points, x_label=SCRIPT, y_label=BREAKOUT, label=SCRIPT), "plane")

    assert drawing.find(f"{SVG}title").text == SCRIPT
    titles = [t.text for t in drawing.findall(f"{SVG}text[@class='axis-title']")]
    assert titles == [SCRIPT, BREAKOUT]
    names = [label_of(t) for t in drawing.findall(f"{SVG}text") if not t.get("class")]
    assert all(shows(label, name) for label, name in zip(names, HOSTILE_NAMES, strict=True))
    assert len(drawing.findall(f"{SVG}circle[@class='dot']")) == len(HOSTILE_NAMES)
    assert not drawing.findall(f".//{SVG}script") and not drawing.findall(f".//{SVG}svg")


# Moving between rings --------------------------------------------------------------------------


def test_moving_a_person_changes_their_ring_on_the_circle_and_in_the_list_and_is_audited(
    alice, world
):
    rosa = person(world.amara, "Rosa", by=world.alice, ring=3)
    person(world.amara, "Tomás", by=world.alice, ring=2)

    response = alice.post(move_url(rosa), {f"p{rosa.pk}-ring": "1"})

    assert response.status_code == 302
    assert response.url == f"{inventory_url(world.amara)}#person-{rosa.pk}"
    rosa.refresh_from_db()
    assert rosa.ring == 1
    text = page(alice, inventory_url(world.amara))
    assert "Rosa is now on ring 1." in shown_messages(text)
    assert rings_on_circle(svgs(text, "circle")[0], "Rosa", "Tomás") == {"Rosa": 1, "Tomás": 2}
    assert rings_in_list(text) == {"Rosa": 1, "Tomás": 2}
    moved = AuditEvent.objects.get(action="inventory.move")
    assert (moved.object_id, moved.detail, moved.actor_id) == (
        str(rosa.pk),
        "ring=1",
        world.alice.pk,
    )


def test_a_message_naming_a_person_stays_on_the_server_not_in_a_cookie(alice, world):
    """Pen-test finding: "Rosa is now on ring 1." travelled in the (signed, readable) messages
    cookie. Messages are kept in the session; the browser only holds the session id."""
    rosa = person(world.amara, "Rosa", by=world.alice, ring=3)

    responses = [
        alice.post(new_url(world.amara), form_data("Tomás")),
        alice.post(move_url(rosa), {f"p{rosa.pk}-ring": "1"}),
    ]

    for response in responses:
        assert response.status_code == 302
        assert "messages" not in response.cookies
        set_cookies = response.cookies.output()
        assert "Rosa" not in set_cookies and "Tom" not in set_cookies
    shown = shown_messages(page(alice, inventory_url(world.amara)))
    assert "Added to the inventory." in shown and "Rosa is now on ring 1." in shown


@pytest.mark.parametrize("ring", ["0", "-1", "OUTSIDE", "", "one", "1.5"])
def test_a_ring_outside_the_circle_is_refused_and_nothing_changes(alice, world, ring):
    rosa = person(world.amara, "Rosa", by=world.alice, ring=2)
    ring = str(django_settings.GENTLE_CIRCLE_RINGS + 1) if ring == "OUTSIDE" else ring

    response = alice.post(move_url(rosa), {f"p{rosa.pk}-ring": ring}, follow=True)

    assert NOT_A_RING in shown_messages(response.content.decode())
    rosa.refresh_from_db()
    assert rosa.ring == 2
    assert rings_in_list(response.content.decode()) == {"Rosa": 2}
    assert not AuditEvent.objects.filter(action="inventory.move").exists()


def test_a_move_without_the_persons_field_prefix_is_refused(alice, world):
    rosa = person(world.amara, "Rosa", by=world.alice, ring=2)

    response = alice.post(move_url(rosa), {"ring": "1"}, follow=True)

    assert NOT_A_RING in shown_messages(response.content.decode())
    rosa.refresh_from_db()
    assert rosa.ring == 2


def test_the_number_of_rings_follows_the_setting(alice, world, settings):
    settings.GENTLE_CIRCLE_RINGS = 5
    rosa = person(world.amara, "Rosa", by=world.alice, ring=2)

    alice.post(move_url(rosa), {f"p{rosa.pk}-ring": "5"})
    refused = alice.post(move_url(rosa), {f"p{rosa.pk}-ring": "6"}, follow=True)

    assert NOT_A_RING in shown_messages(refused.content.decode())
    rosa.refresh_from_db()
    assert rosa.ring == 5
    text = page(alice, inventory_url(world.amara))
    assert "<h3>Ring 5</h3>" in text
    [circle] = svgs(text, "circle")
    assert len(circle.findall(f"{SVG}circle[@class]")) == 6  # five rings and "me"
    assert rings_on_circle(circle, "Rosa") == {"Rosa": 5}


def test_no_one_drops_out_of_the_list_when_the_circle_gets_fewer_rings(alice, world, settings):
    person(world.amara, "Rosa", by=world.alice, ring=3)
    person(world.amara, "Tomás", by=world.alice, ring=1)
    settings.GENTLE_CIRCLE_RINGS = 2

    text = page(alice, inventory_url(world.amara))

    assert rings_on_circle(svgs(text, "circle")[0], "Rosa", "Tomás") == {"Rosa": 2, "Tomás": 1}
    assert set(rings_in_list(text)) == {"Rosa", "Tomás"}


# Editing and removing --------------------------------------------------------------------------


def test_supervisor_sees_the_person_read_only_without_a_save_button(client, world):
    rosa = person(world.amara, "Rosa", by=world.alice, notes="Met at university")
    client.force_login(world.sue)

    text = page(client, person_url(rosa))

    assert "<h1>Rosa</h1>" in text
    assert 'value="Rosa"' in text and "Met at university</textarea>" in text
    assert ">Save</button>" not in text
    assert "Remove from the inventory" not in text


def test_care_team_clinician_sees_save_and_remove_on_the_person_page(alice, world):
    rosa = person(world.amara, "Rosa", by=world.alice)

    text = page(alice, person_url(rosa))

    assert ">Save</button>" in text
    assert "Remove from the inventory" in text


def test_care_team_clinician_edits_a_person(alice, world):
    rosa = person(world.amara, "Rosa", by=world.sue, ring=3, in_conflict=True, notes="Old note")

    response = alice.post(
        person_url(rosa),
        edit_data(
            rosa,
            name="Rosa (sister)",
            relationship="sibling",
            in_conflict=False,
            supportive=True,
            notes="We made up",
            knows_about_depression="yes",
        ),
    )

    assert response.status_code == 302
    assert response.url == inventory_url(world.amara)
    rosa.refresh_from_db()
    assert (rosa.name, rosa.relationship, rosa.ring) == ("Rosa (sister)", "sibling", 3)
    assert (rosa.in_conflict, rosa.supportive, rosa.notes) == (False, True, "We made up")
    assert (rosa.knows_about_depression, rosa.updated_by) == ("yes", world.alice)
    text = page(alice, inventory_url(world.amara))
    assert "Saved." in shown_messages(text)
    assert rings_in_list(text) == {"Rosa (sister)": 3}
    assert AuditEvent.objects.filter(action="inventory.update", object_id=str(rosa.pk)).exists()


def test_renaming_to_a_name_already_in_the_inventory_is_refused(alice, world):
    person(world.amara, "Tomás", by=world.alice)
    rosa = person(world.amara, "Rosa", by=world.alice)

    response = alice.post(person_url(rosa), edit_data(rosa, name="tomás"))

    assert response.status_code == 400
    assert DUPLICATE in response.content.decode()
    rosa.refresh_from_db()
    assert rosa.name == "Rosa"


def test_removing_a_person_takes_them_off_the_circle_and_the_list(alice, world):
    rosa = person(world.amara, "Rosa", by=world.alice, ring=1)
    person(world.amara, "Tomás", by=world.alice, ring=2)

    response = alice.post(remove_url(rosa))

    assert response.status_code == 302
    assert not Person.objects.filter(pk=rosa.pk).exists()
    text = page(alice, inventory_url(world.amara))
    assert "Removed from the inventory." in shown_messages(text)
    assert rings_on_circle(svgs(text, "circle")[0], "Tomás") == {"Tomás": 2}
    assert rings_in_list(text) == {"Tomás": 2}
    assert AuditEvent.objects.filter(action="inventory.remove", object_id=str(rosa.pk)).exists()
    assert alice.get(person_url(rosa)).status_code == 404


def test_removing_by_get_is_not_allowed(alice, world):
    rosa = person(world.amara, "Rosa", by=world.alice)

    assert alice.get(remove_url(rosa)).status_code in (404, 405)
    assert Person.objects.filter(pk=rosa.pk).exists()


def test_a_clients_draft_waits_for_review_and_joins_the_circle_when_accepted(alice, world):
    draft = person(world.amara, "Nico", by=world.portal, ring=1, accepted=False)
    person(world.amara, "Rosa", by=world.alice, ring=2)

    waiting = page(alice, inventory_url(world.amara))
    response = alice.post(f"/inventory/people/{draft.pk}/accept/")

    assert "Drafted by the client, waiting for your review" in waiting
    assert rings_on_circle(svgs(waiting, "circle")[0], "Nico", "Rosa") == {"Rosa": 2}
    assert rings_in_list(waiting) == {"Rosa": 2}
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.accepted
    text = page(alice, inventory_url(world.amara))
    assert "Nico is now in the inventory." in shown_messages(text)
    assert "waiting for your review" not in text
    assert rings_in_list(text) == {"Nico": 1, "Rosa": 2}
    assert AuditEvent.objects.filter(action="inventory.accept", object_id=str(draft.pk)).exists()


# Snapshots -------------------------------------------------------------------------------------


def test_a_snapshot_saves_the_people_as_they_are(alice, world):
    rosa = person(world.amara, "Rosa", by=world.alice, ring=1, supportive=True)
    person(world.amara, "Tomás", by=world.alice, ring=3, in_conflict=True)
    person(world.amara, "Draft", by=world.alice, accepted=False)

    response = alice.post(snapshots_url(world.amara), {"label": "Session 2"})
    alice.post(move_url(rosa), {f"p{rosa.pk}-ring": "3"})

    assert response.status_code == 302
    snapshot = Snapshot.objects.get(client=world.amara)
    assert (snapshot.label, snapshot.taken_by) == ("Session 2", world.alice)
    saved = {p["name"]: p for p in snapshot.people}
    assert set(saved) == {"Rosa", "Tomás"}
    assert (saved["Rosa"]["ring"], saved["Rosa"]["supportive"]) == (1, True)
    assert (saved["Tomás"]["ring"], saved["Tomás"]["in_conflict"]) == (3, True)
    text = page(alice, inventory_url(world.amara))
    assert "Snapshot saved." in shown_messages(text)
    assert "Session 2 · " in text
    assert AuditEvent.objects.get(action="inventory.snapshot").detail == "people=2"


@pytest.mark.parametrize("label", ["", "x" * 101])
def test_a_snapshot_without_a_proper_label_is_refused(alice, world, label):
    response = alice.post(snapshots_url(world.amara), {"label": label}, follow=True)

    assert "Give the snapshot a label of up to 100 characters." in shown_messages(
        response.content.decode()
    )
    assert not Snapshot.objects.exists()


def test_comparing_snapshots_spells_out_what_changed(alice, world):
    ana = person(world.amara, "Ana", by=world.alice, ring=3, in_conflict=True)
    ben = person(world.amara, "Ben", by=world.alice, ring=2)
    person(world.amara, "Cal", by=world.alice, ring=2, supportive=True)
    alice.post(snapshots_url(world.amara), {"label": "Session 2"})

    alice.post(move_url(ana), {f"p{ana.pk}-ring": "1"})
    ana.refresh_from_db()
    alice.post(person_url(ana), edit_data(ana, in_conflict=False))
    alice.post(new_url(world.amara), form_data("Dee", ring="2"))
    alice.post(remove_url(ben))
    alice.post(snapshots_url(world.amara), {"label": "Session 12"})
    first, second = Snapshot.objects.filter(client=world.amara).order_by("pk")

    text = page(alice, compare_url(world.amara, first, second))

    changes = [
        html.unescape(c)
        for c in re.findall(
            r"<li>(.*?)</li>", text.split('class="changes"')[1].split("</ul>", 1)[0]
        )
    ]
    assert sorted(changes) == sorted(
        [
            "Ana came closer (ring 3 → 1)",
            "The conflict with Ana has eased",
            "Dee is new in the circle",
            "Ben is no longer in the circle",
        ]
    )
    assert "From Session 2 to Session 12" in text
    before, after = svgs(text, "circle")
    names = ("Ana", "Ben", "Cal", "Dee")
    assert rings_on_circle(before, *names) == {"Ana": 3, "Ben": 2, "Cal": 2}
    assert rings_on_circle(after, *names) == {"Ana": 1, "Cal": 2, "Dee": 2}


def test_comparing_a_snapshot_with_itself_says_nothing_changed(alice, world):
    person(world.amara, "Ana", by=world.alice)
    alice.post(snapshots_url(world.amara), {"label": "Session 2"})
    snapshot = Snapshot.objects.get()

    text = page(alice, compare_url(world.amara, snapshot, snapshot))

    assert "Nothing changed." in text


def test_comparing_with_a_snapshot_of_another_client_answers_404(alice, world):
    person(world.amara, "Ana", by=world.alice)
    person(world.bea, "Bo", by=world.alice)
    alice.post(snapshots_url(world.amara), {"label": "Amara 1"})
    alice.post(snapshots_url(world.bea), {"label": "Bea 1"})
    mine = Snapshot.objects.get(client=world.amara)
    theirs = Snapshot.objects.get(client=world.bea)

    assert alice.get(compare_url(world.amara, mine, theirs)).status_code == 404
    assert alice.get(compare_url(world.amara, theirs, mine)).status_code == 404
    assert alice.get(compare_url(world.amara, theirs, theirs)).status_code == 404
    assert alice.get(compare_url(world.bea, theirs, theirs)).status_code == 200


@pytest.mark.parametrize("query", ["?a=1", "?b=1", ""])
def test_comparing_without_two_snapshots_asks_for_them(alice, world, query):
    response = alice.get(f"/clients/{world.amara.pk}/inventory/compare/{query}", follow=True)

    assert "Choose two snapshots to compare." in shown_messages(response.content.decode())


def test_comparing_with_a_malformed_snapshot_id_answers_404(alice, world):
    url = f"/clients/{world.amara.pk}/inventory/compare/?a=one&b=2"

    assert alice.get(url).status_code == 404


def snap(pid, name, ring, *, conflict=False, support=False):
    return {"id": pid, "name": name, "ring": ring, "in_conflict": conflict, "supportive": support}


def test_compare_names_each_kind_of_change_person_by_person():
    before = [
        snap(1, "Ana", 3, conflict=True),
        snap(2, "Ben", 1, support=True),
        snap(3, "Cal", 2),
        snap(4, "Dora", 2),
        snap(5, "Eli", 2),
    ]
    after = [
        snap(1, "Ana", 1),
        snap(2, "Ben", 3),
        snap(3, "Cal", 2, conflict=True, support=True),
        snap(5, "Eli", 2),
        snap(6, "Fay", 1),
    ]

    changes = selectors.compare(before, after)

    assert set(changes) == {
        selectors.Change("closer", "Ana", 3, 1),
        selectors.Change("conflict_eased", "Ana"),
        selectors.Change("further", "Ben", 1, 3),
        selectors.Change("support_lost", "Ben"),
        selectors.Change("conflict_new", "Cal"),
        selectors.Change("support_new", "Cal"),
        selectors.Change("gone", "Dora", 2, None),
        selectors.Change("new", "Fay", None, 1),
    }
    assert len(changes) == 8


def test_compare_matches_people_by_id_not_by_name():
    assert selectors.compare([snap(1, "Ana", 2)], [snap(1, "Ana (sister)", 2)]) == []
    assert selectors.compare([snap(1, "Ana", 2)], [snap(2, "Ana", 2)]) == [
        selectors.Change("new", "Ana", None, 2),
        selectors.Change("gone", "Ana", 2, None),
    ]
    assert selectors.compare([], []) == []


# Attachment patterns ---------------------------------------------------------------------------


def test_attachment_page_says_it_is_a_reflective_aid_not_a_diagnosis(alice, world):
    text = page(alice, attachment_url(world.amara))

    assert "A reflective aid for the session, not a diagnosis" in text
    assert "No relationship questionnaires yet." in text
    assert not svgs(text, "plane")


@pytest.mark.parametrize("about", ["mother", "father", "partner", "best_friend", "PERSON"])
def test_starting_an_ecr_rs_stores_whom_it_is_about(alice, world, about):
    rosa = person(world.amara, "Rosa", by=world.alice)
    about = f"person:{rosa.pk}" if about == "PERSON" else about

    response = alice.post(attachment_new_url(world.amara), {"about": about})

    administration = Administration.objects.get(client=world.amara)
    assert response.status_code == 302
    assert response.url == f"/administrations/{administration.pk}/"
    assert (administration.instrument_id, administration.about) == ("ecr_rs", about)
    assert administration.status == Status.IN_PROGRESS
    assert alice.get(response.url).status_code == 200


def test_submitted_ecr_rs_answers_are_plotted_with_avoidance_and_anxiety(alice, world):
    rosa = person(world.amara, "Rosa", by=world.alice)
    answers = {
        "mother": {"e1": 2, "e2": 3, "e3": 1, "e4": 4, "e5": 6, "e6": 5, "e7": 3, "e8": 4, "e9": 6},
        f"person:{rosa.pk}": {f"e{i}": v for i, v in enumerate([7, 6, 7, 5, 1, 2, 1, 2, 1], 1)},
    }
    for about, given in answers.items():
        started = alice.post(attachment_new_url(world.amara), {"about": about})
        submitted = submit_ecr(alice, Administration.objects.get(about=about).pk, given)
        assert started.status_code == submitted.status_code == 302

    text = page(alice, attachment_url(world.amara))

    assert Administration.objects.filter(status=Status.SUBMITTED).count() == 2
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", text)
    expected = {label: ecr_scores(answers[about]) for label, about in [("Mother", "mother")]}
    expected["Rosa"] = ecr_scores(answers[f"person:{rosa.pk}"])
    assert expected == {"Mother": (33 / 6, 13 / 3), "Rosa": (10 / 6, 4 / 3)}
    assert {name: (x, y) for name, x, y in rows} == {
        name: (f"{x:.2f}", f"{y:.2f}") for name, (x, y) in expected.items()
    }
    [plane] = svgs(text, "plane")
    dots = plane.findall(f"{SVG}circle[@class='dot']")
    labels = [label_of(t) for t in plane.findall(f"{SVG}text") if not t.get("class")]
    assert sorted(labels) == ["Mother", "Rosa"]
    frame = plane.find(f"{SVG}rect[@class='frame']")
    left, across = (float(frame.get(a).removesuffix("%")) for a in ("x", "width"))
    top, down = float(frame.get("y")), float(frame.get("height"))
    for dot, name in zip(dots, labels, strict=True):
        x, y = expected[name]
        # Across in percent of the width, down in pixels; scores are stored to two decimals.
        assert float(dot.get("cx").removesuffix("%")) == pytest.approx(
            left + (x - 1) / 6 * across, abs=0.05
        )
        assert float(dot.get("cy")) == pytest.approx(top + down - (y - 1) / 6 * down, abs=0.3)


def test_the_latest_ecr_rs_per_relationship_is_the_one_plotted(alice, world):
    for value in (1, 7):
        alice.post(attachment_new_url(world.amara), {"about": "father"})
        latest = Administration.objects.filter(about="father").latest("pk")
        submit_ecr(alice, latest.pk, {f"e{i}": value for i in range(1, 10)})

    text = page(alice, attachment_url(world.amara))

    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", text)
    assert rows == [("Father", f"{(4 + 7 * 2) / 6:.2f}", "7.00")]


def test_a_relationship_with_someone_since_removed_stays_on_the_plane(alice, world):
    rosa = person(world.amara, "Rosa", by=world.alice)
    alice.post(attachment_new_url(world.amara), {"about": f"person:{rosa.pk}"})
    submit_ecr(alice, Administration.objects.get().pk, {f"e{i}": 4 for i in range(1, 10)})
    alice.post(remove_url(rosa))

    text = page(alice, attachment_url(world.amara))

    assert "<tr><td>(removed from the inventory)</td><td>4.00</td><td>4.00</td></tr>" in text


@pytest.mark.parametrize(
    "about", ["stranger", "", "Mother", "person:", "person:abc", "OTHER", "DRAFT", "MISSING"]
)
def test_an_about_that_is_neither_listed_nor_this_clients_person_is_refused(alice, world, about):
    bos = person(world.bea, "Bo", by=world.alice)
    draft = person(world.amara, "Draft", by=world.alice, accepted=False)
    about = {
        "OTHER": f"person:{bos.pk}",
        "DRAFT": f"person:{draft.pk}",
        "MISSING": "person:999999",
    }.get(about, about)

    response = alice.post(attachment_new_url(world.amara), {"about": about}, follow=True)

    assert response.redirect_chain == [(attachment_url(world.amara), 302)]
    assert NOT_A_TARGET in shown_messages(response.content.decode())
    assert not Administration.objects.exists()


# Access ----------------------------------------------------------------------------------------


def every_page(world: World, rosa: Person, snapshot: Snapshot) -> list[str]:
    return [
        inventory_url(world.amara),
        new_url(world.amara),
        person_url(rosa),
        compare_url(world.amara, snapshot, snapshot),
        attachment_url(world.amara),
    ]


def every_write(world: World, rosa: Person) -> list[tuple[str, dict]]:
    draft = Person.objects.get(client=world.amara, accepted=False)
    return [
        (new_url(world.amara), form_data("Intruder")),
        (person_url(rosa), edit_data(rosa, name="Intruder")),
        (move_url(rosa), {f"p{rosa.pk}-ring": "3"}),
        (remove_url(rosa), {}),
        (f"/inventory/people/{draft.pk}/accept/", {}),
        (snapshots_url(world.amara), {"label": "Intruder"}),
        (attachment_new_url(world.amara), {"about": "mother"}),
    ]


def state(world: World):
    return (
        list(Person.objects.values_list("pk", "name", "ring", "accepted", "updated_at")),
        list(Snapshot.objects.values_list("pk", "label")),
        Administration.objects.count(),
    )


@pytest.fixture
def rosa(world) -> Person:
    person(world.amara, "Nico", by=world.portal, accepted=False)  # a draft from the client
    return person(world.amara, "Rosa", by=world.alice, ring=1)


@pytest.fixture
def snapshot(world, rosa) -> Snapshot:
    return Snapshot.objects.create(
        client=world.amara, label="Session 2", taken_by=world.alice, people=[]
    )


def test_supervisor_reads_every_page_but_cannot_change_anything(client, world, rosa, snapshot):
    client.force_login(world.sue)
    before = state(world)

    for url in every_page(world, rosa, snapshot):
        if url == new_url(world.amara):
            assert client.get(url).status_code == 404
        else:
            assert client.get(url).status_code == 200, url
    for url, data in every_write(world, rosa):
        assert client.post(url, data).status_code == 404, url

    assert state(world) == before
    inventory = page(client, inventory_url(world.amara))
    assert rings_in_list(inventory) == {"Rosa": 1}
    assert "Add a person" not in inventory
    assert 'class="inline-form move-form"' not in inventory
    assert "Save a snapshot" not in inventory
    assert "waiting for your review" in inventory and ">Accept<" not in inventory
    assert "Start the ECR-RS" not in page(client, attachment_url(world.amara))


@pytest.mark.parametrize("who", ["far_clinician", "bob", "portal"])
def test_outsiders_and_the_client_get_404_everywhere(client, world, rosa, snapshot, who):
    client.force_login(getattr(world, who))
    before = state(world)

    for url in every_page(world, rosa, snapshot):
        assert client.get(url).status_code == 404, url
    for url, data in every_write(world, rosa):
        assert client.post(url, data).status_code == 404, url

    assert state(world) == before


def test_inventory_page_query_count_does_not_grow_with_people(alice, world):
    url = inventory_url(world.amara)
    for n in range(2):
        person(world.amara, f"Person {n}", by=world.alice, ring=n % 3 + 1, supportive=True)
    alice.post(snapshots_url(world.amara), {"label": "Session 2"})
    with_two = count_queries(alice, url)
    for n in range(2, 12):
        person(world.amara, f"Person {n}", by=world.alice, ring=n % 3 + 1, in_conflict=True)
    alice.post(snapshots_url(world.amara), {"label": "Session 3"})

    with_twelve = count_queries(alice, url)

    assert with_twelve == with_two
    assert len(rings_in_list(page(alice, url))) == 12
