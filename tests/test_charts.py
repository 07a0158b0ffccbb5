"""Charts that read on a phone (issue 21): text drawn at its own size rather than scaled down
with the drawing, sensible ticks, axis titles and a legend of what is drawn on every chart, the
timeline opening at a useful span with whole labels, and the closeness circle, where moving one
person moves no one else and every person can be reached and moved with the keyboard.

What a browser makes of the drawings (the text's size in CSS px at 360 px, labels inside their
drawing, the keyboard journey) is measured in tests/browser/test_charts_journey.py."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from html import unescape as html_unescape

import pytest
from django.utils import timezone

from gentle.courses.models import ProgressNote
from gentle.grief.models import Loss
from gentle.inventory.actions import name_key
from gentle.inventory.models import Person
from gentle.lib import svg
from gentle.measures.models import Administration
from tests.factories import make_course, make_session

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
PHONE_CHART_PX = 287  # a chart's width in the card of a 360 px phone (measured in Chromium)


# Helpers ---------------------------------------------------------------------------------------


def page(http, url: str) -> str:
    response = http.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def drawings(html: str, css: str) -> list[ET.Element]:
    """The page's charts of this class (outer <svg class="css ...">), parsed as XML: fails
    unless each is well formed."""
    found = []
    for start in re.finditer(rf'<svg class="{css}[" ]', html):
        depth = 0
        for tag in re.finditer(r"<svg\b|</svg>", html[start.start() :]):
            depth += 1 if tag.group() == "<svg" else -1
            if depth == 0:
                chunk = html[start.start() : start.start() + tag.end()]
                found.append(ET.fromstring(chunk))  # noqa: S314 (the app's own output)
                break
    return found


def keys(html: str, kind: str) -> list[str]:
    """The words of a chart's legend, in order."""
    key = html.split(f'<ul class="chart-key chart-key-{kind}">', 1)[1].split("</ul>", 1)[0]
    return [
        html_unescape(re.sub(r"<.*?>", "", item)) for item in re.findall(r"<li>(.*?)</li>", key)
    ]


def texts(drawing: ET.Element, css: str) -> list[str]:
    return [
        " ".join(t.itertext())
        for t in drawing.iter(f"{SVG}text")
        if css in (t.get("class") or "").split()
    ]


def scores(record, by, totals, course=None, sessions=()):
    start = timezone.now() - timedelta(weeks=len(totals))
    for week, total in enumerate(totals):
        Administration.objects.create(
            client=record,
            course=course,
            session=sessions[week] if sessions else None,
            instrument_id="phq9",
            instrument_version=1,
            mode="in_session",
            status="submitted",
            created_by=by,
            scores={"total": total},
            submitted_at=start + timedelta(weeks=week),
        )


def course_with_sessions(world, count=3):
    course = make_course(world.amara, status="active")
    start = timezone.now() - timedelta(weeks=count)
    sessions = [
        make_session(
            course, world.alice, attendance="attended", starts_at=start + timedelta(weeks=n)
        )
        for n in range(count)
    ]
    return course, sessions


# Text is drawn at its own size -----------------------------------------------------------------


def test_chart_text_is_drawn_at_its_own_size_not_scaled_down_with_the_drawing(client, world):
    """A viewBox scaled the charts to the width of the page, and their 11-12 px text with
    them: 5-7 px on a 360 px phone. Across, the charts now place their marks in percent of
    their width and have no viewBox, so text is drawn at the size the stylesheet gives it; the
    closeness circle, which must stay round, is drawn at its own size in pixels, which fits the
    phone (so it is never shrunk)."""
    course, sessions = course_with_sessions(world)
    scores(world.amara, world.alice, [18, 14, 11], course, sessions)
    for session, mood in zip(sessions, (3, 5, 6), strict=True):
        ProgressNote.objects.create(
            session=session, author=world.alice, mood=mood, updated_by=world.alice
        )
    Person.objects.create(
        client=world.amara, name="Rosa", name_key="rosa", ring=2, updated_by=world.alice
    )
    Loss.objects.create(
        client=world.amara,
        who="Rosa",
        died_on=timezone.localdate() - timedelta(days=200),
        created_by=world.alice,
    )
    client.force_login(world.alice)
    loss = Loss.objects.get()
    charts = {
        "measures": (f"/clients/{world.amara.pk}/measures/", "chart"),
        "mood": (f"/courses/{course.pk}/", "chart"),
        "timeline": (f"/clients/{world.amara.pk}/timeline/", "timeline"),
        "grief": (f"/losses/{loss.pk}/", "grief"),
    }
    for name, (url, css) in charts.items():
        [drawing, *_] = drawings(page(client, url), css)
        assert drawing.get("viewBox") is None, name
        assert drawing.get("width") == "100%", name
        assert int(drawing.get("height")) >= 150, name
    [circle] = drawings(page(client, f"/clients/{world.amara.pk}/inventory/"), "circle")
    width = float(circle.get("width"))
    assert float(circle.get("viewBox").split()[2]) == width <= PHONE_CHART_PX
    client.force_login(world.portal)
    [mine] = drawings(page(client, "/portal/progress/"), "chart")
    assert mine.get("viewBox") is None and mine.get("width") == "100%"


