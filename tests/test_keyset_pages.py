"""Long lists a page at a time, found by where the last page ended (keyset), never by OFFSET:
the audit log (newest first), the administrator's client records (by name, then number), and
the People and Outgoing mail pages (their HTTP behaviour is in test_people_and_outbox_pages).

Each list shows at most 50 rows, links "Older"/"Newer" (or "Next clients"/"Previous clients")
in a labelled navigation landmark, keeps its filters in those links, answers a bad or tampered
link with the first page and a message, makes the same number of queries whatever the size of
the data, and reads its rows through an index that gives them in order (EXPLAIN: no full scan
and no sort).
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from gentle.audit.log import record
from gentle.audit.models import AuditEvent
from gentle.audit.names import Action
from gentle.clients.models import Client
from tests.factories import count_queries, signed_in

pytestmark = pytest.mark.django_db

AUDIT = "/clinic/audit/"
RECORDS = "/clinic/clients/"
BAD_LINK = "That page link is not valid (any more). Here is the first page."


def add_audit_rows(world, count: int, *, client=None, start: int = 0) -> None:
    """``count`` rows in the world's clinic, numbered in their detail ``n=<i>``."""
    with transaction.atomic():
        for i in range(start, start + count):
            record(
                Action.CLIENT_VIEW,
                actor=world.alice,
                role="clinician",
                clinic_id=world.clinic.pk,
                client_id=client.pk if client else None,
                detail=f"n={i}",
            )


def add_clients(clinic, count: int) -> None:
    """``count`` clients whose names repeat, so that pages end inside runs of equal names."""
    Client.objects.bulk_create(
        Client(clinic=clinic, given_name=f"G{i % 3}", family_name=f"F{i % 7}") for i in range(count)
    )


def get(http, url: str) -> str:
    response = http.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def numbers(page: str) -> list[int]:
    return [int(n) for n in re.findall(r"n=(\d+)", page)]


