"""Focus, suggestions, the interpersonal formulation and contract, and goals with GAS."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from gentle.courses.models import Course
from gentle.formulation.models import Formulation, Goal, GoalRating
from gentle.formulation.rules import suggest
from gentle.inventory.actions import name_key
from gentle.inventory.models import Person
from gentle.timeline.models import Episode, LifeEvent
from gentle.timeline.selectors import rows
from tests.factories import make_course, make_session
from tests.world import World as SharedWorld

pytestmark = pytest.mark.django_db


@dataclass
class World(SharedWorld):
    course: Course  # Amara's, under way


@pytest.fixture
def world(world) -> World:
    return World(**vars(world), course=make_course(world.amara, status="active"))


def person(record, by, name, **fields):
    return Person.objects.create(
        client=record,
        name=name,
        name_key=name_key(name),
        relationship=fields.pop("relationship", "friend"),
        updated_by=by,
        **fields,
    )


def event(record, by, days_ago, category, description="x"):
    day = timezone.localdate() - timedelta(days=days_ago)
    return LifeEvent.objects.create(
        client=record,
        precision="day",
        year=day.year,
        month=day.month,
        day=day.day,
        category=category,
        description=description,
        created_by=by,
    )


def onset(record, by, days_ago):
    day = timezone.localdate() - timedelta(days=days_ago)
    Episode.objects.create(
        client=record, precision="month", year=day.year, month=day.month, created_by=by
    )


def areas(record):
    return {s.area for s in suggest(list(Person.objects.filter(client=record)), rows(record))}


def test_a_death_near_onset_suggests_grief(world):
    clinician, record = world.alice, world.amara
    for n in range(5):
        person(record, clinician, f"P{n}")
    event(record, clinician, 150, "death", "Father died")
    onset(record, clinician, 90)
    assert areas(record) == {"grief"}


def test_a_close_conflict_with_unmet_expectations_suggests_a_dispute(world):
    clinician, record = world.alice, world.amara
    person(
        record,
        clinician,
        "Sam",
        ring=1,
        in_conflict=True,
        expectations_met="no",
        relationship="partner",
    )
    for n in range(4):
        person(record, clinician, f"P{n}")
    assert areas(record) == {"dispute"}


def test_a_move_near_onset_suggests_a_transition(world):
    clinician, record = world.alice, world.amara
    for n in range(5):
        person(record, clinician, f"P{n}")
    event(record, clinician, 120, "migration")
    onset(record, clinician, 60)
    assert areas(record) == {"transition"}


def test_few_people_and_no_such_events_suggest_deficits(world):
    clinician, record = world.alice, world.amara
    person(record, clinician, "Only friend")
    assert areas(record) == {"deficits"}


def test_a_full_inventory_and_no_events_suggest_nothing(world, client):
    clinician, record, course = world.alice, world.amara, world.course
    for n in range(6):
        person(record, clinician, f"P{n}")
    event(record, clinician, 2000, "move")  # long before any episode
    assert areas(record) == set()
    client.force_login(clinician)
    html = client.get(f"/courses/{course.pk}/formulation/").content.decode()
    assert "No suggestion" in html


def test_suggestions_show_their_reason_and_link_their_evidence(world, client):
    clinician, record, course = world.alice, world.amara, world.course
    for n in range(5):
        person(record, clinician, f"P{n}")
    grief = event(record, clinician, 150, "death", "Father died")
    onset(record, clinician, 90)
    client.force_login(clinician)
    html = client.get(f"/courses/{course.pk}/formulation/").content.decode()
    assert "A death in the months before the symptoms began" in html
    assert "Father died" in html and f"/clients/{record.pk}/timeline/" in html
    assert not Formulation.objects.exists()  # never applied by itself
    assert grief.pk


def save(client, course, **data):
    data = {
        "primary_area": "dispute",
        "symptoms": "Low mood for 4 months",
        "connection": "The arguments began just before the low mood.",
        **data,
    }
    return client.post(f"/courses/{course.pk}/formulation/", data)


def test_the_formulation_makes_a_plain_language_text_and_records_agreement(world, client):
    clinician, course = world.alice, world.course
    client.force_login(clinician)
    assert save(client, course, dispute_stage="renegotiation").status_code == 302
    formulation = Formulation.objects.get()
    assert "For you, it is bound up with this: Disagreements with someone important" in (
        formulation.text
    )
    assert "We agreed to meet 12 times, for 50 minutes each time." in formulation.text
    assert not formulation.text_edited
    client.post(f"/courses/{course.pk}/formulation/agree/")
    formulation.refresh_from_db()
    assert formulation.agreed_on == timezone.localdate()
    course.refresh_from_db()
    assert course.focus == "dispute"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"secondary_area": "dispute"}, "There is one primary focus"),
        (
            {"primary_area": "grief", "dispute_stage": "impasse"},
            "A stage belongs to a role dispute",
        ),
        ({"primary_area": "nonsense"}, "Select a valid choice"),
    ],
)
def test_bad_focus_choices_are_refused(world, client, data, message):
    clinician, course = world.alice, world.course
    client.force_login(clinician)
    response = save(client, course, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Low mood for 4 months" in response.content.decode()
    assert not Formulation.objects.exists()


def test_regenerating_never_silently_overwrites_manual_edits(world, client):
    clinician, course = world.alice, world.course
    client.force_login(clinician)
    save(client, course)
    save(client, course, text="My own words for the client.")
    formulation = Formulation.objects.get()
    assert formulation.text_edited
    response = client.post(f"/courses/{course.pk}/formulation/regenerate/")
    assert "Choose which to keep" in response.content.decode()
    formulation.refresh_from_db()
    assert formulation.text == "My own words for the client."
    client.post(f"/courses/{course.pk}/formulation/regenerate/", {"replace": "1"})
    formulation.refresh_from_db()
    assert "This is depression." in formulation.text and not formulation.text_edited


GOAL = {
    "area": "dispute",
    "text": "Talk about money weekly",
    "minus2": "No talks",
    "minus1": "One talk a month",
    "zero": "A talk most weeks",
    "plus1": "Every week",
    "plus2": "Every week, and a plan agreed",
}


def test_goals_need_a_focus(world, client):
    clinician, course = world.alice, world.course
    client.force_login(clinician)
    response = client.post(f"/courses/{course.pk}/goals/", GOAL, follow=True)
    assert "goals belong to a focus" in response.content.decode()
    assert not Goal.objects.exists()


def test_goals_are_rated_from_minus_two_to_plus_two_and_charted(world, client):
    clinician, course = world.alice, world.course
    client.force_login(clinician)
    save(client, course)
    assert client.post(f"/courses/{course.pk}/goals/", GOAL).status_code == 302
    goal = Goal.objects.get()
    sessions = [
        make_session(
            course,
            clinician,
            attendance="attended",
            starts_at=timezone.now() - timedelta(weeks=3 - n),
        )
        for n in range(3)
    ]
    for session, rating in zip(sessions, [-2, 0, 1], strict=True):
        client.post(
            f"/goals/{goal.pk}/rate/",
            {f"g{goal.pk}-session": session.pk, f"g{goal.pk}-rating": rating},
        )
    assert list(
        GoalRating.objects.order_by("session__starts_at").values_list("rating", flat=True)
    ) == [-2, 0, 1]
    for bad in (3, -3, "x"):
        response = client.post(
            f"/goals/{goal.pk}/rate/",
            {f"g{goal.pk}-session": sessions[0].pk, f"g{goal.pk}-rating": bad},
            follow=True,
        )
        assert "Rate from −2 to +2" in response.content.decode()
    assert GoalRating.objects.count() == 3
    html = client.get(f"/courses/{course.pk}/goals/").content.decode()
    assert '<svg class="chart"' in html and "Every week, and a plan agreed" in html
    assert "<td>3</td><td>1</td>" in html.replace("\n", "").replace(" ", "")


def test_a_goal_without_its_levels_is_refused(world, client):
    clinician, course = world.alice, world.course
    client.force_login(clinician)
    save(client, course)
    data = {**GOAL, "plus2": ""}
    response = client.post(f"/courses/{course.pk}/goals/", data)
    assert response.status_code == 400 and not Goal.objects.exists()


def test_supervisors_read_but_do_not_write(world, client):
    clinician, supervisor, course = world.alice, world.sue, world.course
    client.force_login(clinician)
    save(client, course)
    client.force_login(supervisor)
    assert client.get(f"/courses/{course.pk}/formulation/").status_code == 200
    assert client.get(f"/courses/{course.pk}/goals/").status_code == 200
    assert save(client, course, symptoms="changed").status_code == 404
    assert client.post(f"/courses/{course.pk}/goals/", GOAL).status_code == 404