# Ticks, axis titles and legends ----------------------------------------------------------------


def test_measure_ticks_are_where_the_bands_begin_never_the_middle_of_the_scale(client, world):
    """The PHQ-9 axis read 0 / 13.5 / 27."""
    course, sessions = course_with_sessions(world)
    scores(world.amara, world.alice, [18, 14, 11], course, sessions)
    client.force_login(world.alice)
    [chart] = drawings(page(client, f"/clients/{world.amara.pk}/measures/"), "chart")
    assert texts(chart, "tick")[:6] == ["0", "5", "10", "15", "20", "27"]
    assert texts(chart, "tick")[6:] == [str(n) for n in range(1, 13)]  # sessions 1-12
    client.force_login(world.portal)
    [mine] = drawings(page(client, "/portal/progress/"), "chart")
    assert texts(mine, "tick")[:6] == ["0", "5", "10", "15", "20", "27"]  # round numbers
    assert "13.5" not in "".join(mine.itertext())


def test_round_ticks_for_any_range():
    assert svg.nice_ticks(0, 27) == [0, 5, 10, 15, 20, 27]
    assert svg.nice_ticks(0, 10) == [0, 2, 4, 6, 8, 10]
    assert svg.nice_ticks(-2, 2) == [-2, -1, 0, 1, 2]
    assert svg.nice_ticks(1, 7) == [1, 2, 3, 4, 5, 6, 7]
    assert svg.nice_ticks(0, 21) == [0, 5, 10, 15, 21]


def test_funnel_units_at_the_same_point_share_one_readable_label():
    """Two clinicians with one case each, both recovered, sat on the same point with "1" and
    "3" drawn over each other; they share a dot labelled "1, 3"."""
    drawn = svg.funnel(
        [(1, 1.0, "1"), (4, 0.5, "2"), (1, 1.0, "3")],
        rate=0.6,
        limits=lambda rate, n, z: (max(0.0, rate - z / (n + 1)), min(1.0, rate + z / (n + 1))),
        z_inner=1.96,
        z_outer=3.09,
        x_label="Cases",
        y_label="Recovery",
        label="Recovery by clinician",
        keys={"rate": "Clinic", "inner": "95%", "outer": "99.8%", "unit": "Clinician"},
    )
    labels = re.findall(r'<text class="funnel-label"[^>]*>([^<]*)</text>', drawn)
    assert sorted(labels) == ["1, 3", "2"]
    assert drawn.count('<g class="funnel-unit">') == 2


def test_the_measures_chart_has_axis_titles_and_a_legend_of_only_what_it_draws(client, world):
    """Its caption spoke of orange life-event lines that were not there, while the grey dashed
    lines (the phases, the expected course) had no legend at all."""
    course, sessions = course_with_sessions(world)
    scores(world.amara, world.alice, [18, 14, 11], course, sessions)
    client.force_login(world.alice)
    add_event(client, world.amara, when="2001", description="Moved")  # long before the course
    html = page(client, f"/clients/{world.amara.pk}/measures/")
    [chart] = drawings(html, "chart")
    assert texts(chart, "axis-title") == ["PHQ-9 total (0–27)", "Session"]
    assert keys(html, "line") == [
        "PHQ-9 total",
        "Expected course",
        "Change of phase (initial, middle, termination)",
        "Minimal 0–4",
        "Mild 5–9",
        "Moderate 10–14",
        "Moderately severe 15–19",
        "Severe 20–27",
    ]
    assert "orange" not in html
    assert not chart.findall(f".//{SVG}line[@class='marker life-event']")