def record_numbers(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-label="Record">#(\d+)<', page)]


def pager(page: str) -> str:
    found = re.search(r'<nav class="pager" aria-label="([^"]+)">(.*?)</nav>', page, re.S)
    return found.group(0) if found else ""


def link(page: str, text: str) -> str | None:
    """The address of the pager's link called ``text``, or None if the pager has none."""
    for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', pager(page)):
        if label == text:
            return html.unescape(href)
    return None


def messages_in(page: str) -> list[str]:
    return [
        html.unescape(m) for m in re.findall(r'<li class="message message-\w+">(.*?)</li>', page)
    ]


# The audit log ----------------------------------------------------------------------------


def test_audit_log_pages_through_every_row_newest_first_fifty_at_a_time(world):
    add_audit_rows(world, 120)
    http = signed_in(world.admin)
    first = get(http, AUDIT)
    assert 'aria-label="Pages of the audit log"' in pager(first)
    assert link(first, "Newer") is None
    seen, page, pages = [], first, 0
    while True:
        rows = numbers(page)
        assert len(re.findall(r"<tr>", page)) <= 51  # the heading and at most 50 rows
        seen += rows
        pages += 1
        older = link(page, "Older")
        if older is None:
            break
        assert "page=" not in older and re.fullmatch(r"\?after=\d+", older)
        page = get(http, AUDIT + older)
    assert seen == list(range(119, -1, -1))  # every row once, newest first
    assert pages == 3
    assert link(page, "Newer") is not None


def test_newer_goes_back_to_the_rows_of_the_page_before(world):
    add_audit_rows(world, 120)
    http = signed_in(world.admin)
    first = get(http, AUDIT)
    second = get(http, AUDIT + link(first, "Older"))
    back = get(http, AUDIT + link(second, "Newer"))
    assert numbers(back) == numbers(first)
    assert numbers(second) == list(range(69, 19, -1))
    assert link(back, "Newer") is not None  # the views of the log since then are newer still


def test_audit_log_filters_stay_on_every_page(world):
    add_audit_rows(world, 60, client=world.amara)
    add_audit_rows(world, 60, start=100)
    add_audit_rows(world, 3, client=world.amara, start=200)
    http = signed_in(world.admin)
    first = get(http, f"{AUDIT}?client_id={world.amara.pk}")
    assert numbers(first) == [202, 201, 200, *range(59, 12, -1)]
    older = link(first, "Older")
    assert older.startswith(f"?client_id={world.amara.pk}&after=")
    second = get(http, AUDIT + older)
    assert numbers(second) == list(range(12, -1, -1))
    assert link(second, "Older") is None
    assert link(second, "Newer").startswith(f"?client_id={world.amara.pk}&before=")


def test_audit_log_filtered_by_dates_pages_through_that_range_newest_first(world, time_machine):
    for day, start in ((1, 0), (2, 100), (3, 200), (4, 300)):
        time_machine.move_to(datetime(2026, 3, day, 12, 0, tzinfo=UTC), tick=False)
        add_audit_rows(world, 40, start=start)
    http = signed_in(world.admin)
    query = "since=2026-03-02&until=2026-03-03"
    first = get(http, f"{AUDIT}?{query}")
    assert numbers(first) == [*range(239, 199, -1), *range(139, 129, -1)]
    second = get(http, AUDIT + link(first, "Older"))
    assert numbers(second) == list(range(129, 99, -1))
    assert link(second, "Older") is None
    back = get(http, AUDIT + link(second, "Newer"))
    assert numbers(back) == numbers(first)


def test_audit_log_filtered_by_a_family_pages_through_its_rows_newest_first(world):
    """A family is read newest first by time over its own index (issue 20); rows written in
    the same transaction keep the chain's order."""
    with transaction.atomic():
        for i in range(180):
            record(
                Action.ALERT_ACKNOWLEDGE if i % 3 == 0 else Action.CLIENT_VIEW,
                actor=world.alice,
                role="clinician",
                clinic_id=world.clinic.pk,
                detail=f"n={i}",
            )
    http = signed_in(world.admin)
    first = get(http, f"{AUDIT}?action=alert")
    older = link(first, "Older")
    assert older.startswith("?action=alert&after=")
    second = get(http, AUDIT + older)
    assert link(second, "Older") is None
    # The 60 acknowledgements only, every one once, newest first.
    assert numbers(first) + numbers(second) == list(range(177, -1, -3))
    back = get(http, AUDIT + link(second, "Newer"))
    assert numbers(back) == numbers(first)


def test_audit_log_shows_only_the_administrators_clinic_on_every_page(world):
    with transaction.atomic():
        for i in range(60):
            record(
                Action.CLIENT_VIEW,
                actor=world.far_clinician,
                clinic_id=world.other.pk,
                detail=f"n={900 + i}",
            )
    add_audit_rows(world, 60)
    http = signed_in(world.admin)
    first = get(http, AUDIT)
    second = get(http, AUDIT + link(first, "Older"))
    assert all(n < 900 for n in numbers(first) + numbers(second))
    other_seq = AuditEvent.objects.filter(clinic_id=world.other.pk).order_by("-seq")[0].seq
    tampered = get(http, f"{AUDIT}?after={other_seq + 1}")
    assert all(n < 900 for n in numbers(tampered))


@pytest.mark.parametrize(
    "query",
    [
        "after=abc",
        "after=-5",
        "after=0",
        "after=1e3",
        "after=99999999999999999999999",
        "after=%EF%BC%91",  # a full-width digit one
        "after=5&before=9",
        "before=999999999",  # no row is newer
        "after=1",  # no row is older
    ],
)
def test_a_bad_or_tampered_audit_link_gives_the_first_page_and_says_so(world, query):
    add_audit_rows(world, 60)
    http = signed_in(world.admin)
    page = get(http, f"{AUDIT}?{query}")
    assert BAD_LINK in messages_in(page)
    assert numbers(page)[:3] == [59, 58, 57]
    assert link(page, "Newer") is None and link(page, "Older") is not None


def test_a_good_audit_link_has_no_message(world):
    add_audit_rows(world, 60)
    http = signed_in(world.admin)
    second = get(http, AUDIT + link(get(http, AUDIT), "Older"))
    assert messages_in(second) == []


def test_audit_log_query_count_does_not_grow_with_the_log(world):
    add_audit_rows(world, 5)
    http = signed_in(world.admin)
    few = count_queries(http, AUDIT), count_queries(http, f"{AUDIT}?client_id={world.amara.pk}")
    add_audit_rows(world, 400, start=5)
    add_audit_rows(world, 200, client=world.amara, start=500)
    many = count_queries(http, AUDIT), count_queries(http, f"{AUDIT}?client_id={world.amara.pk}")
    assert few == many
    deep = AuditEvent.objects.filter(clinic_id=world.clinic.pk).order_by("seq")[60].seq
    assert count_queries(http, f"{AUDIT}?after={deep}") == many[0]


# The administrator's client records ---------------------------------------------------------


def test_client_records_page_through_every_client_by_name_then_number(world):
    add_clients(world.clinic, 130)
    add_clients(world.other, 10)
    http = signed_in(world.admin)
    page = get(http, RECORDS)
    assert 'aria-label="Pages of client records"' in pager(page)
    assert link(page, "Previous clients") is None
    expected = list(
        Client.objects.filter(clinic=world.clinic)
        .order_by("family_name", "given_name", "id")
        .values_list("id", flat=True)
    )
    seen, pages = [], 0
    while True:
        rows = record_numbers(page)
        assert 0 < len(rows) <= 50
        seen += rows
        pages += 1
        following = link(page, "Next clients")
        if following is None:
            break
        assert re.fullmatch(r"\?after=\d+", following)  # a record number, never a name
        page = get(http, RECORDS + following)
    assert seen == expected  # 131 with Amara: every client once, in order, ties by number
    assert pages == 3
    assert link(page, "Previous clients") is not None
    back = get(http, RECORDS + link(page, "Previous clients"))
    assert record_numbers(back) == expected[50:100]


def test_a_link_naming_another_clinics_client_gives_the_first_page(world):
    add_clients(world.clinic, 60)
    http = signed_in(world.admin)
    first = record_numbers(get(http, RECORDS))
    page = get(http, f"{RECORDS}?after={world.far_client.pk}")
    assert BAD_LINK in messages_in(page)
    assert record_numbers(page) == first
    assert "Farrokh" not in page


@pytest.mark.parametrize(
    "query", ["after=x", "before=0", "after=1&after=2&before=3", "after=99999999"]
)
def test_a_bad_client_records_link_gives_the_first_page_and_says_so(world, query):
    add_clients(world.clinic, 60)
    http = signed_in(world.admin)
    page = get(http, f"{RECORDS}?{query}")
    assert BAD_LINK in messages_in(page)
    assert len(record_numbers(page)) == 50
    assert link(page, "Next clients") is not None


def test_a_short_list_of_clients_has_no_pager(world):
    page = get(signed_in(world.admin), RECORDS)
    assert record_numbers(page) == [world.amara.pk]
    assert pager(page) == ""


def test_client_records_query_count_does_not_grow_with_clients(world):
    http = signed_in(world.admin)
    few = count_queries(http, RECORDS)
    add_clients(world.clinic, 300)
    for client in Client.objects.filter(clinic=world.clinic).exclude(pk=world.amara.pk)[:80]:
        client.care_team.create(user=world.alice, role="clinician")
    assert count_queries(http, RECORDS) == few
    link_to_second = link(get(http, RECORDS), "Next clients")
    deep = count_queries(http, RECORDS + link_to_second)
    assert deep == few + 1  # the row the link names is read back for its name


# Indexes: the pages' queries read their rows in order from an index -------------------------


def the_list_query(http, url: str, table: str) -> str:
    """The SQL of the query that read the page's rows (the one ordered and limited)."""
    with CaptureQueriesContext(connection) as captured:
        get(http, url)
    return list_query_in(captured, table, limit=51)


def list_query_in(captured: CaptureQueriesContext, table: str, *, limit: int) -> str:
    """The one captured query that read ``limit`` rows of ``table``."""
    found = list_queries_in(captured, table, limit=limit)
    assert len(found) == 1, found
    return found[0]


def list_queries_in(captured: CaptureQueriesContext, table: str, *, limit: int) -> list[str]:
    """The captured queries that read ``limit`` rows of ``table``."""
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT")
        and f'FROM "{table}"' in q["sql"]
        and f"LIMIT {limit}" in q["sql"]
    ]


def plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        # A tiny test table is cheaper to read whole and sort: ask instead whether an index
        # can give the rows in order at all, as it must on a big table. Without one, the
        # plan still sorts (disabling only makes a plan costly, never impossible).
        for method in ("seqscan", "bitmapscan", "sort", "incremental_sort"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def assert_index_in_order(query_plan: str, index: str | tuple[str, ...]) -> None:
    """The rows come from ``index`` in order. On PostgreSQL, which index: the planner sees
    row estimates that earlier tests' ANALYZE left behind (they outlive the test's
    transaction), and on a table of a few rows any index that gives the order without a sort
    may look cheapest (whole-suite runs chose audit_clinic_seq with a filter on the actor):
    there it is enough that an index gives the rows in order. SQLite names the index."""
    indexes = (index,) if isinstance(index, str) else index
    if connection.vendor == "sqlite":
        assert any(name in query_plan for name in indexes), query_plan
    else:
        assert "Index Scan" in query_plan or "Index Only Scan" in query_plan, query_plan
    assert "TEMP B-TREE" not in query_plan and "Sort" not in query_plan, query_plan
    assert not re.search(r"\bSCAN\b(?!.*USING)", query_plan), query_plan
    assert "Seq Scan" not in query_plan, query_plan


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("", "audit_clinic_seq"),
        ("after=3", "audit_clinic_seq"),
        # PostgreSQL may walk either index in order, by its statistics of the moment (seen in
        # a whole-suite run): what matters is that no plan reads everything and sorts it.
        ("client_id={amara}", ("audit_client_seq", "audit_clinic_seq")),
        # Dates bound a range of the time index, newest first: an old "until" does not read
        # every newer row first.
        ("until=2026-01-31", "audit_clinic_time"),
        ("since=2020-01-01&until=2026-01-31&after=3", "audit_clinic_time"),
        # One person's rows, not a substring search over every label (issue 20).
        ("actor={alice}", "audit_clinic_actor"),
        ("actor={alice}&after=3", "audit_clinic_actor"),
        # A family of actions: its own index, so that a rare family is not looked for among
        # every newer row of the clinic (issue 20).
        ("action=alert", "audit_clinic_family"),
        ("action=client&after=3", "audit_clinic_family"),
        ("action=alert&since=2020-01-01&until=2026-01-31", "audit_clinic_family"),
    ],
)
def test_audit_log_pages_read_an_index_in_order(world, query, index):
    add_audit_rows(world, 60, client=world.amara)
    http = signed_in(world.admin)
    query = query.format(amara=world.amara.pk, alice=world.alice.email)
    sql = the_list_query(http, f"{AUDIT}?{query}", "audit_auditevent")
    assert_index_in_order(plan(sql), index)


