"""Two lists that grow without end, a page at a time by keyset (ADR 0027): one client's access
log (every opening of the record adds a row) and the groups list (every season adds groups).

The access log shows 50 rows, newest first, with "Older"/"Newer" links and no page count; the
groups list shows the current groups (planned, running) by default and the finished ones on a
page of their own, 50 a page, newest first session first, each with its member count. Both
answer a bad link with the first page and a message, cost the same queries at any size or
depth, and stay under 100 KB. The EXPLAIN tests of their queries are in test_keyset_pages.py.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from gentle.accounts.models import Role
from gentle.audit.log import record
from gentle.audit.models import AuditEvent
from gentle.audit.names import Action
from gentle.groups.models import Group, GroupMember, GroupStatus, LeaveReason
from tests.factories import count_queries, make_client, make_course, make_person, signed_in
from tests.test_keyset_pages import BAD_LINK, get, link, messages_in, numbers, pager
from tests.world import another_client

pytestmark = pytest.mark.django_db


# One client's access log -------------------------------------------------------------------


def access_log(client) -> str:
    return f"/clients/{client.pk}/access-log/"


def add_openings(world, count: int, *, client=None, start: int = 0) -> None:
    """``count`` openings of the record by Alice, numbered in their detail ``n=<i>``."""
    client = client or world.amara
    with transaction.atomic():
        for i in range(start, start + count):
            record(
                Action.CLIENT_VIEW,
                actor=world.alice,
                role="clinician",
                clinic_id=world.clinic.pk,
                client_id=client.pk,
                object_type="client",
                object_id=client.pk,
                detail=f"n={i}",
            )


def log_views(person) -> int:
    return AuditEvent.objects.filter(
        action=Action.CLIENT_ACCESS_LOG_VIEW, actor_id=person.pk
    ).count()


def test_the_access_log_pages_through_every_opening_newest_first(world):
    add_openings(world, 120)
    http = signed_in(world.admin)
    first = get(http, access_log(world.amara))
    assert 'aria-label="Pages of the access log"' in pager(first)
    assert "Page 1 of" not in first  # no count of pages: no COUNT over the log
    assert link(first, "Newer") is None
    # This reading of the log is its newest row; then the 49 newest openings.
    assert "client.access_log.view" in first
    assert numbers(first) == list(range(119, 70, -1))
    older = link(first, "Older")
    assert re.fullmatch(r"\?after=\d+", older)
    second = get(http, access_log(world.amara) + older)
    assert numbers(second) == list(range(70, 20, -1))
    third = get(http, access_log(world.amara) + link(second, "Older"))
    assert numbers(third) == list(range(20, -1, -1))
    assert link(third, "Older") is None
    back = get(http, access_log(world.amara) + link(second, "Newer"))
    assert numbers(back) == numbers(first)
    assert link(back, "Newer") is not None  # the readings of the log since then are newer still


def test_every_page_of_the_access_log_is_itself_audited(world):
    add_openings(world, 60)
    http = signed_in(world.alice)  # on Amara's care team
    first = get(http, access_log(world.amara))
    get(http, access_log(world.amara) + link(first, "Older"))
    rows = AuditEvent.objects.filter(action=Action.CLIENT_ACCESS_LOG_VIEW, actor_id=world.alice.pk)
    assert [(r.client_id, r.role) for r in rows] == [(world.amara.pk, "clinician")] * 2
    get(signed_in(world.admin), access_log(world.amara))
    assert (
        AuditEvent.objects.get(action=Action.CLIENT_ACCESS_LOG_VIEW, actor_id=world.admin.pk).role
        == "admin"
    )


def test_the_access_log_shows_only_this_clients_rows_on_every_page(world):
    other = another_client(world, "Theo")
    add_openings(world, 60, client=other, start=500)
    add_openings(world, 60)
    http = signed_in(world.admin)
    first = get(http, access_log(world.amara))
    second = get(http, access_log(world.amara) + link(first, "Older"))
    assert all(n < 500 for n in numbers(first) + numbers(second))
    assert sorted(numbers(first) + numbers(second)) == list(range(60))


@pytest.mark.parametrize("query", ["after=abc", "before=0", "after=5&before=9", "after=1"])
def test_a_bad_access_log_link_gives_the_first_page_and_says_so(world, query):
    add_openings(world, 60)
    page = get(signed_in(world.admin), f"{access_log(world.amara)}?{query}")
    assert BAD_LINK in messages_in(page)
    assert numbers(page)[:3] == [59, 58, 57]
    assert link(page, "Newer") is None and link(page, "Older") is not None


def test_the_access_log_is_refused_outside_the_care_team_and_clinic_and_not_audited(world):
    add_openings(world, 3)
    for person in (world.bob, world.far_clinician, world.portal):
        response = signed_in(person).get(f"{access_log(world.amara)}?after=abc")
        assert response.status_code == 404, person
        assert log_views(person) == 0
    assert signed_in(world.admin).get(access_log(world.far_client)).status_code == 404


def test_the_access_log_costs_the_same_queries_at_any_size_and_depth(world):
    http = signed_in(world.admin)
    add_openings(world, 5)
    few = count_queries(http, access_log(world.amara))
    add_openings(world, 400, start=5)
    assert count_queries(http, access_log(world.amara)) == few
    deep = AuditEvent.objects.filter(client_id=world.amara.pk).order_by("seq")[30].seq
    assert count_queries(http, f"{access_log(world.amara)}?after={deep}") == few
    assert count_queries(http, f"{access_log(world.amara)}?before={deep}") == few


def test_the_access_log_neither_counts_nor_skips_rows(world):
    add_openings(world, 120)
    http = signed_in(world.admin)
    deep = AuditEvent.objects.filter(client_id=world.amara.pk).order_by("seq")[20].seq
    with CaptureQueriesContext(connection) as captured:
        get(http, f"{access_log(world.amara)}?after={deep}")
    reads = [q["sql"] for q in captured.captured_queries if 'FROM "audit_auditevent"' in q["sql"]]
    assert reads
    assert not any("COUNT(" in sql or "OFFSET" in sql for sql in reads), reads


def test_a_long_access_log_page_stays_under_100_kb(world):
    add_openings(world, 300)
    page = get(signed_in(world.admin), access_log(world.amara))
    assert len(numbers(page)) == 49  # and this reading: 50 rows
    assert len(page.encode()) < 100_000


# The groups list -----------------------------------------------------------------------------

GROUPS = "/groups/"
FINISHED = "/groups/?show=finished"
START = date(2030, 1, 1)


def add_groups(world, count: int, *, finished_every: int = 0, clinic=None, name="G") -> None:
    """``count`` groups named ``<name>-<i>``, three to a first-session date (so that pages end
    inside runs of equal dates); every ``finished_every``-th one finished."""
    facilitator = make_person(clinic or world.clinic, Role.FACILITATOR)
    Group.objects.bulk_create(
        Group(
            clinic=clinic or world.clinic,
            name=f"{name}-{i}",
            language="en",
            setting="video",
            starts_on=START + timedelta(days=i // 3),
            facilitator=facilitator,
            co_facilitator=world.alice if clinic is None else None,
            status=(
                GroupStatus.FINISHED
                if finished_every and i % finished_every == 0
                else GroupStatus.RUNNING
                if i % 2
                else GroupStatus.PLANNED
            ),
        )
        for i in range(count)
    )


def expected(world, *, finished: bool) -> list[str]:
    groups = Group.objects.filter(clinic=world.clinic)
    groups = (
        groups.filter(status=GroupStatus.FINISHED)
        if finished
        else groups.exclude(status=GroupStatus.FINISHED)
    )
    return list(groups.order_by("-starts_on", "-id").values_list("name", flat=True))


def names(page: str) -> list[str]:
    return re.findall(r'<a href="/groups/\d+/">([^<]+)</a>', page)


def add_member(group: Group, given_name: str, **fields) -> GroupMember:
    client = make_client(group.clinic, given_name=given_name)
    course = make_course(
        client,
        format="group",
        contracted_sessions=8,
        session_minutes=90,
        initial_last=1,
        termination_first=8,
    )
    return GroupMember.objects.create(
        group=group, client=client, course=course, joined_on=group.starts_on, **fields
    )


def walk(http, url: str, next_label: str = "Next groups") -> tuple[list[str], str]:
    """Every group name from ``url`` on, following the pager; and the last page."""
    page, seen = get(http, url), []
    while True:
        rows = names(page)
        assert 0 < len(rows) <= 50
        seen += rows
        following = link(page, next_label)
        if following is None:
            return seen, page
        page = get(http, GROUPS + following)


def test_the_groups_list_pages_through_the_current_groups_newest_first(world):
    add_groups(world, 200, finished_every=3)  # 133 current, 67 finished
    http = signed_in(world.admin)
    first = get(http, GROUPS)
    assert 'aria-label="Pages of groups"' in pager(first)
    assert link(first, "Previous groups") is None
    assert 'aria-current="page">Current groups<' in first
    assert re.fullmatch(r"\?after=\d+", link(first, "Next groups"))  # an id, never a name
    seen, last = walk(http, GROUPS)
    assert seen == expected(world, finished=False)  # every current group once, in order
    assert len(seen) == 133
    assert 'data-label="Status">Finished<' not in first
    assert 'data-label="Status">Running<' in first and 'data-label="Status">Planned<' in first
    back = get(http, GROUPS + link(last, "Previous groups"))
    assert names(back) == seen[50:100]


def test_the_finished_groups_have_their_own_pages(world):
    add_groups(world, 200, finished_every=3)
    http = signed_in(world.admin)
    first = get(http, FINISHED)
    assert 'aria-current="page">Finished groups<' in first
    following = link(first, "Next groups")
    assert following.startswith("?show=finished&after=")  # the filter kept in the links
    seen, last = walk(http, FINISHED)
    assert seen == expected(world, finished=True)
    assert len(seen) == 67
    assert link(last, "Previous groups").startswith("?show=finished&before=")
    assert f'href="{FINISHED}"' in get(http, GROUPS)  # linked from the current list


def test_each_group_shows_its_members_now_or_how_many_completed(world):
    add_groups(world, 2)
    current = Group.objects.get(name="G-1")
    for name in ("Ana", "Beto", "Cira"):
        add_member(current, name)
    GroupMember.objects.filter(group=current, client__given_name="Cira").update(
        left_on=current.starts_on, leave_reason=LeaveReason.DROPPED_OUT
    )
    done = Group.objects.get(name="G-0")
    Group.objects.filter(pk=done.pk).update(status=GroupStatus.FINISHED)
    for name, reason in (("Dani", "completed"), ("Eli", "completed"), ("Fer", "moved")):
        add_member(done, name, left_on=done.starts_on, leave_reason=reason)
    http = signed_in(world.sue)
    row = re.search(r"<tr>\s*<td[^>]*><a[^>]*>G-1</a>.*?</tr>", get(http, GROUPS), re.S)
    assert re.search(r'data-label="Members">2<', row.group(0))
    page = get(http, FINISHED)
    assert "G-1" not in names(page)
    row = re.search(r"<tr>\s*<td[^>]*><a[^>]*>G-0</a>.*?</tr>", page, re.S)
    assert re.search(r'data-label="Completed">2<', row.group(0))


@pytest.mark.parametrize(
    "query", ["after=abc", "before=0", "after=5&before=9", "after={finished}", "after={far}"]
)
def test_a_bad_groups_link_gives_the_first_page_and_says_so(world, query):
    add_groups(world, 70, finished_every=7)
    add_groups(world, 3, clinic=world.other, name="Far")
    finished = Group.objects.filter(status=GroupStatus.FINISHED, clinic=world.clinic).first()
    far = Group.objects.filter(clinic=world.other).first()
    page = get(signed_in(world.admin), f"{GROUPS}?{query.format(finished=finished.pk, far=far.pk)}")
    assert BAD_LINK in messages_in(page)
    assert names(page) == expected(world, finished=False)[:50]
    assert "Far-" not in page


def test_the_groups_list_shows_each_person_only_their_groups(world):
    add_groups(world, 60)  # Alice co-facilitates every one
    add_groups(world, 60, clinic=world.other, name="Far")
    assert walk(signed_in(world.alice), GROUPS)[0] == expected(world, finished=False)
    assert names(get(signed_in(world.bob), GROUPS)) == []
    assert "No current groups." in get(signed_in(world.bob), GROUPS)
    assert names(get(signed_in(world.far_clinician), GROUPS)) == []
    for person in (world.portal, world.far_portal):
        assert signed_in(person).get(GROUPS).status_code == 404


def test_reading_the_groups_list_is_audited_with_the_rows_shown(world):
    add_groups(world, 70, finished_every=7)
    get(signed_in(world.sue), GROUPS)
    event = AuditEvent.objects.get(action=Action.GROUP_LIST)
    assert (event.detail, event.role, event.client_id) == ("count=50", "supervisor", None)


@pytest.mark.parametrize("url", [GROUPS, FINISHED])
def test_the_groups_list_costs_the_same_queries_at_any_size_and_depth(world, url):
    http = signed_in(world.admin)
    add_groups(world, 4, finished_every=2)
    few = count_queries(http, url)
    add_groups(world, 150, finished_every=2, name="More")
    for group in Group.objects.filter(name__startswith="More-")[:12]:
        done = group.status == GroupStatus.FINISHED
        left = {"left_on": group.starts_on, "leave_reason": "completed"} if done else {}
        add_member(group, f"Member{group.pk}", **left)
    assert count_queries(http, url) == few
    following = link(get(http, url), "Next groups")
    assert count_queries(http, GROUPS + following) == few + 1  # the row the link names, read back


@pytest.mark.parametrize("url", [GROUPS, FINISHED])
def test_three_hundred_groups_make_a_page_under_100_kb(world, url):
    add_groups(world, 600, finished_every=2)  # 300 current, 300 finished
    page = get(signed_in(world.admin), url)
    assert len(names(page)) == 50
    assert len(page.encode()) < 100_000