def test_the_clients_chart_has_no_bands_and_so_no_flags_in_its_legend(client, world):
    # In a course: the expected course is drawn for the client's latest course (issue 25).
    scores(world.amara, world.alice, [18, 14], make_course(world.amara, status="active"))
    client.force_login(world.portal)
    html = page(client, "/portal/progress/")
    [chart] = drawings(html, "chart")
    assert texts(chart, "axis-title") == ["PHQ-9 total (0–27)", "Answer, oldest to newest"]
    assert not chart.findall(f".//{SVG}rect[@class]")[1:]  # only the frame
    assert keys(html, "line") == ["PHQ-9 total", "Expected course"]


def test_a_chart_cannot_draw_a_mark_its_legend_does_not_name():
    with pytest.raises(ValueError, match="phase"):
        svg.line_chart(
            [(1, 3)],
            x_max=4,
            y_max=10,
            label="Mood",
            x_title="Session",
            y_title="Mood",
            keys={"line": "Mood"},
            markers=[(2.5, "phase")],
        )


def test_the_grief_curve_has_axis_titles_ticks_and_a_legend(client, world):
    """It had no axis titles, and its legend listed marks whether drawn or not."""
    loss = Loss.objects.create(
        client=world.amara,
        who="Rosa",
        died_on=timezone.localdate() - timedelta(days=300),
        created_by=world.alice,
    )
    Administration.objects.create(
        client=world.amara,
        instrument_id="pg13r",
        instrument_version=1,
        mode="in_session",
        status="submitted",
        created_by=world.alice,
        scores={"total": 33},
        submitted_at=timezone.now() - timedelta(days=100),
    )
    client.force_login(world.alice)
    html = page(client, f"/losses/{loss.pk}/")
    [curve] = drawings(html, "grief")
    assert texts(curve, "axis-title") == [
        "Score, in percent of the questionnaire's range",
        "Months since the death",
    ]
    assert texts(curve, "tick-label")[:3] == ["0", "50", "100"]
    months = [int(t) for t in texts(curve, "tick-label")[3:]]
    assert 0 in months and 6 in months and 12 in months
    assert keys(html, "grief") == ["6 and 12 months", "PG-13-R symptom total"]


def test_every_course_chart_has_axis_titles(client, world):
    course, sessions = course_with_sessions(world)
    ProgressNote.objects.create(
        session=sessions[0], author=world.alice, mood=4, updated_by=world.alice
    )
    client.force_login(world.alice)
    html = page(client, f"/courses/{course.pk}/")
    [chart] = drawings(html, "chart")
    assert texts(chart, "axis-title") == ["Mood (0–10)", "Session"]
    assert keys(html, "line") == ["Mood from the session's note"]


# The timeline ----------------------------------------------------------------------------------


def add_event(http, record, **data):
    data = {"category": "move", "description": "Moved flat", **data}
    response = http.post(f"/clients/{record.pk}/timeline/events/new/", data)
    assert response.status_code == 302


def test_the_timeline_opens_at_the_latest_episode_with_the_events_near_its_onset(client, world):
    """It opened at the whole of a life, which squeezed a course into its last few pixels."""
    today = timezone.localdate()
    client.force_login(world.alice)
    add_event(client, world.amara, when="2009", description="Left school")
    add_event(
        client,
        world.amara,
        when=(today - timedelta(days=200)).isoformat(),
        category="conflict",
        description="Arguments about money",
    )
    client.post(
        f"/clients/{world.amara.pk}/timeline/episodes/new/",
        {"start": (today - timedelta(days=100)).isoformat(), "description": "Low mood"},
    )
    html = page(client, f"/clients/{world.amara.pk}/timeline/")
    assert re.search(r'<a href="\?zoom=1y" aria-current="page">1 year</a>', html)
    [chart] = drawings(html, "timeline")
    assert [" ".join(g.find(f"{SVG}title").itertext()) for g in chart.iter(f"{SVG}g")] == [
        "Conflict: Arguments about money"
    ]
    assert "1 event is outside this span" in html
    everything = page(client, f"/clients/{world.amara.pk}/timeline/?zoom=all")
    assert len(drawings(everything, "timeline")[0].findall(f"{SVG}g")) == 2


