"""Middle-phase agendas by problem area and dispute stage (issue 23, part 1): the session page
shows the format's items and then the strategies of the agreed focus (primary, then secondary,
a dispute by its stage) with the techniques that fit; ticks are kept (old ones too); the course
grid counts against the same list; a course past its initial phase with no agreed focus is
warned about; the data file is validated at start-up."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from gentle.courses import protocol, strategies
from gentle.courses.models import Course, Session
from gentle.formulation.models import Formulation
from tests.factories import count_queries, make_course, make_session, signed_in, visible_text

pytestmark = pytest.mark.django_db

MIDDLE = [item.id for item in protocol.agenda_for("individual").phases["middle"]]
TECHNIQUES = {item.id: item.en for item in protocol.techniques()}


def texts(area: str, stage: str = "") -> list[str]:
    return [item.en for item in strategies.load().items[(area, stage)]]


@pytest.fixture
def course(world) -> Course:
    """Amara's individual course (initial phase: sessions 1–3) with sessions 1 to 4 held."""
    course = make_course(world.amara, status="active")
    start = timezone.now() - timedelta(days=35)
    for week in range(4):
        make_session(
            course, world.alice, starts_at=start + timedelta(weeks=week), attendance="attended"
        )
    return course


def session(course: Course, number: int) -> Session:
    return course.sessions.order_by("starts_at")[number - 1]


def formulate(course, by, *, agreed=True, **focus) -> Formulation:
    fields = {"primary_area": "dispute", **focus}
    Course.objects.filter(pk=course.pk).update(focus=fields["primary_area"])
    return Formulation.objects.create(
        course=course,
        updated_by=by,
        agreed_on=course.start_date if agreed else None,
        **fields,
    )


def page(world, course, number: int) -> str:
    response = signed_in(world.alice).get(f"/sessions/{session(course, number).pk}/")
    assert response.status_code == 200
    return visible_text(response)


CASES = [
    ({"primary_area": "grief"}, "For the grief", texts("grief")),
    (
        {"primary_area": "dispute", "dispute_stage": "renegotiation"},
        "For the role dispute — renegotiation",
        texts("dispute", "renegotiation"),
    ),
    (
        {"primary_area": "dispute", "dispute_stage": "impasse"},
        "For the role dispute — impasse",
        texts("dispute", "impasse"),
    ),
    (
        {"primary_area": "dispute", "dispute_stage": "dissolution"},
        "For the role dispute — dissolution",
        texts("dispute", "dissolution"),
    ),
    ({"primary_area": "dispute"}, "For the role dispute", texts("dispute")),
    ({"primary_area": "transition"}, "For the role transition", texts("transition")),
    ({"primary_area": "deficits"}, "For the interpersonal deficits", texts("deficits")),
]
EVERY = {text for group in strategies.load().items.values() for text in (i.en for i in group)}


@pytest.mark.parametrize(("focus", "label", "expected"), CASES)
def test_the_middle_phase_shows_the_strategies_of_the_primary_focus(
    world, course, focus, label, expected
):
    formulate(course, world.alice, **focus)
    text = page(world, course, 4)
    assert label + " " + expected[0] in text
    for item in expected:
        assert item in text
    for other in EVERY - set(expected):
        assert other not in text
    # The format's own middle-phase items come first.
    first = protocol.agenda_for("individual").phases["middle"][0].en
    assert text.index(first) < text.index(label)


def test_each_strategy_names_the_techniques_that_fit(world, course):
    formulate(course, world.alice, dispute_stage="renegotiation")
    text = page(world, course, 4)
    options = strategies.load().items[("dispute", "renegotiation")][1]
    names = ", ".join(TECHNIQUES[t] for t in options.techniques)
    assert f"{options.en} Techniques that fit: {names}" in text


@pytest.mark.parametrize(
    ("stage", "shown", "hidden"),
    [
        ("impasse", "impasse", "renegotiation"),
        ("dissolution", "dissolution", "impasse"),
        ("", "", "renegotiation"),
    ],
)
def test_a_secondary_dispute_is_shown_by_its_own_stage(world, course, stage, shown, hidden):
    formulate(
        course,
        world.alice,
        primary_area="grief",
        secondary_area="dispute",
        secondary_dispute_stage=stage,
    )
    text = page(world, course, 4)
    label = "For the role dispute" + (f" — {shown}" if shown else "") + " (secondary focus)"
    assert label in text
    assert text.index("For the grief") < text.index(label)
    for item in texts("dispute", shown):
        assert item in text
    for item in texts("dispute", hidden):
        assert item not in text


