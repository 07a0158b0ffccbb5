"""The formulation the client reads (plain words, the sick role, the onset tied to the focus),
the portal's "My focus and plan", no raw codes in the record copy, and worksheets from outside
IPT labelled as adjuncts (issue 23, parts 2 and 6)."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from gentle.clients.models import Client
from gentle.communication.models import Worksheet
from gentle.communication.selectors import checklist, kinds, styles
from gentle.courses import protocol
from gentle.courses.models import Course, RelapsePlan
from gentle.demo import seed_demo
from gentle.formulation.models import Formulation, Goal, GoalRating
from gentle.portal.record import build_record, render_html
from tests.factories import count_queries, make_course, make_session, signed_in, visible_text
from tests.world import World as SharedWorld

pytestmark = pytest.mark.django_db

ONSET = "last winter, when the arguments with my partner about money began."
LINK = "my mood drops after each argument that ends in silence."


@dataclass
class World(SharedWorld):
    course: Course  # Amara's, under way


@pytest.fixture
def world(world) -> World:
    return World(**vars(world), course=make_course(world.amara, status="active"))


def save(world, **data):
    fields = {
        "primary_area": "dispute",
        "dispute_stage": "renegotiation",
        "symptoms": "feeling low and irritable.",
        "onset_events": ONSET,
        "connection": LINK,
        "strengths": "a sister who listens.",
        "plan": "try new ways of raising the disagreement.",
        **data,
    }
    http = signed_in(world.alice)
    response = http.post(f"/courses/{world.course.pk}/formulation/", fields)
    assert response.status_code == 302
    return http, Formulation.objects.get(course=world.course)


# The text


def test_the_text_names_depression_as_a_treatable_illness_and_ties_the_onset_to_the_focus(world):
    http, formulation = save(world)
    text = formulation.text
    assert "This is depression. Depression is a common illness, and it can be treated" in text
    assert "It is not your fault" in text
    assert "it is all right to ask a little less of yourself" in text  # the sick role
    assert "For you, it is bound up with this: Disagreements with someone important" in text
    assert f"When it began: {ONSET}" in text
    assert f"How the two are connected: {LINK}" in text
    assert "We agreed to meet 12 times, for 50 minutes each time." in text
    assert "In these sessions we will try new ways of raising the disagreement." in text
    for clinical in ("Role dispute", "dispute", "Renegotiation", "We agreed to work on"):
        assert clinical not in text
    page = visible_text(http.get(f"/courses/{world.course.pk}/formulation/"))
    assert "This is depression." in page  # the clinician reads it, and can still edit it


@pytest.mark.parametrize(
    ("area", "plain", "clinical"),
    [
        ("grief", "The death of someone close to you", "Grief"),
        ("transition", "A change in your life", "Role transition"),
        ("deficits", "Feeling alone, and finding it hard to start or keep", "deficits"),
    ],
)
def test_every_area_reaches_the_client_by_its_plain_name(world, area, plain, clinical):
    _http, formulation = save(world, primary_area=area, dispute_stage="")
    assert plain in formulation.text
    assert clinical not in formulation.text


def test_a_second_focus_and_a_short_course_read_naturally(world):
    Course.objects.filter(pk=world.course.pk).update(
        contracted_sessions=2, initial_last=1, termination_first=2, session_minutes=30
    )
    world.course.refresh_from_db()
    _http, formulation = save(world, secondary_area="transition", plan="")
    assert "We will also look at this: A change in your life." in formulation.text
    assert "We agreed to meet 2 times, for 30 minutes each time." in formulation.text
    assert "In these sessions" not in formulation.text


def test_the_text_is_written_in_the_clients_language_with_tu(world):
    Client.objects.filter(pk=world.amara.pk).update(language="es")
    _http, formulation = save(world)  # the clinician's pages stay in English
    text = formulation.text
    assert "Esto es una depresión. La depresión es una enfermedad frecuente" in text
    assert "No es culpa tuya" in text
    assert "En tu caso, está unida a esto: Desacuerdos con una persona importante para ti" in text
    assert f"Cuándo empezó: {ONSET}" in text
    assert "Acordamos vernos 12 veces, durante 50 minutos cada vez." in text
    for usted in ("usted", " su ", "Disputa de roles", "This is depression"):
        assert usted not in text


def test_the_clinicians_own_words_are_kept_and_regenerated_only_when_asked(world):
    http, _formulation = save(world)
    save(world, text="Our own words for Amara.")
    formulation = Formulation.objects.get()
    assert formulation.text == "Our own words for Amara." and formulation.text_edited
    http.post(f"/courses/{world.course.pk}/formulation/regenerate/", {"replace": "1"})
    formulation.refresh_from_db()
    assert "This is depression." in formulation.text and not formulation.text_edited


# My focus and plan


def agree(world):
    http, formulation = save(world)
    http.post(f"/courses/{world.course.pk}/formulation/agree/")
    return formulation


def held(world, n: int):
    start = timezone.now() - timedelta(days=7 * n)
    return [
        make_session(
            world.course,
            world.alice,
            starts_at=start + timedelta(days=7 * i),
            attendance="attended",
        )
        for i in range(n)
    ]


def goal(world, text: str) -> Goal:
    levels = {k: f"{text} {k}" for k in ("minus2", "minus1", "zero", "plus1", "plus2")}
    return Goal.objects.create(
        course=world.course, area="dispute", text=text, created_by=world.alice, **levels
    )


def test_the_client_reads_the_agreed_formulation_sessions_left_and_goals(world):
    agree(world)
    sessions = held(world, 4)
    talk = goal(world, "Talk about money weekly")
    GoalRating.objects.create(goal=talk, session=sessions[3], rating=1, rated_by=world.alice)
    page = visible_text(signed_in(world.portal).get("/portal/focus/"))
    assert "My focus and plan" in page
    assert "Disagreements with someone important to you" in page
    assert "This is depression." in page and f"When it began: {ONSET}" in page
    assert "4 sessions held · 8 sessions left" in page
    assert "Talk about money weekly" in page and "Talk about money weekly plus1" in page
    assert "Role dispute" not in page and "Renegotiation" not in page
    assert "My plan for staying well" not in page  # not yet: the course is in its middle


def test_before_the_client_agrees_the_page_says_so_and_shows_no_text(world):
    save(world)
    page = visible_text(signed_in(world.portal).get("/portal/focus/"))
    assert "It will appear here once you have agreed it." in page
    assert "This is depression." not in page


def test_at_the_end_of_the_course_the_plan_for_staying_well_is_shown(world):
    agree(world)
    held(world, 9)  # the next session is the tenth, the first of the termination phase
    RelapsePlan.objects.create(
        course=world.course,
        warning_signs="Sleeping badly again",
        what_to_do="Call my sister",
        updated_by=world.alice,
    )
    page = visible_text(signed_in(world.portal).get("/portal/focus/"))
    assert "My plan for staying well" in page
    assert "Sleeping badly again" in page and "Call my sister" in page
    assert "/portal/plan/" in signed_in(world.portal).get("/portal/focus/").content.decode()


def test_the_page_is_in_the_home_and_the_navigation(world):
    html = signed_in(world.portal).get("/portal/").content.decode()
    assert html.count('href="/portal/focus/"') == 2


def test_only_the_client_opens_their_own_page(world):
    agree(world)
    for user in (world.alice, world.sue, world.admin, world.far_clinician):
        response = signed_in(user).get("/portal/focus/")
        assert response.status_code == 404
        assert "This is depression." not in response.content.decode()
    other = visible_text(signed_in(world.far_portal).get("/portal/focus/"))
    assert "This is depression." not in other and ONSET not in other


def test_the_page_makes_the_same_queries_however_long_the_course(world):
    agree(world)
    http = signed_in(world.portal)
    sessions = held(world, 2)
    goal(world, "One")
    few = count_queries(http, "/portal/focus/")
    sessions += held(world, 6)
    for n in range(4):
        rated = goal(world, f"Goal {n}")
        for session in sessions:
            GoalRating.objects.create(goal=rated, session=session, rating=0, rated_by=world.alice)
    assert count_queries(http, "/portal/focus/") == few


def test_a_spanish_client_reads_the_text_in_spanish(world):
    Client.objects.filter(pk=world.amara.pk).update(language="es")
    agree(world)
    http = signed_in(world.portal, headers={"accept-language": "es"})
    page = visible_text(http.get("/portal/focus/"))
    assert "Esto es una depresión." in page and "No es culpa tuya" in page
    assert "Desacuerdos con una persona importante para ti" in page


# No raw codes in the record copy


def codes() -> set[str]:
    """Every code a model's choices or a data file uses, which a reader must never see bare."""
    found = {
        value
        for model in apps.get_models()
        if model.__module__.startswith("gentle")
        for f in model._meta.fields
        if f.choices
        for value, _label in f.flatchoices
        if isinstance(value, str) and value
    }
    found |= {t.id for t in protocol.techniques()}
    found |= {s["id"] for s in styles()} | {"mixed"} | {i for i, _t in checklist()}
    found |= {step["id"] for kind in kinds().values() for step in kind["steps"]}
    return found


