"""Group IPT's schedule, pre-group session and shared session record, and safety in groups
(issue 24 parts 3 and 4, ADR 0053): through HTTP, on a real database, what people see."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from gentle.accounts.models import Role
from gentle.audit.models import AuditEvent
from gentle.courses.models import Attendance
from gentle.courses.protocol import PRE_GROUP
from gentle.groups import actions
from gentle.groups.models import (
    Group,
    GroupAttendance,
    GroupMember,
    GroupSession,
    GroupSessionStatus,
    GroupStatus,
)
from gentle.measures.models import Administration
from gentle.safety.models import Alert
from tests.factories import count_queries, make_client, make_person, signed_in, visible_text

pytestmark = pytest.mark.django_db

FIRST = date(2025, 3, 3)  # a Monday, in the past: sessions are recorded after they begin
ITEMS = [f"phq9_{n}" for n in range(1, 10)]


@pytest.fixture
def world(world):
    world.facilitator = make_person(world.clinic, Role.FACILITATOR)
    return world


def make_group(world, *, members: int = 2, scheduled: bool = True, co=None) -> Group:
    """A group run by the lay facilitator (Alice co-facilitating), Amara and ``members`` - 1
    more of Alice's clients on its roster (added through the action, with their pre-group
    sessions), and its schedule at 18:00."""
    group = Group.objects.create(
        clinic=world.clinic,
        name="Monday group",
        language="en",
        setting="in_person",
        place="Room 2",
        starts_on=FIRST,
        facilitator=world.facilitator,
        co_facilitator=co or world.alice,
    )
    clients = [world.amara] + [
        make_client(world.clinic, clinicians=[world.alice]) for _ in range(members - 1)
    ]
    for client in clients:
        actions.member_add(by=world.alice, group=group, client=client, joined_on=FIRST)
    if scheduled:
        actions.schedule_make(by=world.alice, group=group, at=time(18, 0))
    return group


def url(group: Group, number: int = 1) -> str:
    return f"/groups/{group.pk}/sessions/{number}/"


def all_came(group: Group, **extra) -> dict:
    data = {f"came-{m.pk}": "1" for m in group.members.all()}
    return {"summary": "We met.", "practice": "Talk to one person.", **data, **extra}


def phq(member: GroupMember, *values: int) -> dict:
    return {f"phq-{member.pk}-{item}": str(v) for item, v in zip(ITEMS, values, strict=True)}


def amara(group: Group) -> GroupMember:
    return group.members.get(client__given_name="Amara")


# The schedule ---------------------------------------------------------------------------------


def test_making_the_schedule_gives_the_formats_weekly_sessions_from_the_first(world):
    group = make_group(world, scheduled=False)
    browser = signed_in(world.alice)
    assert "Make the schedule" in visible_text(browser.get(f"/groups/{group.pk}/"))
    response = browser.post(f"/groups/{group.pk}/schedule/", {"at": "18:30"})
    assert response.status_code == 302
    sessions = list(group.sessions.order_by("number"))
    assert [s.number for s in sessions] == list(range(1, 9))
    days = [timezone.localtime(s.starts_at).date() for s in sessions]
    assert days == [FIRST + timedelta(weeks=n) for n in range(8)]
    assert timezone.localtime(sessions[0].starts_at).time() == time(18, 30)
    assert AuditEvent.objects.filter(action="group.schedule", object_id=str(group.pk)).exists()
    text = visible_text(browser.get(f"/groups/{group.pk}/"))
    assert "Session 8" in text and "Make the schedule" not in text


def test_the_schedule_is_made_once_and_needs_a_time_and_a_manager(world):
    group = make_group(world, scheduled=False)
    # A lay facilitator runs the group but does not set up its schedule.
    assert signed_in(world.facilitator).post(f"/groups/{group.pk}/schedule/", {"at": "18:00"})
    assert not group.sessions.exists()
    browser = signed_in(world.alice)
    page = browser.post(f"/groups/{group.pk}/schedule/", {"at": "late"}, follow=True)
    assert "Give the time of the sessions." in visible_text(page)
    assert not group.sessions.exists()
    browser.post(f"/groups/{group.pk}/schedule/", {"at": "18:00"})
    page = browser.post(f"/groups/{group.pk}/schedule/", {"at": "19:00"}, follow=True)
    assert "This group already has its schedule." in visible_text(page)
    assert group.sessions.count() == 8


def test_facilitator_cannot_make_the_schedule(world):
    group = make_group(world, scheduled=False)
    response = signed_in(world.facilitator).post(f"/groups/{group.pk}/schedule/", {"at": "18:00"})
    assert response.status_code == 404


def test_moving_session_1_moves_the_first_session_date_and_order_is_kept(world):
    group = make_group(world)
    browser = signed_in(world.facilitator)
    moved = FIRST + timedelta(days=1)
    response = browser.post(
        f"/groups/{group.pk}/sessions/1/move/", {"day": moved.isoformat(), "at": "17:00"}
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.starts_on == moved
    # Past session 2: refused, said, nothing moved.
    late = FIRST + timedelta(days=20)
    response = browser.post(
        f"/groups/{group.pk}/sessions/1/move/", {"day": late.isoformat(), "at": "17:00"}
    )
    assert response.status_code == 400
    assert "A session must come after the one before it and before the next." in visible_text(
        response
    )
    group.refresh_from_db()
    assert group.starts_on == moved
    # Changing the group's first session on its form moves session 1 with it.
    actions.group_update(
        by=world.alice,
        group=group,
        status=group.status,
        setting="in_person",
        place="Room 2",
        starts_on=FIRST - timedelta(days=1),
    )
    first = group.sessions.get(number=1)
    assert timezone.localtime(first.starts_at).date() == FIRST - timedelta(days=1)


def test_cancelling_a_session(world):
    group = make_group(world)
    browser = signed_in(world.facilitator)
    assert browser.post(f"/groups/{group.pk}/sessions/3/move/", {"cancel": "1"}).status_code == 302
    assert group.sessions.get(number=3).status == GroupSessionStatus.CANCELLED
    response = browser.post(url(group, 3), all_came(group))
    assert response.status_code == 400
    assert "This session was cancelled." in visible_text(response)
    # Another facilitator's browser cannot move it.
    other = make_person(world.clinic, Role.FACILITATOR)
    assert (
        signed_in(other).post(f"/groups/{group.pk}/sessions/4/move/", {"cancel": "1"}).status_code
        == 404
    )
    assert group.sessions.get(number=4).status == GroupSessionStatus.SCHEDULED


# The pre-group session and the agendas --------------------------------------------------------


def test_a_member_joining_gets_a_pre_group_session_on_their_own_course(world):
    group = make_group(world, scheduled=False, members=1)
    member = amara(group)
    course = member.course
    # 1 pre-group + 8 group sessions; the group's phases follow: session 1 is course session 2.
    assert (course.contracted_sessions, course.initial_last, course.termination_first) == (9, 2, 9)
    pre = course.sessions.get()
    assert pre.agenda_format == PRE_GROUP
    assert timezone.localtime(pre.starts_at).date() == FIRST - timedelta(days=7)
    # Its page shows the pre-group agenda: the inventory and the medication review.
    text = visible_text(signed_in(world.alice).get(f"/sessions/{pre.pk}/"))
    assert "Take the interpersonal inventory of important people" in text
    assert "Medication review by a specialist where needed" in text
    assert "Is a group right for them now?" in text


def test_group_session_1s_agenda_has_the_groups_steps_and_not_the_pre_group_ones(world):
    group = make_group(world)
    text = visible_text(signed_in(world.facilitator).get(url(group, 1)))
    assert "Agree the group's rules, confidentiality first" in text
    assert "Each member names their problem area and links it to their mood" in text
    assert "interpersonal inventory" not in text and "medication" not in text.lower()
    middle = visible_text(signed_in(world.facilitator).get(url(group, 4)))
    assert "Review the practice from last week" in middle
    last = visible_text(signed_in(world.facilitator).get(url(group, 8)))
    assert "What each member learned and how their problem area changed" in last


# The shared session record --------------------------------------------------------------------


def test_the_facilitator_records_a_whole_session_in_one_post(world):
    group = make_group(world, members=3)
    first, second, third = group.members.order_by("pk")
    browser = signed_in(world.facilitator)
    page = visible_text(browser.get(url(group)))
    assert first.client.full_name in page and third.client.full_name in page
    data = {
        "agenda": ["introductions", "rules"],
        "summary": "Introductions and rules.",
        "practice": "Notice your mood each day.",
        f"came-{first.pk}": "1",
        f"note-{first.pk}": "Spoke about her sister.",
        **phq(first, 2, 2, 2, 2, 2, 2, 2, 2, 0),
        f"came-{second.pk}": "1",
        f"follow-{second.pk}": "1",
        f"reason-{second.pk}": "Seemed very low; check in this week.",
        f"came-{third.pk}": "0",
    }
    response = browser.post(url(group), data)
    assert response.status_code == 302
    session = group.sessions.get(number=1)
    assert session.status == GroupSessionStatus.HELD
    assert session.agenda_done == ["introductions", "rules"]
    assert (session.summary, session.practice, session.recorded_by) == (
        "Introductions and rules.",
        "Notice your mood each day.",
        world.facilitator,
    )
    group.refresh_from_db()
    assert group.status == GroupStatus.RUNNING
    rows = {a.member_id: a for a in session.attendance.select_related("course_session")}
    assert {pk: a.attended for pk, a in rows.items()} == {
        first.pk: True,
        second.pk: True,
        third.pk: False,
    }
    # Each member's course gets the session, attendance mapped, linked from the attendance.
    for member, expected in ((first, Attendance.ATTENDED), (third, Attendance.NO_SHOW)):
        course_session = rows[member.pk].course_session
        assert course_session.course_id == member.course_id
        assert course_session.attendance == expected
        assert course_session.starts_at == session.starts_at
    assert rows[first.pk].course_session.agenda_done == ["introductions", "rules"]
    # The PHQ-9 is on the member's own course session, scored.
    administration = Administration.objects.get(client=first.client)
    assert administration.session == rows[first.pk].course_session
    assert administration.scores["total"] == 16
    # The follow-up flag reaches the member's care team as a low alert.
    flag = Alert.objects.get(client=second.client)
    assert (flag.severity, flag.source) == ("low", actions.FOLLOW_UP_SOURCE)
    assert AuditEvent.objects.filter(action="group.session_record").count() == 1
    text = visible_text(browser.get(url(group)))
    assert "PHQ-9 at this session: 16" in text
    assert "Flagged for follow-up at group session 1: their care team has been told." in text


def test_a_clinician_who_runs_the_group_records_it(world):
    group = make_group(world)
    response = signed_in(world.alice).post(url(group), all_came(group))
    assert response.status_code == 302
    assert group.sessions.get(number=1).status == GroupSessionStatus.HELD


def test_a_supervisor_reads_the_session_but_cannot_record_it(world):
    group = make_group(world)
    browser = signed_in(world.sue)
    page = browser.get(url(group))
    assert page.status_code == 200
    assert "Save the session" not in visible_text(page)
    assert browser.post(url(group), all_came(group)).status_code == 404
    assert not GroupAttendance.objects.exists()


def test_another_facilitator_and_another_clinic_get_404(world):
    group = make_group(world)
    other = make_person(world.clinic, Role.FACILITATOR)
    for person in (other, world.far_clinician, world.bob):
        browser = signed_in(person)
        assert browser.get(url(group)).status_code == 404
        assert browser.post(url(group), all_came(group)).status_code == 404
    assert not GroupAttendance.objects.exists()
    assert group.sessions.get(number=1).status == GroupSessionStatus.SCHEDULED


def refused(response, message: str, group: Group) -> str:
    assert response.status_code == 400
    text = visible_text(response)
    assert "Nothing was saved." in text
    assert message in text
    assert not GroupAttendance.objects.exists()
    assert not Administration.objects.exists()
    assert group.sessions.get(number=1).status == GroupSessionStatus.SCHEDULED
    return response.content.decode()


def test_a_session_with_nobody_marked_is_refused_and_what_was_typed_stays(world):
    group = make_group(world)
    member = amara(group)
    html = refused(
        signed_in(world.facilitator).post(
            url(group), {"summary": "Kept summary", f"note-{member.pk}": "Kept note"}
        ),
        "Mark who came and who did not: nobody is marked.",
        group,
    )
    assert "Kept summary" in html and "Kept note" in html


def test_everyone_must_be_marked(world):
    group = make_group(world)
    first = group.members.order_by("pk").first()
    refused(
        signed_in(world.facilitator).post(url(group), {f"came-{first.pk}": "1"}),
        "Mark whether they came.",
        group,
    )


def test_a_phq9_for_someone_not_on_the_roster_is_refused(world):
    group = make_group(world)
    elsewhere = Group.objects.create(
        clinic=world.clinic,
        name="Other group",
        language="en",
        setting="video",
        starts_on=FIRST,
        facilitator=world.bob,
    )
    stranger = make_client(world.clinic, clinicians=[world.bob])
    forged = actions.member_add(by=world.bob, group=elsewhere, client=stranger, joined_on=FIRST)
    data = all_came(group, **{f"came-{forged.pk}": "1"}, **phq(forged, *[1] * 9))
    refused(
        signed_in(world.facilitator).post(url(group), data),
        "Someone marked is not on this session's roster",
        group,
    )


def test_an_out_of_range_phq9_answer_is_refused_and_kept(world):
    group = make_group(world)
    member = amara(group)
    data = all_came(group, **phq(member, 1, 1, 1, 7, 1, 1, 1, 1, 0))
    html = refused(
        signed_in(world.facilitator).post(url(group), data),
        "PHQ-9: Question 4: choose one of the answers offered.",
        group,
    )
    assert 'value="7"' in html


def test_a_member_who_left_before_the_session_cannot_be_marked(world):
    group = make_group(world)
    member = amara(group)
    actions.member_leave(by=world.alice, member=member, left_on=FIRST, reason="moved")
    session_2 = url(group, 2)
    response = signed_in(world.alice).post(session_2, all_came(group))
    assert response.status_code == 400
    assert "Someone marked is not on this session's roster" in visible_text(response)
    assert not GroupAttendance.objects.exists()
    # Without them, the session is recorded; their course gets nothing.
    others = {k: v for k, v in all_came(group).items() if k != f"came-{member.pk}"}
    assert signed_in(world.alice).post(session_2, others).status_code == 302
    assert not GroupAttendance.objects.filter(member=member).exists()


# Safety in groups -----------------------------------------------------------------------------


def test_item_9_raises_the_members_alert_and_the_facilitator_sees_what_to_do(world):
    group = make_group(world)
    member = amara(group)
    browser = signed_in(world.facilitator)
    data = all_came(group, **phq(member, 1, 1, 1, 1, 1, 1, 1, 1, 2))
    page = browser.post(url(group), data, follow=True)
    assert "A member's answer raised a safety alert." in visible_text(page)
    alert = Alert.objects.get(client=world.amara)
    assert (alert.source, alert.rule_id) == ("administration", "phq9_item9_often")
    for seen in (browser.get(url(group)), browser.get(f"/groups/{group.pk}/")):
        text = visible_text(seen)
        assert "Risk answer at group session 1." in text
        assert "Tell the supervising clinician now." in text
        assert "A member has an open safety alert" in text
        assert alert.reason not in text  # the alert's details stay with the care team
    # The care team sees the alert on the member's record as any other.
    assert alert.reason in visible_text(signed_in(world.alice).get(f"/alerts/{alert.pk}/"))


def test_the_facilitator_is_not_told_of_another_groups_member(world):
    group = make_group(world)
    mine = visible_text(signed_in(world.facilitator).get(f"/groups/{group.pk}/"))
    assert "Tell the supervising clinician now." not in mine


# Query counts -----------------------------------------------------------------------------------


def test_the_session_screen_makes_a_fixed_number_of_queries_as_members_grow(world):
    group = make_group(world, members=2)
    browser = signed_in(world.facilitator)
    browser.post(url(group), all_came(group, **phq(amara(group), *[1] * 9)))
    before = count_queries(browser, url(group))
    for _ in range(4):
        client = make_client(world.clinic, clinicians=[world.alice])
        actions.member_add(by=world.alice, group=group, client=client, joined_on=FIRST)
    Group.objects.filter(pk=group.pk).update(status=GroupStatus.RUNNING)
    GroupSession.objects.filter(group=group, number=1).update(status=GroupSessionStatus.SCHEDULED)
    browser.post(url(group), all_came(group))
    assert count_queries(browser, url(group)) == before


def test_the_schedule_books_each_members_course_sessions_which_follow_the_group(world):
    """The member's course runs ahead of the meetings (its PHQ-9 due each session): the schedule
    books their sessions; moving, cancelling and leaving carry over; recording takes them."""
    group = make_group(world)
    member = amara(group)
    group_sessions = list(group.sessions.order_by("number"))
    booked = member.course.sessions.exclude(agenda_format=PRE_GROUP).order_by("starts_at")
    assert [s.starts_at for s in booked] == [s.starts_at for s in group_sessions]
    assert all(s.attendance == Attendance.SCHEDULED for s in booked)
    browser = signed_in(world.facilitator)
    moved = FIRST + timedelta(days=8)
    browser.post(f"/groups/{group.pk}/sessions/2/move/", {"day": moved.isoformat(), "at": "19:00"})
    second = group.sessions.get(number=2)
    assert member.course.sessions.filter(starts_at=second.starts_at).count() == 1
    browser.post(f"/groups/{group.pk}/sessions/3/move/", {"cancel": "1"})
    third = group.sessions.get(number=3).starts_at
    assert member.course.sessions.get(starts_at=third).attendance == Attendance.CANCELLED
    browser.post(url(group), all_came(group))
    recorded = GroupAttendance.objects.get(member=member).course_session
    assert recorded.starts_at == group_sessions[0].starts_at
    assert member.course.sessions.count() == 9  # the pre-group + 8: none booked twice
    actions.member_leave(
        by=world.alice, member=member, left_on=FIRST + timedelta(days=20), reason="moved"
    )
    later = member.course.sessions.filter(starts_at__date__gt=FIRST + timedelta(days=20))
    assert later.exists() and all(s.attendance == Attendance.CANCELLED for s in later)


def test_each_phq9_box_is_named_by_its_item_for_a_screen_reader(world):
    """The boxes show only the item's number (quick to type from the paper sheet); each one's
    label also carries the item's words, hidden from sight, so a screen reader names it."""
    group = make_group(world, members=1)
    html = signed_in(world.facilitator).get(url(group)).content.decode()
    assert re.search(
        r'<label>9<span class="visually-hidden">: Thoughts that you would be better off dead'
        r'[^<]*</span><input[^>]*name="phq-\d+-phq9_9"',
        html,
    )


