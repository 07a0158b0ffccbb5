"""The timeline: life events with exact or approximate dates, symptom episodes, the onset
window, planned transitions, and the chart with its text alternative."""

import re
from datetime import date, timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from gentle.accounts.models import Role
from gentle.inventory.actions import name_key
from gentle.inventory.models import Person
from gentle.timeline.models import Episode, LifeEvent
from gentle.timeline.selectors import Row, mark_onset_window, rows
from tests.factories import (
    count_queries,
    make_client,
    make_clinic,
    make_course,
    make_person,
    make_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(world):
    world.amara.date_of_birth = date(1980, 6, 1)
    world.amara.save()
    return world


def add_event(client, record, **data):
    data = {"category": "move", "description": "Moved flat", **data}
    return client.post(f"/clients/{record.pk}/timeline/events/new/", data)


def test_events_with_mixed_dates_are_listed_in_time_order(client, world):
    clinician, record = world.alice, world.amara
    client.force_login(clinician)
    for when, text in [
        ("2021", "Year event"),
        ("2020-11-02", "Day event"),
        ("around age 30", "Age event"),
        ("2020-11", "Month event"),
    ]:
        assert add_event(client, record, when=when, description=text).status_code == 302
    html = client.get(f"/clients/{record.pk}/timeline/").content.decode()
    order = [html.index(t) for t in ("Age event", "Month event", "Day event", "Year event")]
    assert order == sorted(order)  # age 30 is 2010 for a client born in 1980


def test_approximate_dates_are_listed_as_words_in_the_readers_language(client, world):
    """Not the form's notation ("2020-11", "age 30") but dates as people read them (issue 21)."""
    clinician, record = world.alice, world.amara
    client.force_login(clinician)
    for when, text in [("2020-11", "Month event"), ("age 30", "Age event"), ("2020-11-02", "Day")]:
        assert add_event(client, record, when=when, description=text).status_code == 302
    listed = lambda html: html[html.index("The timeline as a list") :]  # noqa: E731
    english = listed(client.get(f"/clients/{record.pk}/timeline/").content.decode())
    assert "November 2020" in english and "age 30" in english and "2 November 2020" in english
    assert "2020-11" not in re.sub(r'"[^"]*"', "", english)  # none shown; attributes aside
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    spanish = client.get(f"/clients/{record.pk}/timeline/").content.decode()
    spanish = spanish[spanish.index("La línea de tiempo en forma de lista") :]
    assert "noviembre de 2020" in spanish and "a los 30 años" in spanish
    assert "2 de noviembre de 2020" in spanish


def test_an_event_near_the_onset_is_highlighted_as_a_candidate_for_the_focus(client, world):
    clinician, record = world.alice, world.amara
    today = timezone.localdate()
    client.force_login(clinician)
    near = today - timedelta(days=200)
    far = today - timedelta(days=900)
    add_event(
        client, record, when=near.isoformat(), category="death", description="Grandmother died"
    )
    add_event(client, record, when=far.isoformat(), description="Old move")
    onset = today - timedelta(days=100)
    client.post(
        f"/clients/{record.pk}/timeline/episodes/new/",
        {"start": onset.isoformat(), "description": "Low mood"},
    )
    html = client.get(f"/clients/{record.pk}/timeline/").content.decode()
    assert html.count("Near the onset: a candidate for the focus") == 1
    listed = html.index("Grandmother died", html.index("The timeline as a list"))
    row = html[listed - 400 : listed + 400]
    assert "Near the onset" in row
    assert 'class="event highlight"' in html


def test_the_onset_window_is_configurable(world):
    onset = date(2024, 7, 1)
    event = LifeEvent(planned=False)
    items = [Row("episode", Episode(), None, onset), Row("event", event, None, date(2024, 3, 1))]
    mark_onset_window(items, months=3)
    assert not items[1].near_onset
    mark_onset_window(items, months=6)
    assert items[1].near_onset


def test_an_unplanned_future_event_is_refused_and_a_planned_one_is_kept(client, world):
    clinician, record = world.alice, world.amara
    client.force_login(clinician)
    next_year = str(timezone.localdate().year + 1)
    response = add_event(
        client, record, when=f"{next_year}-04", category="retirement", description="Retiring"
    )
    assert response.status_code == 400
    assert "This date is in the future" in response.content.decode()
    assert 'value="Retiring"' in response.content.decode()
    assert not LifeEvent.objects.exists()
    assert (
        add_event(
            client,
            record,
            when=f"{next_year}-04",
            category="retirement",
            description="Retiring",
            planned="on",
        ).status_code
        == 302
    )
    html = client.get(f"/clients/{record.pk}/timeline/").content.decode()
    assert "Planned" in html and 'class="event planned"' in html


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("2024-02-30", "There is no such day"),
        ("soon", "Write a date as 2024-03-15"),
        ("", "This field is required."),
    ],
)
def test_unreadable_dates_are_refused_with_a_message(client, world, when, message):
    clinician, record = world.alice, world.amara
    client.force_login(clinician)
    response = add_event(client, record, when=when)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not LifeEvent.objects.exists()