def test_a_clients_access_log_reads_an_index_in_order(world):
    add_audit_rows(world, 60, client=world.amara)
    http = signed_in(world.admin)
    with CaptureQueriesContext(connection) as captured:
        page = get(http, f"/clients/{world.amara.pk}/access-log/")
    assert "n=59" in page  # the newest row first
    listed = list_query_in(captured, "audit_auditevent", limit=51)  # a keyset page and one more
    assert_index_in_order(plan(listed), ("audit_client_seq", "audit_clinic_seq"))


def test_the_audit_log_has_only_the_indexes_its_pages_read():
    """Every audited request writes a row, and each index is one more page written with it
    (issue 20: with eleven, an audited opening wrote about 66 KB under load)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "audit_auditevent")
    indexes = {
        tuple(info["columns"])
        for info in constraints.values()
        if info["index"] and not (info["unique"] or info["primary_key"])
    }
    assert indexes == {
        ("clinic_id", "seq"),  # the audit log, newest first
        ("client_id", "seq"),  # one client's rows: the log's filter, the access log, the export
        ("clinic_id", "at", "seq"),  # the log between dates
        ("clinic_id", "actor_id", "seq"),  # one person's rows
        ("clinic_id", None, "at", "seq"),  # one family of actions (None: the family, an expression)
    }
    unique = {
        tuple(info["columns"])
        for info in constraints.values()
        if info["unique"] and not info["primary_key"]
    }
    assert unique == {("seq",)}  # the chain's order


@pytest.mark.parametrize("query", ["", "after={client}", "before={client}"])
def test_client_records_pages_read_an_index_in_order(world, query):
    add_clients(world.clinic, 60)
    http = signed_in(world.admin)
    # A client in the middle of the list, so that a page lies on either side of it.
    some = (
        Client.objects.filter(clinic=world.clinic)
        .order_by("family_name", "given_name", "id")[25]
        .pk
    )
    sql = the_list_query(http, f"{RECORDS}?{query.format(client=some)}", "clients_client")
    assert_index_in_order(plan(sql), "client_clinic_name")


# A supervisor's list of clients (issue 20: 394 KB for a supervisor of a large clinic) --------

CLIENTS = "/clients/"


def supervised_clients(world, count: int) -> list[int]:
    """``count`` clients on Alice's care team, whom Sue supervises through Alice."""
    from gentle.accounts.models import Supervision
    from gentle.clients.models import CareTeamMember

    add_clients(world.clinic, count)
    added = list(Client.objects.filter(clinic=world.clinic).exclude(pk=world.amara.pk))
    CareTeamMember.objects.bulk_create(
        (CareTeamMember(client=c, user=world.alice, role="clinician") for c in added),
        ignore_conflicts=True,
    )
    Supervision.objects.get_or_create(
        clinic=world.clinic, supervisor=world.sue, clinician=world.alice
    )
    return list(
        Client.objects.filter(clinic=world.clinic)
        .order_by("family_name", "given_name", "id")
        .values_list("id", flat=True)
    )