def test_timeline_labels_are_whole_or_cut_with_the_whole_text_kept(client, world):
    """A label ran off the drawing ("Conflict: Argu")."""
    today = timezone.localdate()
    long = "Arguments about money and housework began after the move " * 3
    client.force_login(world.alice)
    add_event(
        client,
        world.amara,
        when=(today - timedelta(days=3)).isoformat(),
        category="conflict",
        description="Arguments about money and housework began",
    )
    add_event(client, world.amara, when=(today - timedelta(days=40)).isoformat(), description=long)
    [chart] = drawings(page(client, f"/clients/{world.amara.pk}/timeline/?zoom=6m"), "timeline")
    shown = {
        g.find(f"{SVG}title").text: " ".join(g.find(f"{SVG}text").itertext())
        for g in chart.iter(f"{SVG}g")
    }
    whole = "Conflict: Arguments about money and housework began"
    assert shown[whole] == whole  # wrapped over lines, every word there
    [(title, cut)] = [(t, s) for t, s in shown.items() if t != whole]
    assert title == "Move: " + long.strip() and cut.endswith("…")
    assert title.startswith(cut.removesuffix("…"))


def test_the_mood_lane_has_room(client, world):
    """The mood lines were squeezed into 30 px on a phone."""
    course, sessions = course_with_sessions(world)
    for session, mood in zip(sessions, (3, 5, 6), strict=True):
        ProgressNote.objects.create(
            session=session, author=world.alice, mood=mood, updated_by=world.alice
        )
    client.force_login(world.alice)
    html = page(client, f"/clients/{world.amara.pk}/timeline/")
    [chart] = drawings(html, "timeline")
    [lane] = chart.findall(f"{SVG}svg[@class='plot']")
    assert float(lane.get("height")) >= 100
    assert texts(chart, "axis-title") == ["Life events", "Mood (0–10)"]
    assert keys(html, "timeline") == ["mood (session ratings, 0–10)", "attended session"]


# The closeness circle --------------------------------------------------------------------------


def person(record, name, ring, by):
    return Person.objects.create(
        client=record, name=name, name_key=name_key(name), ring=ring, updated_by=by
    )


SLIDER = (
    "id",
    "tabindex",
    "role",
    "aria-label",
    "aria-valuemin",
    "aria-valuemax",
    "aria-valuenow",
    "aria-valuetext",
    "aria-describedby",
)


def places(drawing: ET.Element, people: dict[str, Person]) -> dict[str, tuple[float, float]]:
    """Each person's dot, by name."""
    names = {str(p.pk): name for name, p in people.items()}
    dots = {names[g.get("data-person")]: g.find(f"{SVG}circle") for g in drawing.findall(f"{SVG}g")}
    return {name: (float(d.get("cx")), float(d.get("cy"))) for name, d in dots.items()}


def test_moving_one_person_leaves_everyone_else_where_they_were(client, world):
    """In the demo, moving Rosa also moved Priya: places around the circle were shared out
    among the people of each ring, so a move into or out of a ring moved all the others on it.
    Each person now keeps their place; a move changes only their distance from the centre."""
    people = {
        name: person(world.amara, name, ring, world.alice)
        for name, ring in [
            ("Tomás", 1),
            ("Ana", 1),
            ("Rosa", 2),
            ("Lena", 3),
            ("Priya", 3),
            ("Luis", 3),
        ]
    }
    client.force_login(world.alice)
    url = f"/clients/{world.amara.pk}/inventory/"
    [before] = drawings(page(client, url), "circle")
    rosa = people["Rosa"]
    client.post(f"/inventory/people/{rosa.pk}/move/", {f"p{rosa.pk}-ring": "3", "from": "circle"})
    [after] = drawings(page(client, url), "circle")
    old, new = places(before, people), places(after, people)
    assert {n: p for n, p in new.items() if n != "Rosa"} == {
        n: p for n, p in old.items() if n != "Rosa"
    }
    centre = float(after.get("viewBox").split()[2]) / 2
    (x0, y0), (x1, y1) = old["Rosa"], new["Rosa"]
    assert math.atan2(y0 - centre, x0 - centre) == pytest.approx(
        math.atan2(y1 - centre, x1 - centre), abs=0.01
    )
    assert math.dist((x1, y1), (centre, centre)) == pytest.approx(
        1.5 * math.dist((x0, y0), (centre, centre)), abs=0.5
    )