def test_an_episode_ending_before_it_began_is_refused(client, world):
    clinician, record = world.alice, world.amara
    client.force_login(clinician)
    response = client.post(
        f"/clients/{record.pk}/timeline/episodes/new/", {"start": "2024-05", "end": "2024-01"}
    )
    assert "The end is before the beginning." in response.content.decode()
    assert not Episode.objects.exists()


def test_an_event_keeps_its_people_text_when_the_person_is_removed(client, world):
    clinician, record = world.alice, world.amara
    partner = Person.objects.create(
        client=record,
        name="Sam",
        name_key=name_key("Sam"),
        relationship="partner",
        updated_by=clinician,
    )
    client.force_login(clinician)
    add_event(
        client,
        record,
        when="2023-05",
        category="conflict",
        description="First big argument",
        people=[str(partner.pk)],
    )
    client.post(f"/inventory/people/{partner.pk}/remove/")
    assert not Person.objects.filter(pk=partner.pk).exists()
    html = client.get(f"/clients/{record.pk}/timeline/").content.decode()
    assert "First big argument" in html and "Sam" in html


def test_the_chart_zooms_escapes_text_and_offers_a_list(client, world):
    clinician, record = world.alice, world.amara
    client.force_login(clinician)
    add_event(
        client,
        record,
        when=(timezone.localdate() - timedelta(days=20)).isoformat(),
        description='<script>alert("x")</script>',
    )
    for zoom in ("all", "5y", "1y", "6m", "3m", "nonsense"):
        html = client.get(f"/clients/{record.pk}/timeline/?zoom={zoom}").content.decode()
        svg = html[
            html.index('<svg class="timeline"') : html.index(
                "</svg>", html.index('<svg class="timeline"')
            )
            + 6
        ]
        ElementTree.fromstring(svg)  # well-formed
        assert "<script>" not in html and "&lt;script&gt;" in html
        assert "The timeline as a list" in html


def test_supervisors_read_and_others_get_404(client, world):
    supervisor, record = world.sue, world.amara
    client.force_login(supervisor)
    assert client.get(f"/clients/{record.pk}/timeline/").status_code == 200
    assert add_event(client, record, when="2020").status_code == 404
    client.force_login(make_person(make_clinic(), Role.CLINICIAN))
    assert client.get(f"/clients/{record.pk}/timeline/").status_code == 404
    assert not LifeEvent.objects.exists()


def test_timeline_query_count_does_not_grow_with_events(client, world):
    clinician, record = world.alice, world.amara
    other = make_client(world.clinic, clinicians=[clinician])
    for n in range(2):
        LifeEvent.objects.create(
            client=record,
            precision="year",
            year=2010 + n,
            category="move",
            description="x",
            created_by=clinician,
        )
    for n in range(12):
        LifeEvent.objects.create(
            client=other,
            precision="year",
            year=2000 + n,
            category="move",
            description="x",
            created_by=clinician,
        )
    client.force_login(clinician)
    assert count_queries(client, f"/clients/{record.pk}/timeline/") == count_queries(
        client, f"/clients/{other.pk}/timeline/"
    )


def test_rows_place_unknown_ages_last(world):
    clinician, record = world.alice, world.amara
    record.date_of_birth = None
    record.save()
    LifeEvent.objects.create(
        client=record,
        precision="age",
        age=14,
        category="move",
        description="Age event",
        created_by=clinician,
    )
    LifeEvent.objects.create(
        client=record,
        precision="year",
        year=2015,
        category="move",
        description="Year event",
        created_by=clinician,
    )
    assert [r.obj.description for r in rows(record)] == ["Year event", "Age event"]


def test_life_events_are_marked_on_the_measures_chart(client, world):
    from gentle.measures.models import Administration

    clinician, record = world.alice, world.amara
    course = make_course(record, status="active")
    start = timezone.now() - timedelta(weeks=4)
    for week, total in ((0, 15), (2, 12)):
        when = start + timedelta(weeks=week)
        session = make_session(course, clinician, attendance="attended", starts_at=when)
        Administration.objects.create(
            client=record,
            course=course,
            session=session,
            instrument_id="phq9",
            instrument_version=1,
            mode="in_session",
            status="submitted",
            created_by=clinician,
            scores={"total": total},
            submitted_at=session.starts_at,
        )
    client.force_login(clinician)
    html = client.get(f"/clients/{record.pk}/measures/").content.decode()
    assert 'class="marker life-event"' not in html
    add_event(
        client,
        record,
        when=(start + timedelta(weeks=1)).date().isoformat(),
        category="job_loss",
        description="Lost the job",
    )
    html = client.get(f"/clients/{record.pk}/measures/").content.decode()
    chart, legend = html.split('<svg class="chart"')[1].split('<ul class="chart-key')
    assert chart.count('class="marker life-event"') == 1
    assert "Life event (from the timeline)" in legend.split("</ul>")[0]