def test_a_supervisors_client_list_pages_through_every_client(world):
    expected = supervised_clients(world, 120)
    http = signed_in(world.sue)
    page = get(http, CLIENTS)
    assert 'aria-label="Pages of clients"' in pager(page)
    seen = []
    while True:
        rows = record_numbers(page)
        assert 0 < len(rows) <= 50
        seen += rows
        following = link(page, "Next clients")
        if following is None:
            break
        page = get(http, CLIENTS + following)
    assert seen == expected  # 121 with Amara, every one once, in name order
    assert link(page, "Previous clients") is not None


def test_a_bad_client_list_link_gives_the_first_page_and_says_so(world):
    supervised_clients(world, 60)
    page = get(signed_in(world.sue), f"{CLIENTS}?after={world.far_client.pk}")
    assert BAD_LINK in messages_in(page)
    assert len(record_numbers(page)) == 50
    assert "Farrokh" not in page


def test_the_client_list_query_count_does_not_grow_with_clients(world):
    http = signed_in(world.sue)
    supervised_clients(world, 5)
    few = count_queries(http, CLIENTS)
    supervised_clients(world, 200)
    assert count_queries(http, CLIENTS) == few
    assert len(get(http, CLIENTS)) < 100_000


# One client's access log and the groups list (ADR 0027) -------------------------------------


