"""IPT for adolescents (issue 23, part 3; docs/adolescents.md, ADR 0049): the PHQ-A with its
item 9 and past-month question wired to the safety net, the IPT-A format with its agendas and
measures schedule, who took part in each session (parent sessions), school as a role, and the
demo's IPT-A course."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from gentle.audit.models import AuditEvent
from gentle.courses.models import Course, Session
from gentle.measures.instruments import catalogue
from gentle.measures.models import Administration
from gentle.measures.scoring import score_all, triggered_rules
from gentle.measures.selectors import default_schedule, is_due
from gentle.portal.record import build_record, render_html
from gentle.safety import severity
from gentle.safety.models import Alert, CrisisText
from tests.factories import make_course, make_session, signed_in, visible_text
from tests.world import World

PHQA = catalogue()["phqa"]
NINE = [f"phqa_{n}" for n in range(1, 10)]
CRISIS_EN = "Hillside out-of-hours line: 0100 200 300."


# The instrument: scoring, bands, reference cut-off and licence -----------------------------------


def answers(total_each: int = 0, **extra: int) -> dict[str, int]:
    return dict.fromkeys(NINE, total_each) | {"phqa_month": 0, "phqa_ever": 0} | extra


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "Minimal"), (4, "Minimal"), (5, "Mild"), (9, "Mild"), (10, "Moderate")]
    + [(14, "Moderate"), (15, "Moderately severe"), (19, "Moderately severe")]
    + [(20, "Severe"), (27, "Severe")],
)
def test_the_phqa_bands_are_the_phq9s(total, band):
    assert PHQA.main_score.band_for(total).label["en"] == band


def test_the_total_sums_the_nine_items_and_the_yes_no_questions_are_not_scored():
    scores = {s.score.id: s for s in score_all(PHQA, answers(2, phqa_month=1, phqa_year=1))}
    assert scores["total"].value == 18
    assert (PHQA.main_score.minimum, PHQA.main_score.maximum) == (0, 27)
    assert set(PHQA.main_score.items) == set(NINE)


@pytest.mark.parametrize(
    ("total", "at_or_above"), [(10, False), (11, True), (27, True), (0, False)]
)
def test_the_adolescent_cut_off_of_11_is_a_reference_score_not_a_rule(total, at_or_above):
    reference = next(s for s in PHQA.scores if s.id == "reference")
    band = reference.band_for(total)
    assert band.label["en"].startswith("At or above") is at_or_above
    assert "Richardson" in PHQA.notes and "not a diagnosis or a rule" in PHQA.notes


def test_the_wording_is_summarised_and_the_licence_is_unconfirmed():
    assert not PHQA.licence_confirmed
    assert "licence unconfirmed" in PHQA.title["en"]
    assert "Johnson, Harris, Spitzer & Williams" in PHQA.source
    assert "Pfizer" in PHQA.licence and "APA" in PHQA.licence
    assert not PHQA.loinc and not any(item.loinc for item in PHQA.items)
    assert all(item.text_by_language.get("es") for item in PHQA.items)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [({}, []), ({"phqa_9": 1}, [("phqa_item9_some", "moderate")])]
    + [({"phqa_9": 2}, [("phqa_item9_often", "high")])]
    + [({"phqa_9": 3}, [("phqa_item9_often", "high")])]
    + [({"phqa_month": 1}, [("phqa_month_yes", "high")])]
    + [({"phqa_ever": 1}, [("phqa_ever_yes", "moderate")])]
    + [({"phqa_year": 1}, [])],
)
def test_item_9_and_the_yes_no_questions_raise_the_tables_severity(extra, expected):
    hits = triggered_rules(PHQA, answers(0, **extra))
    assert [(rule.id, rule.severity) for rule in hits] == expected
    for rule in hits:
        assert rule.severity == severity.table().severity(rule.sign)


def test_phqa_item_9_follows_the_same_signs_as_phq9_item_9():
    phq9 = catalogue()["phq9"]
    signs = {r.values: r.sign for r in phq9.rules if r.item == "phq9_9"}
    assert {r.values: r.sign for r in PHQA.rules if r.item == "phqa_9"} == signs


# Through the portal and in session ---------------------------------------------------------------


@pytest.fixture
def world(world: World) -> World:
    CrisisText.objects.create(clinic=world.clinic, language="en", text=CRISIS_EN)
    return world


def form(item9: int = 0, month: int = 0, ever: int = 0, *, submit: bool = True) -> dict:
    return dict.fromkeys(NINE[:8], "1") | {
        "phqa_9": str(item9),
        "phqa_month": str(month),
        "phqa_ever": str(ever),
        "submit": "1" if submit else "0",
    }


def start(world: World, mode: str) -> Administration:
    response = signed_in(world.alice).post(
        f"/clients/{world.amara.pk}/measures/new/", {"instrument": "phqa", "mode": mode}
    )
    assert response.status_code == 302
    return Administration.objects.filter(client=world.amara).latest("pk")


def alerts(world: World) -> list[tuple[str, str]]:
    return sorted(Alert.objects.filter(client=world.amara).values_list("rule_id", "severity"))


@pytest.mark.django_db
def test_a_young_person_answering_yes_to_the_past_month_sees_the_crisis_response(world):
    administration = start(world, "portal")
    portal = signed_in(world.portal)
    page = visible_text(portal.get(f"/portal/questionnaires/{administration.pk}/"))
    assert "In the past month, have you seriously thought about ending your life?" in page
    response = portal.post(f"/portal/questionnaires/{administration.pk}/", form(month=1))
    text = visible_text(response)
    assert "Thank you for your answers" in text and CRISIS_EN in text
    assert alerts(world) == [("phqa_month_yes", "high")]
    administration.refresh_from_db()
    assert administration.status == "submitted" and administration.scores["total"] == 8


@pytest.mark.django_db
def test_item_9_on_some_days_in_the_portal_raises_a_moderate_alert_and_shows_crisis_text(world):
    administration = start(world, "portal")
    response = signed_in(world.portal).post(
        f"/portal/questionnaires/{administration.pk}/", form(item9=1)
    )
    assert CRISIS_EN in visible_text(response)
    assert alerts(world) == [("phqa_item9_some", "moderate")]


@pytest.mark.django_db
def test_no_risk_answers_raise_nothing_and_show_no_crisis_text(world):
    administration = start(world, "portal")
    response = signed_in(world.portal).post(f"/portal/questionnaires/{administration.pk}/", form())
    assert CRISIS_EN not in visible_text(response)
    assert alerts(world) == []


@pytest.mark.django_db
def test_a_missing_past_month_answer_is_refused_and_raises_nothing(world):
    administration = start(world, "portal")
    data = form()
    del data["phqa_month"]
    response = signed_in(world.portal).post(f"/portal/questionnaires/{administration.pk}/", data)
    assert response.status_code == 400
    assert "Question 11" in visible_text(response)
    assert alerts(world) == []
    administration.refresh_from_db()
    assert administration.status != "submitted"


@pytest.mark.django_db
def test_another_client_cannot_answer_someone_elses_phqa(world):
    administration = start(world, "portal")
    response = signed_in(world.far_portal).post(
        f"/portal/questionnaires/{administration.pk}/", form(month=1)
    )
    assert response.status_code == 404
    assert alerts(world) == []


@pytest.mark.django_db
def test_an_attempt_entered_in_session_raises_a_moderate_alert_the_clinician_sees(world):
    administration = start(world, "in_session")
    alice = signed_in(world.alice)
    response = alice.post(f"/administrations/{administration.pk}/", form(ever=1, submit=False))
    text = visible_text(response)
    assert "Safety alert raised for the care team: Has tried to end their life" in text
    assert alerts(world) == [("phqa_ever_yes", "moderate")]


# The format: defaults, agendas per phase, schedule ---------------------------------------------


def new_course(world: World) -> Course:
    response = signed_in(world.alice).post(
        f"/clients/{world.amara.pk}/courses/new/",
        {"format": "adolescent", "kind": "acute", "start_date": "2026-11-16"}
        | dict.fromkeys(
            ("contracted_sessions", "session_minutes", "initial_last", "termination_first"), ""
        ),
    )
    assert response.status_code == 302
    return Course.objects.get(client=world.amara)


def selected(html: str, name: str) -> str:
    block = html[html.index(f'name="{name}"') :]
    block = block[: block.index("</select>")]
    found = re.search(r'<option value="([^"]*)"[^>]*selected', block)
    return found.group(1) if found else ""


@pytest.mark.django_db
def test_an_ipta_course_has_its_defaults_agendas_per_phase_and_schedule(world):
    course = new_course(world)
    assert (course.contracted_sessions, course.session_minutes) == (12, 45)
    assert (course.initial_last, course.termination_first) == (4, 9)
    course.focus = "transition"
    course.save()
    first_day = timezone.now() - timedelta(weeks=12)
    sessions = [
        make_session(course, world.alice, starts_at=first_day + timedelta(weeks=n), minutes=45)
        for n in range(12)
    ]
    alice = signed_in(world.alice)
    first = visible_text(alice.get(f"/sessions/{sessions[0].pk}/"))
    assert "Give a limited sick role: keep going to school" in first
    assert "closeness circle: family, friends, classmates and teachers" in first
    assert "The parent or carer's part" in first
    assert "PHQ-A item 9" in first
    middle = visible_text(alice.get(f"/sessions/{sessions[5].pk}/"))
    assert "School as a role" in middle
    assert "bring the parent in" in middle
    assert "Give a limited sick role" not in middle
    last = visible_text(alice.get(f"/sessions/{sessions[10].pk}/"))
    assert "A joint closing with the parent or carer" in last

    schedule = alice.get(f"/courses/{course.pk}/measure-schedule/").content.decode()
    assert selected(schedule, "rule_phqa") == "every_session"
    assert selected(schedule, "rule_gad7") == "every_n"
    rules = default_schedule("adolescent")
    assert rules == (("phqa", "every_session", None), ("gad7", "every_n", 4))
    gad7 = [n for n in range(1, 13) if is_due("every_n", 4, n, 12)]
    assert gad7 == [1, 4, 8, 12]


# Who took part: set, shown, refused, denied -------------------------------------------------------


@pytest.mark.django_db
def test_the_session_form_offers_who_takes_part_on_an_ipta_course_and_saves_it(world):
    course = new_course(world)
    alice = signed_in(world.alice)
    page = visible_text(alice.get(f"/courses/{course.pk}/sessions/new/"))
    assert "Who takes part" in page and "A parent or carer alone" in page
    response = alice.post(
        f"/courses/{course.pk}/sessions/new/",
        {
            "date": "2026-11-16",
            "time": "16:00",
            "minutes": 45,
            "mode": "in_person",
            "participants": "parent_only",
        },
    )
    assert response.status_code == 302
    session = Session.objects.get(course=course)
    assert session.participants == "parent_only"
    assert "A parent or carer alone" in visible_text(alice.get(f"/sessions/{session.pk}/"))


@pytest.mark.django_db
def test_another_format_keeps_todays_form_and_ignores_a_posted_participant(world):
    course = make_course(world.amara)
    alice = signed_in(world.alice)
    assert "Who takes part" not in visible_text(alice.get(f"/courses/{course.pk}/sessions/new/"))
    alice.post(
        f"/courses/{course.pk}/sessions/new/",
        {
            "date": "2026-11-16",
            "time": "10:00",
            "minutes": 50,
            "mode": "video",
            "participants": "parent_only",
        },
    )
    assert Session.objects.get(course=course).participants == "client"


@pytest.mark.django_db
def test_who_took_part_is_saved_from_the_session_page_and_shown_in_grid_and_record(world):
    course = make_course(
        world.amara, format="adolescent", session_minutes=45, initial_last=4, termination_first=9
    )
    session = make_session(course, world.alice, attendance="attended")
    alice = signed_in(world.alice)
    response = alice.post(
        f"/sessions/{session.pk}/participants/", {"participants": "with_parent"}, follow=True
    )
    assert "Who took part saved." in visible_text(response)
    session.refresh_from_db()
    assert session.participants == "with_parent"
    assert AuditEvent.objects.filter(action="session.participants", object_id=session.pk).exists()
    grid = visible_text(alice.get(f"/courses/{course.pk}/grid/"))
    assert "Who took part" in grid and "The client with a parent or carer" in grid
    copy = render_html(build_record(world.amara))
    assert '<th scope="col">Who took part</th>' in copy
    assert "The client with a parent or carer" in copy


@pytest.mark.django_db
def test_an_unknown_participant_is_refused_with_a_message_and_nothing_changes(world):
    course = make_course(world.amara, format="adolescent", initial_last=4, termination_first=9)
    session = make_session(course, world.alice)
    response = signed_in(world.alice).post(
        f"/sessions/{session.pk}/participants/", {"participants": "grandparent"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in visible_text(response)
    session.refresh_from_db()
    assert session.participants == "client"


@pytest.mark.django_db
def test_who_took_part_is_refused_on_a_course_not_for_adolescents(world):
    session = make_session(make_course(world.amara), world.alice)
    response = signed_in(world.alice).post(
        f"/sessions/{session.pk}/participants/", {"participants": "parent_only"}, follow=True
    )
    assert "recorded only on a course for adolescents (IPT-A)" in visible_text(response)
    session.refresh_from_db()
    assert session.participants == "client"
    assert not AuditEvent.objects.filter(action="session.participants").exists()


@pytest.mark.django_db
def test_a_clinician_without_access_cannot_set_who_took_part(world):
    course = make_course(world.amara, format="adolescent", initial_last=4, termination_first=9)
    session = make_session(course, world.alice)
    for user in (world.bob, world.sue):
        response = signed_in(user).post(
            f"/sessions/{session.pk}/participants/", {"participants": "parent_only"}
        )
        assert response.status_code in (403, 404)
    session.refresh_from_db()
    assert session.participants == "client"


@pytest.mark.django_db
def test_a_parent_only_session_is_said_in_the_counts_of_sessions_held(world):
    """The rule (ADR 0049): it keeps its place in the course, and every count says so."""
    course = make_course(
        world.amara, format="adolescent", session_minutes=45, initial_last=4, termination_first=9
    )
    start = timezone.now() - timedelta(weeks=3)
    make_session(course, world.alice, starts_at=start, attendance="attended")
    make_session(
        course,
        world.alice,
        starts_at=start + timedelta(weeks=1),
        attendance="attended",
        participants="parent_only",
    )
    third = make_session(course, world.alice, starts_at=start + timedelta(weeks=2))
    alice = signed_in(world.alice)
    page = visible_text(alice.get(f"/sessions/{third.pk}/"))
    assert "2 of 12 contracted sessions held before this one." in page
    assert "1 of them was with a parent or carer alone, without the client." in page
    summary = visible_text(alice.get(f"/courses/{course.pk}/summary/"))
    assert "2 of 12 attended (including 1 with a parent or carer alone" in summary


# School as a role -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_teacher_and_a_change_of_school_can_be_recorded_and_suggest_a_transition(world):
    alice = signed_in(world.alice)
    record = world.amara
    response = alice.post(
        f"/clients/{record.pk}/inventory/new/",
        {"name": "Ms Reyes", "relationship": "teacher", "ring": 3}
        | {"knows_about_depression": "unknown", "expectations_met": "unknown"},
    )
    assert response.status_code == 302
    assert "Teacher" in visible_text(alice.get(f"/clients/{record.pk}/inventory/"))
    onset = timezone.localdate() - timedelta(days=20)
    response = alice.post(
        f"/clients/{record.pk}/timeline/events/new/",
        {
            "when": (onset - timedelta(days=60)).isoformat(),
            "category": "school",
            "description": "Started at a new school",
        },
    )
    assert response.status_code == 302
    alice.post(
        f"/clients/{record.pk}/timeline/episodes/new/",
        {"start": onset.isoformat(), "description": "Low mood"},
    )
    assert "Started or changed school" in visible_text(alice.get(f"/clients/{record.pk}/timeline/"))

    from gentle.formulation.rules import suggest
    from gentle.inventory.models import Person
    from gentle.timeline.selectors import rows

    suggestions = suggest(list(Person.objects.filter(client=record)), rows(record))
    assert "transition" in {s.area for s in suggestions}


# The demo ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_has_an_ipta_course_told_through_its_pages(client, settings):
    from gentle.accounts.models import User
    from gentle.demo import seed_demo

    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    course = Course.objects.get(format="adolescent")
    young = course.client
    age = (timezone.localdate() - young.date_of_birth).days // 365
    assert 14 <= age <= 16
    client.force_login(User.objects.get(email="clinician@demo.gentle.test"))
    held = list(course.sessions.filter(attendance="attended").order_by("starts_at"))
    phases = {course.phase_of(n) for n in range(1, len(held) + 1)}
    assert phases == {"initial", "middle"}
    assert [s.participants for s in held].count("parent_only") == 1
    grid = visible_text(client.get(f"/courses/{course.pk}/grid/"))
    assert "A parent or carer alone" in grid and "PHQ-A" in grid
    given = Administration.objects.filter(course=course, instrument_id="phqa").order_by("pk")
    totals = [a.scores["total"] for a in given]
    assert len(totals) == len(held) - 1  # none at the mother's session alone
    assert totals[0] > totals[-1] and totals == sorted(totals, reverse=True)
    alert = Alert.objects.get(client=young, rule_id="phqa_item9_some")
    assert alert.acknowledged_at is not None
    inventory = visible_text(client.get(f"/clients/{young.pk}/inventory/"))
    assert "Ms Reyes" in inventory and "Teacher" in inventory
    timeline = visible_text(client.get(f"/clients/{young.pk}/timeline/"))
    assert "Started at a new school after the move" in timeline
    formulation = visible_text(client.get(f"/courses/{course.pk}/formulation/"))
    assert "new school" in formulation
    last = visible_text(client.get(f"/sessions/{held[-1].pk}/"))
    assert "School as a role" in last
    assert "1 of them was with a parent or carer alone, without the client." in last
