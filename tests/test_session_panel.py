"""The session page prepares the session (issue 22): the "before this session" panel, with a
part from each app that keeps what the clinician prepares with (ADR 0039), the goals rated
inline and the tools linked to the session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gentle.audit.models import AuditEvent
from gentle.communication.models import Exchange, Worksheet
from gentle.courses.models import ProgressNote, SessionTool, SessionToolKind
from gentle.formulation.models import Formulation, Goal, GoalRating
from gentle.grief.models import CheckIn, Loss
from gentle.inventory.models import Person
from gentle.lib import session_panel
from gentle.measures.models import Administration
from gentle.roleplay.models import Rehearsal, Scenario
from gentle.safety.models import Alert
from gentle.timeline.models import DiaryEntry
from tests.factories import count_queries, make_course, make_session, signed_in, visible_text
from tests.world import another_client

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def note(session, user, plan: str) -> ProgressNote:
    return ProgressNote.objects.create(
        session=session, author=user, updated_by=user, plan=plan, mood=5
    )


def phq9(client, when, total: int, item9: int, *, session=None) -> Administration:
    return Administration.objects.create(
        client=client,
        course=session.course if session else None,
        session=session,
        instrument_id="phq9",
        instrument_version=1,
        mode="portal",
        status="submitted",
        created_by=client.care_team.first().user,
        answers={"phq9_9": item9},
        scores={"total": total},
        submitted_at=when,
    )


def goal(course, user, text: str) -> Goal:
    return Goal.objects.create(
        course=course,
        area="dispute",
        text=text,
        minus2="much worse",
        minus1="worse",
        zero="as hoped",
        plus1="better",
        plus2="much better",
        created_by=user,
    )


def person(client, name: str) -> Person:
    return Person.objects.create(
        client=client,
        name=name,
        name_key=name.casefold(),
        relationship="partner",
        updated_by=client.care_team.first().user,
    )


def exchange(client, user, label: str) -> Exchange:
    return Exchange.objects.create(client=client, person_label=label, updated_by=user)


def build(world, client, *, marker: str):
    """A course of three weekly sessions for ``client`` (two held, one now), with something in
    each app; ``marker`` is in every text so that another client's data can be told apart."""
    user = world.alice
    course = make_course(client, start_date=(NOW - timedelta(weeks=2)).date())
    first = make_session(course, user, starts_at=NOW - timedelta(weeks=2), attendance="attended")
    second = make_session(course, user, starts_at=NOW - timedelta(weeks=1), attendance="attended")
    third = make_session(course, user, starts_at=NOW)
    note(first, user, f"Plan one {marker}")
    note(second, user, f"Plan two {marker}")
    Formulation.objects.create(
        course=course,
        primary_area="dispute",
        text=f"Arguments with Tomás {marker} began when the money ran short.",
        updated_by=user,
    )
    goals = [goal(course, user, f"Goal {marker} {n}") for n in (1, 2)]
    GoalRating.objects.create(goal=goals[0], session=second, rating=-1, rated_by=user)
    phq9(client, NOW - timedelta(days=10), 19, 0)  # before the second session
    latest = phq9(client, NOW - timedelta(days=3), 14, 2)  # since the second session
    Alert.objects.create(
        client=client,
        source="administration",
        source_id=str(latest.pk),
        rule_id="phq9_item9_often",
        severity="high",
        reason=f"Item 9 {marker}",
    )
    partner = person(client, f"Tomás {marker}")
    for days, mood in ((5, 3), (4, 5), (2, 7)):
        entry = DiaryEntry.objects.create(
            client=client, day=timezone.localdate(NOW) - timedelta(days=days), mood=mood
        )
        if days != 4:
            entry.people.add(partner)
    tool = exchange(client, user, f"Tomás {marker}")
    return course, (first, second, third), goals, tool


@pytest.fixture
def amara(world):
    return build(world, world.amara, marker="AMARA")


@pytest.fixture
def other(world):
    return build(world, another_client(world, "Otto"), marker="OTTO")