@pytest.mark.parametrize("query", ["", "after={deep}", "before={deep}"])
def test_a_clients_access_log_neither_counts_nor_skips_and_reads_an_index_at_any_depth(
    world, query
):
    """Every opening of a record adds a row to its access log: a page is found from the row a
    link names, never by a COUNT of the client's rows and an OFFSET past them."""
    add_audit_rows(world, 120, client=world.amara)
    http = signed_in(world.admin)
    deep = AuditEvent.objects.filter(client_id=world.amara.pk).order_by("seq")[60].seq
    with CaptureQueriesContext(connection) as captured:
        get(http, f"/clients/{world.amara.pk}/access-log/?{query.format(deep=deep)}")
    reads = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "audit_auditevent"' in q["sql"]
    ]
    assert not any("COUNT(" in sql or "OFFSET" in sql for sql in reads), reads
    listed = list_query_in(captured, "audit_auditevent", limit=51)
    assert_index_in_order(plan(listed), ("audit_client_seq", "audit_clinic_seq"))


def add_groups_for_plans(world, count: int) -> None:
    """``count`` groups of the clinic, every other one finished, two of each to a first-session
    date."""
    from datetime import date, timedelta

    from gentle.accounts.models import Role
    from gentle.groups.models import Group, GroupStatus
    from tests.factories import make_person

    facilitator = make_person(world.clinic, Role.FACILITATOR)
    Group.objects.bulk_create(
        Group(
            clinic=world.clinic,
            name=f"Group {i}",
            language="en",
            setting="video",
            starts_on=date(2030, 1, 1) + timedelta(days=i // 4),
            facilitator=facilitator,
            status=GroupStatus.FINISHED if i % 2 else GroupStatus.RUNNING,
        )
        for i in range(count)
    )


def member_count_reads_an_index(query_plan: str) -> bool:
    """The members' count of each row is looked up by group, not read from every member."""
    if connection.vendor == "sqlite":
        return bool(re.search(r"SEARCH U0 USING (COVERING )?INDEX \w+ \(group_id=\?\)", query_plan))
    scan = r"Index (Only )?Scan using \w+ on groups_groupmember u0 .*\n\s+Index Cond: \(group_id ="
    return bool(re.search(scan, query_plan))


@pytest.mark.parametrize(
    ("show", "index"),
    [("", "group_clinic_current"), ("show=finished", "group_clinic_finished")],
)
@pytest.mark.parametrize("cursor", ["", "after", "before"])
def test_the_groups_list_pages_read_an_index_in_order(world, show, index, cursor):
    """The current groups and the finished ones each from their own index in order, at any
    depth: the page does not read every group of the clinic and sort them."""
    from django.db.models import Q

    from gentle.groups.models import Group, GroupStatus

    add_groups_for_plans(world, 120)
    groups = Group.objects.filter(clinic=world.clinic)
    finished = Q(status=GroupStatus.FINISHED)
    groups = groups.filter(finished if show else ~finished)
    middle = groups.order_by("-starts_on", "-id").values_list("pk", flat=True)[25]
    query = "&".join(part for part in (show, cursor and f"{cursor}={middle}") if part)
    sql = the_list_query(signed_in(world.admin), f"/groups/?{query}", "groups_group")
    query_plan = plan(sql)
    assert_index_in_order(query_plan, index)
    assert member_count_reads_an_index(query_plan), query_plan


# The administrator's People and Outgoing mail pages (issue: every portal client on one page;
# the outbox's OR, which no index served, sorted every message of the clinic) ---------------


def add_portal_clients(clinic, count: int) -> None:
    from gentle.accounts.models import Membership, Role, User

    User.objects.bulk_create(
        User(email=f"portal-{clinic.pk}-{n}@example.test", password="!") for n in range(count)
    )
    Membership.objects.bulk_create(
        Membership(user=user, clinic=clinic, role=Role.CLIENT)
        for user in User.objects.filter(email__startswith=f"portal-{clinic.pk}-")
    )


@pytest.mark.parametrize(
    ("query", "index"),
    [
        # The staff: any role but client, over the partial index of those memberships.
        ("", "membership_clinic_staff"),
        ("after={someone}", "membership_clinic_staff"),
        ("before={someone}", "membership_clinic_staff"),
        # The clients with a portal login.
        ("show=clients", "membership_clinic_role"),
        ("show=clients&after={someone}", "membership_clinic_role"),
        ("show=clients&before={someone}", "membership_clinic_role"),
    ],
)
def test_people_pages_read_an_index_in_order(world, query, index):
    from gentle.accounts.models import User

    add_portal_clients(world.clinic, 60)
    # Someone in the middle of the list, so that a page lies on either side of them.
    someone = (
        User.objects.get(email=f"portal-{world.clinic.pk}-30@example.test").pk
        if "clients" in query
        else world.portal.pk  # between Alice and Sue, and the administrator and Bob
    )
    sql = the_list_query(
        signed_in(world.admin),
        f"/clinic/people/?{query.format(someone=someone)}",
        "accounts_membership",
    )
    assert_index_in_order(plan(sql), index)


def test_people_counts_read_the_index_and_not_the_table(world):
    add_portal_clients(world.clinic, 60)
    with CaptureQueriesContext(connection) as captured:
        get(signed_in(world.admin), "/clinic/people/")
    [sql] = [q["sql"] for q in captured.captured_queries if "COUNT(DISTINCT" in q["sql"]]
    query_plan = plan(sql)
    if connection.vendor == "sqlite":
        assert "COVERING INDEX membership_clinic_role" in query_plan, query_plan
    else:
        # The clinic's part of an index; which one is the planner's choice of the moment (on a
        # tiny table, the clinic's foreign key index; index only on a large, vacuumed one).
        assert re.search(r"Index (Only )?Scan using \w+ on accounts_membership", query_plan)
        assert "Index Cond: (clinic_id = " in query_plan, query_plan
    assert not re.search(r"\bSCAN\b(?!.*USING)", query_plan), query_plan
    assert "Seq Scan" not in query_plan, query_plan


@pytest.mark.parametrize("query", ["", "after={mail}", "before={mail}"])
def test_outgoing_mail_pages_read_an_index_in_order(world, query):
    from gentle.notify.models import MailStatus, OutboundMail

    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    OutboundMail.objects.bulk_create(
        OutboundMail(
            to=f"m{n}@example.test" if n % 5 else world.alice.email,
            clinic_id=None if n % 5 == 0 else (world.clinic.pk, world.other.pk)[n % 2],
            purpose="session_reminder" if n % 5 else "password_reset",
            status=MailStatus.SENT,
            sent_at=now,
        )
        for n in range(120)
    )
    mail = OutboundMail.objects.order_by("pk")[60].pk
    with CaptureQueriesContext(connection) as captured:
        get(signed_in(world.admin), f"/clinic/mail/?{query.format(mail=mail)}")
    # Two reads, the clinic's messages and the account messages, each down the index.
    found = list_queries_in(captured, "notify_outboundmail", limit=51)
    assert len(found) == 2, found
    for sql in found:
        query_plan = plan(sql)
        assert_index_in_order(query_plan, "outboundmail_clinic_id")
        # On PostgreSQL too: the primary key also gives the rows by id, but read with a filter
        # on the clinic it would walk the whole outbox for the few account messages.
        assert "outboundmail_clinic_id" in query_plan, query_plan