# Codes that are also words of the page in that language, written through {% translate %}
# ("In conflict now: no", "Apr 2027 (planned)", "Dissolution (ending)"): in Spanish they read
# "sí", "previsto", ...
WORDS = {"en": {"yes", "no", "planned", "mixed", "ending"}, "es": {"no"}}


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_record_copy_of_demo_clients_shows_no_raw_code(language):
    seed_demo()
    known = codes() - WORDS[language]
    bare = {}
    clients = Client.objects.filter(courses__formulation__isnull=False).distinct()
    assert clients.count() >= 4
    for client in Client.objects.all():
        client.language = language
        html = render_html(build_record(client))
        for node in re.findall(r">([^<]+)<", html):
            for piece in re.split(r"[·:;,()\n]", node):
                if piece.strip() in known:
                    bare.setdefault(piece.strip(), node.strip()[:80])
        assert "Focus: dispute" not in html
    assert bare == {}


def test_the_record_copy_names_the_focus_in_plain_words(world):
    save(world)
    html = render_html(build_record(world.amara))
    assert "Focus: Disagreements with someone important to you" in visible_text(html)


@pytest.mark.parametrize(
    ("language", "plain"),
    [
        ("en", "Focus Disagreements with someone important to you"),
        ("es", "Desacuerdos con una persona importante para ti"),
    ],
)
def test_the_courses_section_names_the_course_focus_in_plain_words(world, language, plain):
    """Finding (issue 23): the courses section of the record copy named the focus by its IPT
    label ("Role dispute"), which the client's text never uses."""
    world.course.focus = "dispute"
    world.course.save(update_fields=["focus"])
    world.amara.language = language
    html = render_html(build_record(world.amara))
    start = html.index('id="courses"')
    section = visible_text(html[start : html.index("</details>", start)])  # a folded part
    assert plain in section
    assert "Role dispute" not in section and "Disputa de rol" not in section