def page(http, session) -> str:
    """What the reader sees of the session page's "before this session" panel."""
    response = http.get(reverse("session_detail", kwargs={"session_id": session.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    start = html.find('<section class="card session-panel"')
    if start < 0:
        return ""
    return visible_text(html[start : html.index("</section>", start)])


def test_each_part_shows_this_clients_data_for_the_session(world, amara, other):
    _course, (_first, _second, third), _goals, tool = amara
    SessionTool.objects.create(
        session=third, kind="exchange", object_id=tool.pk, created_by=world.alice
    )
    text = page(signed_in(world.alice), third)
    assert "Before this session" in text
    # Formulation: the focus and the formulation in one line; the goals with their last rating.
    assert "Role dispute" in text
    assert "Arguments with Tomás AMARA began when the money ran short." in text
    assert "Goal AMARA 1" in text and "Last rated −1" in text
    # The last session's plan and the sessions left.
    assert "Plan two AMARA" in text and "Plan one AMARA" not in text
    assert "2 of 12 contracted sessions held before this one." in text
    assert "7 sessions before the termination phase, which begins at session 10." in text
    # Measures since the last session only, with the band and item 9; the open alert.
    assert "PHQ-9 (depression) 14 / 27 Moderate" in text
    assert "More than half the days (2)" in text
    assert " 19 / 27" not in text
    assert "High risk alert, open · Item 9 AMARA" in text
    # The diary: overall and with the person written with.
    assert "3 days written: mood 5.0 on average (0–10), lowest 3, highest 7." in text
    assert "With Tomás AMARA: mood 5.0 on average (2 days)" in text
    # The tools used, named by the app that keeps them.
    assert "Communication analysis with Tomás AMARA" in text
    assert "OTTO" not in text


def test_each_dispute_shows_its_stage_primary_and_secondary(world, amara):
    """Finding (issue 23): the panel named the secondary focus but not its dispute's stage,
    which chooses that focus's agenda."""
    _course, (_first, _second, third), _goals, _tool = amara
    Formulation.objects.filter(course__client=world.amara).update(
        primary_area="grief", secondary_area="dispute", secondary_dispute_stage="impasse"
    )
    text = page(signed_in(world.alice), third)
    assert "Grief · second: Role dispute · Impasse" in text


def test_first_session_has_no_last_plan_and_says_so(world, amara):
    _course, (first, _second, _third), _goals, _tool = amara
    text = page(signed_in(world.alice), first)
    assert "This is the course's first session." in text
    assert "Plan one AMARA" not in text
    assert "0 of 12 contracted sessions held before this one." in text
    assert "The middle phase begins at session 4." in text


def test_the_second_session_shows_what_came_after_the_first(world, amara):
    _course, (_first, second, _third), _goals, _tool = amara
    text = page(signed_in(world.alice), second)
    assert "Plan one AMARA" in text and "Plan two AMARA" not in text
    assert "PHQ-9 (depression) 19 / 27 Moderately severe" in text
    assert " 14 / 27" not in text


def test_no_measures_since_the_last_session_is_said_plainly(world, amara):
    _course, (_first, _second, third), _goals, _tool = amara
    Administration.objects.filter(client=world.amara).delete()
    Alert.objects.filter(client=world.amara).delete()
    assert "No measures since the last session." in page(signed_in(world.alice), third)


def test_a_client_without_a_diary_or_formulation_has_no_such_parts(world):
    course = make_course(world.amara)
    session = make_session(course, world.alice)
    text = page(signed_in(world.alice), session)
    assert "Focus and formulation" not in text
    assert "Mood diary" not in text
    assert "No measures in the four weeks before this session." in text


def test_supervisor_reads_the_panel_without_forms(world, amara):
    _course, (_first, _second, third), _goals, _tool = amara
    response = signed_in(world.sue).get(reverse("session_detail", args=[third.pk]))
    text = visible_text(response)
    assert "Goal AMARA 1" in text and "last rated −1" in text
    assert reverse("session_goals_rate", args=[third.pk]) not in response.content.decode()
    assert reverse("session_tool_link", args=[third.pk]) not in response.content.decode()


def test_query_count_does_not_grow_with_the_data(world, amara):
    course, (_first, second, third), goals, tool = amara
    SessionTool.objects.create(
        session=third, kind="exchange", object_id=tool.pk, created_by=world.alice
    )
    http = signed_in(world.alice)
    url = reverse("session_detail", args=[third.pk])
    before = count_queries(http, url)
    client, user = world.amara, world.alice
    for n in range(4):
        phq9(client, NOW - timedelta(days=2, hours=n), 10 + n, 1)
        more = goal(course, user, f"More {n}")
        GoalRating.objects.create(goal=more, session=second, rating=n % 2, rated_by=user)
        entry = DiaryEntry.objects.create(
            client=client, day=timezone.localdate(NOW) - timedelta(days=(6, 3, 1, 0)[n]), mood=n
        )
        entry.people.add(person(client, f"Friend {n}"))
        Alert.objects.create(
            client=client,
            source="x",
            source_id=f"{client.pk}-{n}",
            rule_id="r",
            severity="low",
            reason="r",
        )
        SessionTool.objects.create(
            session=third,
            kind="exchange",
            object_id=exchange(client, user, "x").pk,
            created_by=user,
        )
    scenario = Scenario.objects.create(
        client=client, title="Say no", goal="g", opening="o", manner="sad", updated_by=user
    )
    rehearsal = Rehearsal.objects.create(
        client=client, scenario=scenario, confidence_before=5, started_by=user
    )
    sheet = Worksheet.objects.create(client=client, kind="desc", title="Sheet", updated_by=user)
    check_in = CheckIn.objects.create(
        loss=Loss.objects.create(client=client, who="Arturo", died_on=NOW.date(), created_by=user),
        day=NOW.date(),
        words=["numb"],
    )
    for kind, obj in (("rehearsal", rehearsal), ("worksheet", sheet), ("checkin", check_in)):
        SessionTool.objects.create(session=third, kind=kind, object_id=obj.pk, created_by=user)
    after = count_queries(http, url)
    # Each kind of tool linked names its own in one query, once: three more kinds, three more.
    assert after == before + 3
    text = page(http, third)
    assert "Role play: Say no" in text and "Grief check-in (Arturo)" in text


def test_every_kind_of_tool_is_named_by_an_app():
    assert set(session_panel.tool_kinds()) == set(SessionToolKind.values)


# Goals rated inline


def rate(http, session, data):
    return http.post(reverse("session_goals_rate", args=[session.pk]), data)


def test_clinician_rates_goals_for_this_session(world, amara):
    _course, (_first, _second, third), goals, _tool = amara
    http = signed_in(world.alice)
    response = rate(http, third, {f"goal-{goals[0].pk}": "1", f"goal-{goals[1].pk}": ""})
    assert response.status_code == 302
    assert response["Location"].endswith("#panel-formulation")
    assert GoalRating.objects.get(goal=goals[0], session=third).rating == 1
    assert not GoalRating.objects.filter(goal=goals[1], session=third).exists()
    assert AuditEvent.objects.filter(action="goal.rate", object_id=str(goals[0].pk)).exists()
    shown = http.get(response["Location"])
    assert "Ratings saved." in visible_text(shown)
    assert '<option value="1" selected>+1: better</option>' in shown.content.decode()
    # Rating again in the same session changes the rating; it does not add one.
    rate(http, third, {f"goal-{goals[0].pk}": "2"})
    assert GoalRating.objects.get(goal=goals[0], session=third).rating == 2


BAD_RATINGS = {
    "none": lambda goals: {},
    "all_empty": lambda goals: {f"goal-{g.pk}": "" for g in goals},
    "out_of_range": lambda goals: {f"goal-{goals[0].pk}": "3", f"goal-{goals[1].pk}": "1"},
    "not_a_number": lambda goals: {f"goal-{goals[0].pk}": "abc"},
}


@pytest.mark.parametrize("case", sorted(BAD_RATINGS))
def test_bad_ratings_change_nothing(world, amara, case):
    _course, (_first, _second, third), goals, _tool = amara
    http = signed_in(world.alice)
    response = rate(http, third, BAD_RATINGS[case](goals))
    assert response.status_code == 302
    assert not GoalRating.objects.filter(session=third).exists()
    text = visible_text(http.get(response["Location"]))
    expected = (
        "Choose a rating for at least one goal."
        if case in ("none", "all_empty")
        else "Rate each goal from −2 to +2, or leave it not rated."
    )
    assert expected in text


def test_a_cancelled_session_takes_no_rating(world, amara):
    _course, (_first, _second, third), goals, _tool = amara
    third.attendance = "cancelled"
    third.save()
    response = rate(signed_in(world.alice), third, {f"goal-{goals[0].pk}": "1"})
    assert response.status_code == 302
    assert not GoalRating.objects.filter(session=third).exists()


def test_supervisor_and_other_clinician_cannot_rate(world, amara):
    _course, (_first, _second, third), goals, _tool = amara
    for user in (world.sue, world.bob):
        response = rate(signed_in(user), third, {f"goal-{goals[0].pk}": "1"})
        assert response.status_code in (403, 404)
    assert not GoalRating.objects.filter(session=third).exists()


def test_another_courses_goal_is_not_rated_through_this_session(world, amara, other):
    _course, (_first, _second, third), _goals, _tool = amara
    _other_course, _sessions, other_goals, _other_tool = other
    response = rate(signed_in(world.alice), third, {f"goal-{other_goals[0].pk}": "1"})
    assert response.status_code == 302
    assert not GoalRating.objects.filter(session=third).exists()


# Tools linked to a session


def link(http, session, value: str):
    return http.post(reverse("session_tool_link", args=[session.pk]), {"tool": value})


def test_clinician_links_and_removes_a_tool(world, amara):
    _course, (_first, _second, third), _goals, tool = amara
    http = signed_in(world.alice)
    text = page(http, third)
    assert "Link a tool used in this session" in text
    response = link(http, third, f"exchange:{tool.pk}")
    assert response.status_code == 302
    made = SessionTool.objects.get(session=third)
    assert (made.kind, made.object_id, made.created_by) == ("exchange", tool.pk, world.alice)
    assert AuditEvent.objects.filter(action="session.tool_link").exists()
    text = visible_text(http.get(response["Location"]))
    assert "Tool linked to this session." in text
    assert "Communication analysis with Tomás AMARA" in text
    # Linking it again keeps one link.
    link(http, third, f"exchange:{tool.pk}")
    assert SessionTool.objects.filter(session=third).count() == 1
    response = http.post(reverse("session_tool_unlink", args=[third.pk]), {"link": made.pk})
    assert response.status_code == 302
    assert not SessionTool.objects.exists()
    assert AuditEvent.objects.filter(action="session.tool_unlink").exists()


@pytest.mark.parametrize("value", ["", "exchange", "exchange:x", "nope:1", "exchange:999999"])
def test_bad_tool_is_refused(world, amara, value):
    _course, (_first, _second, third), _goals, _tool = amara
    http = signed_in(world.alice)
    response = link(http, third, value)
    assert response.status_code == 302
    assert not SessionTool.objects.exists()
    assert "Choose one of this client's tools to link." in visible_text(
        http.get(response["Location"])
    )


def test_another_clients_tool_is_refused(world, amara, other):
    """Finding: courses cannot read the tool apps, so the id posted must be checked with the
    app that keeps it; an exchange of Otto's is not linked to Amara's session."""
    _course, (_first, _second, third), _goals, _tool = amara
    other_tool = other[3]
    response = link(signed_in(world.alice), third, f"exchange:{other_tool.pk}")
    assert response.status_code == 302
    assert not SessionTool.objects.exists()


def test_another_sessions_link_is_not_removed(world, amara, other):
    _course, (_first, _second, third), _goals, tool = amara
    other_session = other[1][2]
    made = SessionTool.objects.create(
        session=other_session, kind="exchange", object_id=other[3].pk, created_by=world.alice
    )
    http = signed_in(world.alice)
    response = http.post(reverse("session_tool_unlink", args=[third.pk]), {"link": made.pk})
    assert response.status_code == 302
    assert SessionTool.objects.filter(pk=made.pk).exists()
    for value in ("", "x"):
        http.post(reverse("session_tool_unlink", args=[third.pk]), {"link": value})
    assert SessionTool.objects.filter(pk=made.pk).exists()


def test_supervisor_and_other_clinician_cannot_link(world, amara):
    _course, (_first, _second, third), _goals, tool = amara
    made = SessionTool.objects.create(
        session=third, kind="exchange", object_id=tool.pk, created_by=world.alice
    )
    for user in (world.sue, world.bob):
        http = signed_in(user)
        assert link(http, third, f"exchange:{tool.pk}").status_code in (403, 404)
        response = http.post(reverse("session_tool_unlink", args=[third.pk]), {"link": made.pk})
        assert response.status_code in (403, 404)
    assert list(SessionTool.objects.all()) == [made]