def test_a_session_that_has_not_taken_place_is_not_recorded(world):
    """Bad input (issue 24): attendance and answers typed for a meeting days ahead are refused,
    with what was typed kept; from half an hour before its start it may be recorded."""
    group = make_group(world)
    session = group.sessions.get(number=1)
    session.starts_at = timezone.now() + timedelta(days=2)
    session.save(update_fields=["starts_at"])
    browser = signed_in(world.facilitator)
    response = browser.post(url(group), all_came(group, summary="Typed too early."))
    assert response.status_code == 400
    page = visible_text(response)
    assert "This session has not taken place yet: record it once it has begun." in page
    assert "Typed too early." in response.content.decode()
    assert not GroupAttendance.objects.filter(group_session=session).exists()
    session.starts_at = timezone.now() + timedelta(minutes=20)
    session.save(update_fields=["starts_at"])
    assert browser.post(url(group), all_came(group)).status_code == 302
    assert GroupAttendance.objects.filter(group_session=session).count() == 2


# The PHQ-9 on members' phones -----------------------------------------------------------------


def send(group: Group, browser, number: int = 1):
    return browser.post(f"/groups/{group.pk}/sessions/{number}/phq9-send/", follow=True)


def test_members_answer_the_phq9_on_their_phone_through_the_safety_path(world):
    """Issue 24 part 3: the PHQ-9 'entered by the facilitator or by the member on a phone'. The
    facilitator sends it to the members with a portal account (Amara); her item-9 answer shows
    her the crisis text at once and raises her alert; the session screen shows her score and
    takes no second PHQ-9 for her."""
    group = make_group(world)
    facilitator = signed_in(world.facilitator)
    page = visible_text(send(group, facilitator))
    assert "PHQ-9 sent to 1 member's phone." in page  # the other member has no portal login
    assert "PHQ-9 sent to their phone, not answered yet." in page
    sent = Administration.objects.get(client=world.amara, mode="portal")
    assert sent.course == amara(group).course and sent.status == "assigned"
    assert AuditEvent.objects.filter(action="group.phq9_send").exists()
    # Sending again sends nothing twice.
    assert "PHQ-9 sent to 0 members' phones." in visible_text(send(group, facilitator))
    assert Administration.objects.filter(client=world.amara, mode="portal").count() == 1

    portal = signed_in(world.portal)
    answers = {f"phq9_{n}": "1" for n in range(1, 9)} | {"phq9_9": "2", "submit": "1"}
    answered = visible_text(portal.post(f"/portal/questionnaires/{sent.pk}/", answers))
    assert "Thank you for your answers" in answered
    assert "emergency" in answered.lower()  # the clinic's crisis text in the same response
    assert Alert.objects.filter(client=world.amara, rule_id__startswith="phq9_item9").exists()

    page = visible_text(facilitator.get(url(group)))
    assert "PHQ-9 answered on their phone: 10" in page
    member = amara(group)
    refused = facilitator.post(url(group), all_came(group) | phq(member, *[0] * 9))
    assert refused.status_code == 400
    assert "Their PHQ-9 for this session is already recorded." in visible_text(refused)
    assert facilitator.post(url(group), all_came(group)).status_code == 302
    attendance = GroupAttendance.objects.get(member=member)
    assert attendance.course_session == Administration.objects.get(pk=sent.pk).session


def test_only_who_runs_the_group_sends_and_only_before_the_session_is_recorded(world):
    group = make_group(world)
    for person in (world.sue, world.bob, world.far_clinician):
        assert send(group, signed_in(person)).status_code == 404
    assert not Administration.objects.filter(mode="portal").exists()
    session = group.sessions.get(number=1)
    session.status = GroupSessionStatus.CANCELLED
    session.save(update_fields=["status"])
    facilitator = signed_in(world.facilitator)
    assert "Send the PHQ-9 to members' phones" not in visible_text(facilitator.get(url(group)))
    followed = visible_text(send(group, facilitator))
    assert "The PHQ-9 is sent only before a scheduled session is recorded." in followed
    assert not Administration.objects.filter(mode="portal").exists()


def test_the_group_page_title_is_the_groups_name_alone(world):
    """Found at review: a merge left the sessions section inside the page's <title>."""
    group = make_group(world)
    html = signed_in(world.facilitator).get(f"/groups/{group.pk}/").content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith("Monday group · ") and "<" not in title
    assert html.count('id="sessions-title"') == 1