def test_the_initial_and_termination_phases_show_no_strategies(world, course):
    formulate(course, world.alice, primary_area="grief")
    text = page(world, course, 2)
    assert "For the grief" not in text
    assert texts("grief")[0] not in text


def test_the_stage_of_a_secondary_dispute_is_saved_from_the_formulation_form(world, course):
    client = signed_in(world.alice)
    data = {
        "primary_area": "grief",
        "secondary_area": "dispute",
        "secondary_dispute_stage": "dissolution",
        "symptoms": "Low mood for 4 months",
    }
    assert client.post(f"/courses/{course.pk}/formulation/", data).status_code == 302
    formulation = Formulation.objects.get(course=course)
    assert formulation.secondary_dispute_stage == "dissolution"
    assert "For the role dispute — dissolution (secondary focus)" in page(world, course, 4)
    contract = visible_text(client.get(f"/courses/{course.pk}/formulation/"))
    assert "Focus Grief; Role dispute (Dissolution (ending))" in contract


def test_a_secondary_stage_without_a_secondary_dispute_is_refused(world, course):
    client = signed_in(world.alice)
    data = {
        "primary_area": "dispute",
        "secondary_area": "grief",
        "secondary_dispute_stage": "impasse",
        "symptoms": "Low mood for 4 months",
    }
    response = client.post(f"/courses/{course.pk}/formulation/", data)
    assert response.status_code == 400
    assert "This stage belongs to a secondary focus that is a role dispute." in visible_text(
        response
    )
    assert "Low mood for 4 months" in response.content.decode()
    assert not Formulation.objects.filter(course=course).exists()


def test_someone_off_the_care_team_cannot_set_the_secondary_stage(world, course):
    data = {
        "primary_area": "grief",
        "secondary_area": "dispute",
        "secondary_dispute_stage": "impasse",
    }
    response = signed_in(world.bob).post(f"/courses/{course.pk}/formulation/", data)
    assert response.status_code == 404
    assert not Formulation.objects.filter(course=course).exists()


def test_ticks_of_strategies_are_saved_shown_and_counted_in_the_grid(world, course):
    formulate(course, world.alice, dispute_stage="renegotiation")
    fourth = session(course, 4)
    client = signed_in(world.alice)
    done = [MIDDLE[0], "dispute.renegotiation.options"]
    response = client.post(f"/sessions/{fourth.pk}/agenda/", {"done": done})
    assert response.status_code == 302
    fourth.refresh_from_db()
    assert fourth.agenda_done == done
    html = client.get(f"/sessions/{fourth.pk}/").content.decode()
    assert 'value="dispute.renegotiation.options" checked' in html
    assert 'value="dispute.renegotiation.expectations">' in html
    grid = visible_text(client.get(f"/courses/{course.pk}/grid/"))
    size = len(MIDDLE) + len(texts("dispute", "renegotiation"))
    assert f"2 of {size}" in grid


def test_an_item_of_another_agenda_cannot_be_ticked(world, course):
    formulate(course, world.alice, primary_area="grief")
    fourth = session(course, 4)
    response = signed_in(world.alice).post(
        f"/sessions/{fourth.pk}/agenda/", {"done": ["dispute.impasse.reopen"]}, follow=True
    )
    assert "Tick items from this session&#x27;s agenda." in response.content.decode()
    fourth.refresh_from_db()
    assert fourth.agenda_done == []


def test_ticks_of_an_earlier_agenda_are_still_shown_and_kept(world, course):
    """The focus changed from grief to a dispute after session 4 was ticked: its grief ticks
    (and an id no agenda knows any more) stay, shown apart, and survive a new save."""
    fourth = session(course, 4)
    Session.objects.filter(pk=fourth.pk).update(agenda_done=["grief.story", "gone_item"])
    formulate(course, world.alice, dispute_stage="impasse")
    text = page(world, course, 4)
    assert "Ticked on an earlier agenda ✓ " + texts("grief")[1] + " ✓ gone_item" in text
    signed_in(world.alice).post(f"/sessions/{fourth.pk}/agenda/", {"done": [MIDDLE[1]]})
    fourth.refresh_from_db()
    assert fourth.agenda_done == [MIDDLE[1], "grief.story", "gone_item"]