def test_people_in_the_circle_can_be_reached_and_moved_with_the_keyboard(client, world):
    """People in the circle could not be focused at all."""
    rosa = person(world.amara, "Rosa", 2, world.alice)
    client.force_login(world.alice)
    html = page(client, f"/clients/{world.amara.pk}/inventory/")
    [circle] = drawings(html, "circle")
    assert circle.get("role") == "group"
    [node] = circle.findall(f"{SVG}g")
    assert {name: node.get(name) for name in SLIDER} == {
        "id": f"circle-person-{rosa.pk}",
        "tabindex": "0",
        "role": "slider",
        "aria-label": "Rosa",
        "aria-valuemin": "1",
        "aria-valuemax": "3",
        "aria-valuenow": "2",
        "aria-valuetext": "ring 2",
        "aria-describedby": "circle-help",
    }
    assert 'id="circle-help"' in html and "arrow moves them one ring further out" in html
    # A supervisor reads: each person can be focused to read their whole name, not moved.
    client.force_login(world.sue)
    [read] = drawings(page(client, f"/clients/{world.amara.pk}/inventory/"), "circle")
    [node] = read.findall(f"{SVG}g")
    assert (node.get("tabindex"), node.get("role"), node.get("aria-label")) == (
        "0",
        "img",
        "Rosa, ring 2",
    )


def test_names_on_the_circle_wrap_whole_and_a_long_one_shows_whole_on_focus(client, world):
    """'Community garden group' read 'Community garde.'."""
    person(world.amara, "Community garden group", 3, world.alice)
    very_long = "The people from the Saturday morning walking group by the river"
    person(world.amara, very_long, 3, world.alice)
    client.force_login(world.alice)
    [circle] = drawings(page(client, f"/clients/{world.amara.pk}/inventory/"), "circle")
    shown = {
        g.get("aria-label"): [t.text for t in g.find(f"{SVG}text").iter(f"{SVG}tspan")]
        for g in circle.findall(f"{SVG}g")
    }
    assert shown["Community garden group"] == ["Community", "garden group"]
    assert shown[very_long][-1].endswith("…")
    [caption] = [
        g.find(f"{SVG}g[@class='caption']")
        for g in circle.findall(f"{SVG}g")
        if g.get("aria-label") == very_long
    ]
    # Shown when the person has the focus (or the pointer), over lines of its own.
    assert " ".join(caption.itertext()) == f"{very_long} · ring 3"


def test_a_move_comes_back_to_the_person_where_it_was_made(client, world):
    """The focus was lost after a move: the page now comes back at the person moved, in the
    circle or in the list (gentle.js focuses them there)."""
    rosa = person(world.amara, "Rosa", 2, world.alice)
    client.force_login(world.alice)
    url = f"/inventory/people/{rosa.pk}/move/"
    inventory = f"/clients/{world.amara.pk}/inventory/"
    response = client.post(url, {f"p{rosa.pk}-ring": "3", "from": "circle"})
    assert response.url == f"{inventory}#circle-person-{rosa.pk}"
    rosa.refresh_from_db()
    assert rosa.ring == 3
    response = client.post(url, {f"p{rosa.pk}-ring": "1", "from": "list"})
    assert response.url == f"{inventory}#person-{rosa.pk}"
    # Bad input: nothing changes, and the page still comes back at the person.
    response = client.post(url, {f"p{rosa.pk}-ring": "9", "from": "circle"}, follow=True)
    assert response.redirect_chain[0][0] == f"{inventory}#circle-person-{rosa.pk}"
    assert "Choose one of the rings." in response.content.decode()
    rosa.refresh_from_db()
    assert rosa.ring == 1
    # Denied: a supervisor cannot move anyone, from the circle or anywhere.
    client.force_login(world.sue)
    assert client.post(url, {f"p{rosa.pk}-ring": "2", "from": "circle"}).status_code == 404
    rosa.refresh_from_db()
    assert rosa.ring == 1


def test_snapshot_circles_are_pictures_not_controls(client, world):
    person(world.amara, "Rosa", 2, world.alice)
    client.force_login(world.alice)
    client.post(f"/clients/{world.amara.pk}/inventory/snapshots/", {"label": "One"})
    client.post(f"/clients/{world.amara.pk}/inventory/snapshots/", {"label": "Two"})
    a, b = world.amara.snapshots.order_by("pk")
    html = page(client, f"/clients/{world.amara.pk}/inventory/compare/?a={a.pk}&b={b.pk}")
    for circle in drawings(html, "circle"):
        assert circle.get("role") == "img"
        [node] = circle.findall(f"{SVG}g")
        assert node.get("tabindex") is None and node.find(f"{SVG}title").text == "Rosa"
