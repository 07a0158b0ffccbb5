"""Group IPT's foundation (issue 24, ADR 0051): groups, their rosters and the lay facilitator,
who sees their groups and their members' names and nothing else of a member's record."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gentle.accounts.models import Membership, Role
from gentle.audit.models import AuditEvent
from gentle.courses.models import ProcessNote
from gentle.groups.models import Group, GroupMember, GroupStatus
from tests.factories import (
    count_queries,
    make_course,
    make_person,
    make_session,
    signed_in,
    visible_text,
)
from tests.world import another_client

pytestmark = pytest.mark.django_db

FIRST = date(2030, 3, 4)


@pytest.fixture
def world(world):
    world.facilitator = make_person(world.clinic, Role.FACILITATOR)
    return world


def make_group(world, *, name="Tuesday group", co=None, **fields) -> Group:
    values = {
        "clinic": world.clinic,
        "name": name,
        "language": "en",
        "setting": "in_person",
        "place": "Room 2",
        "starts_on": FIRST,
        "facilitator": world.facilitator,
        "co_facilitator": co,
        "status": GroupStatus.PLANNED,
    }
    return Group.objects.create(**(values | fields))


def join(group: Group, client, joined_on: date = FIRST) -> GroupMember:
    course = make_course(
        client,
        format="group",
        contracted_sessions=8,
        session_minutes=90,
        initial_last=1,
        termination_first=8,
    )
    return GroupMember.objects.create(
        group=group, client=client, course=course, joined_on=joined_on
    )


def form(**overrides) -> dict:
    return {
        "name": "Thursday group",
        "format": "group",
        "language": "es",
        "setting": "in_person",
        "place": "Community hall",
        "starts_on": FIRST.isoformat(),
        **overrides,
    }


# Setting a group up --------------------------------------------------------------------------


def test_a_clinician_sets_up_a_group_with_a_lay_facilitator(world):
    browser = signed_in(world.alice)
    page = browser.get("/groups/new/")
    assert world.facilitator.display_name in page.content.decode()
    response = browser.post(
        "/groups/new/", form(facilitator=world.facilitator.pk, co_facilitator=world.alice.pk)
    )
    group = Group.objects.get()
    assert response["Location"] == f"/groups/{group.pk}/"
    assert (group.facilitator, group.co_facilitator, group.language) == (
        world.facilitator,
        world.alice,
        "es",
    )
    assert AuditEvent.objects.filter(action="group.create", object_id=str(group.pk)).exists()
    text = visible_text(browser.get(f"/groups/{group.pk}/"))
    assert "Thursday group" in text and "Community hall" in text and "Spanish" in text


def test_the_co_facilitator_must_be_someone_else_and_what_was_typed_stays(world):
    browser = signed_in(world.alice)
    response = browser.post(
        "/groups/new/",
        form(name="Kept name", facilitator=world.alice.pk, co_facilitator=world.alice.pk),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The co-facilitator must be someone other than the facilitator." in html
    assert 'value="Kept name"' in html
    assert not Group.objects.exists()


def test_a_group_in_person_needs_a_place_and_a_stranger_cannot_facilitate(world):
    browser = signed_in(world.alice)
    response = browser.post("/groups/new/", form(place="", facilitator=world.facilitator.pk))
    assert response.status_code == 400
    assert "Say where the group meets, or choose video." in response.content.decode()
    # A clinician of another clinic is not offered, and not accepted.
    response = browser.post("/groups/new/", form(facilitator=world.far_clinician.pk))
    assert response.status_code == 400
    assert not Group.objects.exists()


def test_a_facilitator_and_a_supervisor_may_not_set_up_a_group(world):
    for person in (world.facilitator, world.sue):
        browser = signed_in(person)
        assert browser.get("/groups/new/").status_code == 404
        response = browser.post("/groups/new/", form(facilitator=world.facilitator.pk))
        assert response.status_code == 404
    assert not Group.objects.exists()


def test_the_administrator_edits_a_group_and_finishing_it_closes_the_roster(world):
    group = make_group(world, co=world.alice, status=GroupStatus.RUNNING)
    member = join(group, world.amara, joined_on=timezone.localdate() - timedelta(days=3))
    due = join(
        group, another_client(world, "Dana"), joined_on=timezone.localdate() + timedelta(days=3)
    )
    browser = signed_in(world.admin)
    data = form(name="Renamed", facilitator=world.facilitator.pk, status="finished")
    response = browser.post(f"/groups/{group.pk}/edit/", data)
    assert response.status_code == 302
    group.refresh_from_db()
    member.refresh_from_db()
    assert (group.name, group.status) == ("Renamed", "finished")
    assert (member.left_on, member.leave_reason) == (timezone.localdate(), "completed")
    due.refresh_from_db()  # due to join later: leaves on the day they were to join
    assert (due.left_on, due.leave_reason) == (due.joined_on, "completed")
    # The lay facilitator runs the group but does not change it.
    assert signed_in(world.facilitator).post(f"/groups/{group.pk}/edit/", data).status_code == 404


# The roster ----------------------------------------------------------------------------------


def test_a_clinician_adds_their_client_and_a_group_course_is_started(world):
    group = make_group(world, co=world.alice)
    browser = signed_in(world.alice)
    page = browser.get(f"/groups/{group.pk}/members/new/").content.decode()
    assert "Amara" in page
    response = browser.post(
        f"/groups/{group.pk}/members/new/",
        {"client": world.amara.pk, "joined_on": (FIRST - timedelta(days=7)).isoformat()},
    )
    assert response.status_code == 302
    member = GroupMember.objects.get()
    assert (member.client, member.course.client, member.course.format) == (
        world.amara,
        world.amara,
        "group",
    )
    # 1 individual pre-group session + the group's 8 (ADR 0053), from the week before.
    assert (member.course.contracted_sessions, member.course.start_date) == (
        9,
        FIRST - timedelta(days=7),
    )
    text = visible_text(browser.get(f"/groups/{group.pk}/"))
    assert "Amara Example" in text and "late join" not in text
    assert AuditEvent.objects.filter(action="group.member_add", client_id=world.amara.pk).exists()


def test_an_open_group_course_is_used_and_a_late_join_is_shown(world):
    group = make_group(world, co=world.alice, status=GroupStatus.RUNNING)
    course = make_course(
        world.amara,
        format="group",
        contracted_sessions=8,
        session_minutes=90,
        initial_last=1,
        termination_first=8,
    )
    browser = signed_in(world.alice)
    response = browser.post(
        f"/groups/{group.pk}/members/new/",
        {"client": world.amara.pk, "joined_on": (FIRST + timedelta(days=14)).isoformat()},
        follow=True,
    )
    assert "Member added, as a late join." in visible_text(response)
    assert GroupMember.objects.get().course == course
    assert "late join" in visible_text(browser.get(f"/groups/{group.pk}/"))


def test_a_member_in_two_groups_at_the_same_time_is_refused(world):
    first, second = make_group(world, co=world.alice), make_group(world, name="B", co=world.alice)
    join(first, world.amara)
    browser = signed_in(world.alice)
    response = browser.post(
        f"/groups/{second.pk}/members/new/",
        {"client": world.amara.pk, "joined_on": FIRST.isoformat()},
    )
    assert response.status_code == 400
    assert "Amara Example is already a member of a group." in visible_text(response)
    assert second.members.count() == 0
    # Once they have left the first, they may join the second.
    GroupMember.objects.filter(group=first).update(left_on=FIRST, leave_reason="moved")
    response = browser.post(
        f"/groups/{second.pk}/members/new/",
        {"client": world.amara.pk, "joined_on": FIRST.isoformat()},
    )
    assert response.status_code == 302 and second.members.count() == 1


def test_adding_a_member_refuses_missing_dates_other_teams_and_other_people(world):
    group = make_group(world, co=world.alice)
    browser = signed_in(world.alice)
    response = browser.post(f"/groups/{group.pk}/members/new/", {"client": world.amara.pk})
    assert response.status_code == 400
    # A client on another clinician's care team is not Alice's to add.
    theirs = another_client(world, "Theo")
    theirs.care_team.all().delete()
    response = browser.post(
        f"/groups/{group.pk}/members/new/", {"client": theirs.pk, "joined_on": FIRST.isoformat()}
    )
    assert response.status_code == 400
    # Bob does not run the group; the lay facilitator runs it but does not add members.
    for person in (world.bob, world.facilitator, world.sue):
        response = signed_in(person).post(
            f"/groups/{group.pk}/members/new/",
            {"client": world.amara.pk, "joined_on": FIRST.isoformat()},
        )
        assert response.status_code == 404
    assert not GroupMember.objects.exists()


def test_the_facilitator_records_a_member_leaving(world):
    group = make_group(world, status=GroupStatus.RUNNING)
    member = join(group, world.amara)
    browser = signed_in(world.facilitator)
    url = f"/groups/members/{member.pk}/leave/"
    assert "Amara Example leaves the group" in visible_text(browser.get(url))
    # Before they joined: refused, nothing changed.
    response = browser.post(url, {"left_on": "2030-03-01", "reason": "moved"})
    assert response.status_code == 400
    assert "They cannot leave before the day they joined." in visible_text(response)
    member.refresh_from_db()
    assert member.left_on is None
    # Bob and a clinician of another clinic may not.
    for person in (world.bob, world.far_clinician):
        assert (
            signed_in(person).post(url, {"left_on": "2030-04-01", "reason": "moved"}).status_code
            == 404
        )
    response = browser.post(url, {"left_on": "2030-04-01", "reason": "dropped_out"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.left_on, member.leave_reason) == (date(2030, 4, 1), "dropped_out")
    # The facilitator sees current members only; a clinician who runs the group, who left.
    assert "Amara Example" not in visible_text(browser.get(f"/groups/{group.pk}/"))
    group.co_facilitator = world.alice
    group.save()
    text = visible_text(signed_in(world.alice).get(f"/groups/{group.pk}/"))
    assert "Left the group" in text and "Stopped coming" in text and "Amara Example" in text
    assert AuditEvent.objects.filter(action="group.member_leave", object_id=str(member.pk)).exists()


# What each person sees -----------------------------------------------------------------------


def test_the_facilitator_sees_their_group_and_names_and_nothing_of_the_record(world):
    group = make_group(world, status=GroupStatus.RUNNING)
    other = make_group(world, name="Not theirs", facilitator=world.alice)
    member = join(group, world.amara)
    course = make_course(world.amara)
    session = make_session(course, world.alice)
    ProcessNote.objects.create(session=session, author=world.alice)
    browser = signed_in(world.facilitator)
    listing = visible_text(browser.get("/groups/"))
    assert "Tuesday group" in listing and "Not theirs" not in listing
    page = browser.get(f"/groups/{group.pk}/").content.decode()
    assert "Amara Example" in page
    assert f"/clients/{world.amara.pk}/" not in page  # no link to the record
    assert "Add a member" not in page and "Change the group" not in page
    for url in (
        f"/clients/{world.amara.pk}/",
        f"/courses/{member.course.pk}/",
        f"/courses/{course.pk}/",
        f"/sessions/{session.pk}/",
        f"/sessions/{session.pk}/process-note/",
        f"/clients/{world.amara.pk}/inventory/",
        "/caseload/",
        f"/groups/{other.pk}/",
    ):
        assert browser.get(url).status_code == 404, url
    home = visible_text(browser.get("/"))
    assert "Your groups" in home and "Tuesday group" in home
    assert "Groups" in visible_text(browser.get("/groups/"))


def test_a_clinician_sees_groups_with_a_member_on_their_care_team(world):
    group = make_group(world)
    join(group, world.amara)
    page = signed_in(world.alice).get(f"/groups/{group.pk}/").content.decode()
    assert f"/clients/{world.amara.pk}/" in page  # their own client, linked to the record
    assert "Add a member" not in page  # they do not run it
    assert signed_in(world.bob).get(f"/groups/{group.pk}/").status_code == 404
    assert "Tuesday group" not in visible_text(signed_in(world.bob).get("/groups/"))


def test_the_supervisor_reads_every_group_of_the_clinic(world):
    group = make_group(world)
    join(group, another_client(world, "Theo"))
    browser = signed_in(world.sue)
    assert "Tuesday group" in visible_text(browser.get("/groups/"))
    text = visible_text(browser.get(f"/groups/{group.pk}/"))
    assert "Theo Example" in text and "Record leaving" not in text
    assert browser.get(f"/groups/{group.pk}/edit/").status_code == 404


def test_another_clinic_sees_nothing(world):
    group = make_group(world)
    join(group, world.amara)
    browser = signed_in(world.far_clinician)
    assert "Tuesday group" not in visible_text(browser.get("/groups/"))
    assert browser.get(f"/groups/{group.pk}/").status_code == 404


def test_the_administrator_grants_the_facilitator_role(world):
    person = make_person(world.clinic, Role.CLINICIAN)
    browser = signed_in(world.admin)
    assert "Group facilitator" in visible_text(browser.get(f"/clinic/people/{person.pk}/"))
    browser.post(f"/clinic/people/{person.pk}/roles/add/", {"role": Role.FACILITATOR})
    assert Membership.objects.filter(user=person, role=Role.FACILITATOR).exists()


def test_the_group_pages_cost_a_fixed_number_of_queries(world):
    group = make_group(world, co=world.alice)
    browser = signed_in(world.alice)
    join(group, world.amara)
    list_before = count_queries(browser, "/groups/")
    page_before = count_queries(browser, f"/groups/{group.pk}/")
    for n in range(4):
        more = make_group(world, name=f"More {n}", co=world.alice)
        join(more, another_client(world, f"Extra{n}"))
        join(group, another_client(world, f"Member{n}")) if n < 3 else None
    GroupMember.objects.filter(group=group, client__given_name="Member0").update(
        left_on=FIRST, leave_reason="moved"
    )
    assert count_queries(browser, "/groups/") == list_before
    assert count_queries(browser, f"/groups/{group.pk}/") == page_before


def test_the_demo_facilitator_runs_two_groups_one_in_spanish(client, settings):
    from gentle.demo import seed_demo

    settings.GENTLE_DEMO_MFA_OPTIONAL = True  # as in the demo
    seed_demo()
    facilitator = Membership.objects.get(role=Role.FACILITATOR).user
    assert facilitator.email == "facilitator@demo.gentle.test"
    client.force_login(facilitator)
    home = visible_text(client.get("/"))
    assert "Tuesday evening group" in home and "Grupo de los jueves" in home
    # (And last season's finished group, for the programme view: tests/test_group_programme.py.)
    groups = Group.objects.filter(status="running").order_by("name")
    assert [(g.language, g.status) for g in groups] == [("es", "running"), ("en", "running")]
    english = groups.get(language="en")
    members = list(english.members.all())
    assert 4 <= len(members) <= 6 and any(m.late for m in members)
    assert any(m.left_on for m in members)
    page = client.get(f"/groups/{english.pk}/").content.decode()
    assert members[0].client.full_name in page
    assert client.get(f"/clients/{members[0].client_id}/").status_code == 404
    assert english.co_facilitator.email == "clinician@demo.gentle.test"


def test_each_group_page_has_at_most_one_primary_action(world):
    from tests.test_hierarchy import primaries

    group = make_group(world, co=world.alice)
    member = join(group, world.amara)
    alice = signed_in(world.alice)
    expected = {
        "/groups/": ["Set up a group"],
        "/groups/new/": ["Set up the group"],
        f"/groups/{group.pk}/": ["Add a member"],
        f"/groups/{group.pk}/edit/": ["Save"],
        f"/groups/{group.pk}/members/new/": ["Add to the group"],
        f"/groups/members/{member.pk}/leave/": ["Record leaving"],
    }
    for path, actions in expected.items():
        assert primaries(alice.get(path).content.decode()) == actions, path
    sue = signed_in(world.sue)
    assert primaries(sue.get(f"/groups/{group.pk}/").content.decode()) == []


def test_the_tables_refuse_two_open_memberships_and_one_person_facilitating_twice(world):
    from django.db import IntegrityError, transaction

    first, second = make_group(world), make_group(world, name="B")
    join(first, world.amara)
    with pytest.raises(IntegrityError), transaction.atomic():
        join(second, world.amara)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_group(world, name="C", co=world.facilitator)
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupMember.objects.filter(group=first).update(left_on=FIRST)  # no reason given