def test_a_retired_item_keeps_its_text():
    assert strategies.named(["focus"]) == [("focus", "Work on the agreed focus")]


def test_the_guard_warns_when_the_middle_phase_has_no_agreed_focus(world, course):
    client = signed_in(world.alice)
    warning = "no focus has been agreed"
    link = f'href="/courses/{course.pk}/formulation/"'
    session_html = client.get(f"/sessions/{session(course, 4).pk}/").content.decode()
    assert "No focus has been agreed for this course" in session_html
    assert link in session_html
    course_html = client.get(f"/courses/{course.pk}/").content.decode()
    assert warning in course_html and "Agree the focus in the formulation" in course_html
    # Not in the initial phase: the focus is agreed there.
    assert "No focus has been agreed" not in client.get(f"/sessions/{session(course, 2).pk}/")
    # Written but not yet agreed with the client: still warned.
    formulation = formulate(course, world.alice, agreed=False, primary_area="grief")
    assert warning in client.get(f"/courses/{course.pk}/").content.decode()
    formulation.agreed_on = timezone.localdate()
    formulation.save()
    assert warning not in client.get(f"/courses/{course.pk}/").content.decode()
    session_html = client.get(f"/sessions/{session(course, 4).pk}/").content.decode()
    assert "No focus has been agreed" not in session_html


def test_a_course_still_in_its_initial_phase_is_not_warned(world):
    course = make_course(world.amara, status="active")
    make_session(course, world.alice, attendance="attended")
    html = signed_in(world.alice).get(f"/courses/{course.pk}/").content.decode()
    assert "no focus has been agreed" not in html


def test_the_session_page_makes_as_many_queries_whatever_the_agenda(world, course):
    client = signed_in(world.alice)
    url = f"/sessions/{session(course, 4).pk}/"
    formulation = formulate(course, world.alice, primary_area="deficits")
    few = count_queries(client, url)
    Formulation.objects.filter(pk=formulation.pk).update(
        primary_area="dispute", dispute_stage="renegotiation", secondary_area="grief"
    )
    ids = [i.id for g in strategies.load().items.values() for i in g]
    Session.objects.filter(pk=session(course, 4).pk).update(agenda_done=MIDDLE + ids)
    assert count_queries(client, url) == few


def test_every_demo_course_past_its_initial_phase_has_an_agreed_focus():
    from gentle.demo import seed_demo

    seed_demo(seed=7)
    for course in Course.objects.prefetch_related("sessions"):
        held = course.sessions.filter(attendance="attended").count()
        if held <= course.initial_last:
            continue
        formulation = Formulation.objects.filter(course=course).first()
        assert course.focus and formulation and formulation.agreed_on, course.pk
    assert Formulation.objects.filter(secondary_dispute_stage="impasse").exists()


def broken(mutate) -> dict:
    data = json.loads((strategies.DATA / strategies.FILE).read_text(encoding="utf-8"))
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["areas"].pop("grief"), "needs exactly the areas"),
        (lambda d: d["areas"]["dispute"]["stages"].pop("impasse"), "needs exactly the stages"),
        (
            lambda d: d["areas"]["grief"]["items"][0].update(techniques=["hypnosis"]),
            "unknown techniques ['hypnosis']",
        ),
        (
            lambda d: d["areas"]["grief"]["items"][0].update(techniques=[]),
            "needs a non-empty list of techniques",
        ),
        (
            lambda d: d["areas"]["grief"]["items"][0].update(id="deficits.past"),
            "item ids repeat",
        ),
        (
            lambda d: d["areas"]["grief"]["items"][0].update(id="interval"),
            "ids also used by a format's agenda",
        ),
        (lambda d: d["areas"]["grief"]["items"][0].pop("es"), "needs id, en and es"),
        (lambda d: d["areas"]["grief"].update(stages={}), "only a role dispute has stages"),
        (lambda d: d.pop("version"), "needs an integer version"),
    ],
)
def test_a_broken_strategies_file_stops_start_up(tmp_path, monkeypatch, mutate, message):
    (tmp_path / strategies.FILE).write_text(json.dumps(broken(mutate)), encoding="utf-8")
    monkeypatch.setattr(strategies, "DATA", tmp_path)
    strategies.load.cache_clear()
    try:
        with pytest.raises(protocol.ProtocolError, match=message.replace("[", r"\[")):
            apps.get_app_config("courses").ready()
    finally:
        monkeypatch.undo()
        strategies.load.cache_clear()
    strategies.load()