# Worksheets from outside IPT


def test_worksheets_from_outside_ipt_say_they_are_adjuncts_and_where_they_come_from(world):
    dear_man = Worksheet.objects.create(
        client=world.amara,
        kind="dear_man",
        title="Asking for help",
        updated_by=world.alice,
        shared_with_client=True,
    )
    decision = Worksheet.objects.create(
        client=world.amara,
        kind="decision",
        title="Stay or move",
        updated_by=world.alice,
        shared_with_client=True,
    )
    staff = signed_in(world.alice)
    page = visible_text(staff.get(f"/worksheets/{dear_man.pk}/"))
    assert "Adjunct (from DBT)" in page
    assert "Not part of IPT itself: one of the interpersonal effectiveness skills" in page
    assert "Adjunct" not in visible_text(staff.get(f"/worksheets/{decision.pk}/"))
    hub = visible_text(staff.get(f"/clients/{world.amara.pk}/communication/"))
    assert "DEAR MAN · Adjunct (from DBT)" in hub
    assert "DESC script · Adjunct (from assertiveness training)" in hub  # the choice to start one
    client = signed_in(world.portal)
    listing = visible_text(client.get("/portal/communication/"))
    assert "Asking for help · DEAR MAN · Adjunct (from DBT)" in listing
    assert "Stay or move · Decision analysis ·" in listing
    assert "Adjunct (from DBT)" in visible_text(client.get(f"/portal/worksheets/{dear_man.pk}/"))
    record = visible_text(render_html(build_record(world.amara)))
    assert "DEAR MAN · Adjunct (from DBT)" in record
