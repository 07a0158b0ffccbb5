"""The caseload a page at a time (issue 20): 50 clients a page by name, found by keyset; its
search (any part of any name, tests/test_search.py) and filters (phase, format, status) are
conditions in SQL, so they page too; the phase is worked out in the database from the course's
sessions as they stand now, so it follows sessions as they are scheduled and cancelled; the
supervisor's view is bounded the same way; the query count does not grow with the caseload,
and the list query reads the clients' name index in order (EXPLAIN: no full scan, no sort).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from gentle.clients.models import CareTeamMember, Client, TeamRole
from gentle.courses.models import Course, Session
from tests.factories import (
    count_queries,
    make_client,
    make_course,
    make_session,
    signed_in,
    supervise,
)
from tests.test_keyset_pages import (
    BAD_LINK,
    assert_index_in_order,
    get,
    link,
    messages_in,
    pager,
    plan,
    the_list_query,
)

pytestmark = pytest.mark.django_db

CASELOAD = "/caseload/"
NEXT, PREVIOUS = "Next clients", "Previous clients"


def add_clients(clinic, clinician, count: int, *, family: str = "F", courses: bool = False):
    """``count`` clients on ``clinician``'s team whose names repeat (pages end inside runs of
    equal names); with ``courses``, each has an active course with one session held and the
    next one to come."""
    made = Client.objects.bulk_create(
        Client(clinic=clinic, given_name=f"G{i % 3}", family_name=f"{family}{i % 7}")
        for i in range(count)
    )
    CareTeamMember.objects.bulk_create(
        CareTeamMember(client=c, user=clinician, role=TeamRole.CLINICIAN) for c in made
    )
    if courses:
        week_ago, tomorrow = timezone.now() - timedelta(days=7), timezone.now() + timedelta(days=1)
        for c in made:
            course = make_course(c, status="active")
            make_session(course, clinician, starts_at=week_ago, attendance="attended")
            make_session(course, clinician, starts_at=tomorrow)
    return made


def client_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td data-label="Client"><a href="/clients/(\d+)/">', page)]


def expected_order(**team) -> list[int]:
    return list(
        Client.objects.filter(care_team__user=team["user"], care_team__role=team["role"])
        .order_by("family_name", "given_name", "id")
        .values_list("id", flat=True)
    )


def test_the_caseload_pages_through_every_client_by_name_fifty_at_a_time(world):
    add_clients(world.clinic, world.alice, 130)
    add_clients(world.clinic, world.bob, 20)
    http = signed_in(world.alice)
    page = get(http, CASELOAD)
    assert 'aria-label="Pages of the caseload"' in pager(page)
    assert link(page, PREVIOUS) is None
    seen, pages = [], 0
    while True:
        rows = client_ids(page)
        assert 0 < len(rows) <= 50
        seen += rows
        pages += 1
        following = link(page, NEXT)
        if following is None:
            break
        assert re.fullmatch(r"\?after=\d+", following)  # a record number, never a name
        page = get(http, CASELOAD + following)
    expected = expected_order(user=world.alice, role=TeamRole.CLINICIAN)
    assert len(expected) == 131  # with Amara
    assert seen == expected and pages == 3
    assert link(page, NEXT) is None
    back = get(http, CASELOAD + link(page, PREVIOUS))
    assert client_ids(back) == expected[50:100]


@pytest.mark.parametrize(
    "query", ["after=x", "before=0", "after=1&before=2", "after=99999999", "after=-3"]
)
def test_a_bad_caseload_link_gives_the_first_page_and_says_so(world, query):
    add_clients(world.clinic, world.alice, 60)
    http = signed_in(world.alice)
    first = client_ids(get(http, CASELOAD))
    page = get(http, f"{CASELOAD}?{query}")
    assert BAD_LINK in messages_in(page)
    assert client_ids(page) == first
    assert link(page, NEXT) is not None


def test_a_link_naming_a_client_the_clinician_may_not_see_gives_the_first_page(world):
    add_clients(world.clinic, world.alice, 60)
    (bobs,) = add_clients(world.clinic, world.bob, 1, family="Bartholomew")
    http = signed_in(world.alice)
    first = client_ids(get(http, CASELOAD))
    for other in (bobs, world.far_client):
        page = get(http, f"{CASELOAD}?after={other.pk}")
        assert BAD_LINK in messages_in(page)
        assert client_ids(page) == first
        assert "Bartholomew" not in page and "Farrokh" not in page


def test_a_good_link_has_no_message_and_a_short_caseload_no_pager(world):
    http = signed_in(world.alice)
    assert pager(get(http, CASELOAD)) == ""
    add_clients(world.clinic, world.alice, 60)
    second = get(http, CASELOAD + link(get(http, CASELOAD), NEXT))
    assert messages_in(second) == []


def test_filters_page_in_the_database_and_stay_in_the_links(world):
    add_clients(world.clinic, world.alice, 70, courses=True)  # each in session 2: initial
    add_clients(world.clinic, world.alice, 5, family="Z")  # no course
    http = signed_in(world.alice)
    first = get(http, f"{CASELOAD}?phase=initial&format=individual&status=active")
    assert len(client_ids(first)) == 50
    following = link(first, NEXT)
    assert following.startswith("?phase=initial&format=individual&status=active&after=")
    second = get(http, CASELOAD + following)
    assert len(client_ids(second)) == 20 and link(second, NEXT) is None
    assert "Initial phase" in second and "2 of 12" in second
    assert client_ids(get(http, f"{CASELOAD}?phase=middle")) == []


def _post_session(http, course, when) -> None:
    local = timezone.localtime(when)
    response = http.post(
        f"/courses/{course.pk}/sessions/new/",
        {
            "date": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
            "minutes": 50,
            "mode": "video",
        },
    )
    assert response.status_code == 302, response.status_code


def test_the_phase_filter_follows_sessions_as_they_are_scheduled_and_cancelled(world):
    """A course of 4 sessions: 1 is the initial phase, 2 the middle, 3 and 4 termination."""
    (odile,) = add_clients(world.clinic, world.alice, 1, family="Odile")
    course = make_course(
        odile, status="active", contracted_sessions=4, initial_last=1, termination_first=3
    )
    now = timezone.now()
    make_session(course, world.alice, starts_at=now - timedelta(days=7), attendance="attended")
    http = signed_in(world.alice)

    def shown(phase: str) -> bool:
        return odile.pk in client_ids(get(http, f"{CASELOAD}?phase={phase}"))

    assert shown("initial") and not shown("middle")  # session 1 held, none to come
    _post_session(http, course, now + timedelta(days=2, hours=3))
    assert shown("middle") and not shown("initial")  # session 2 to come
    coming = Session.objects.get(course=course, starts_at__gt=now)
    response = http.post(f"/sessions/{coming.pk}/attendance/", {"attendance": "cancelled"})
    assert response.status_code == 302
    assert shown("initial") and not shown("middle")  # cancelled: back to session 1
    _post_session(http, course, now + timedelta(days=3, hours=5))
    make_session(course, world.alice, starts_at=now - timedelta(days=3), attendance="attended")
    assert shown("termination") and not shown("middle")  # 2 held, 3 to come
    assert "3 of 4" in get(http, f"{CASELOAD}?phase=termination")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=lun", {"Lund"}),
        ("q=PIA", {"Lund"}),
        ("q=ama", {"Amara"}),
        ("q=und", {"Lund"}),  # any part of a name (ADR 0031; tests/test_search.py)
        ("q=Farrokh", set()),  # another clinic's client
    ],
)
def test_search_matches_any_part_of_a_name(world, query, expected):
    pia = make_client(world.clinic, clinicians=[world.alice], given_name="Pia", family_name="Lund")
    http = signed_in(world.alice)
    page = get(http, f"{CASELOAD}?{query}")
    names = {"Lund": pia.pk, "Amara": world.amara.pk}
    assert {name for name, pk in names.items() if pk in client_ids(page)} == expected


def test_search_results_page_too(world):
    add_clients(world.clinic, world.alice, 60, family="Lund")
    add_clients(world.clinic, world.alice, 60, family="Roy")
    http = signed_in(world.alice)
    first = get(http, f"{CASELOAD}?q=lund")
    following = link(first, NEXT)
    assert following.startswith("?q=lund&after=")
    second = get(http, CASELOAD + following)
    assert len(client_ids(first)) == 50 and len(client_ids(second)) == 10
    assert "Roy" not in first + second


def test_the_supervisors_caseload_is_a_bounded_page(world):
    supervise(world.clinic, world.sue, world.alice)
    add_clients(world.clinic, world.alice, 2, courses=True)
    http = signed_in(world.sue)
    few = count_queries(http, CASELOAD)
    add_clients(world.clinic, world.alice, 300, courses=True)
    response = http.get(CASELOAD)
    assert response.status_code == 200
    page = response.content.decode()
    assert len(client_ids(page)) == 50 and link(page, NEXT) is not None
    assert len(response.content) < 100_000
    assert count_queries(http, CASELOAD) == few


def test_the_caseload_query_count_does_not_grow_with_clients(world):
    add_clients(world.clinic, world.alice, 2, courses=True)
    http = signed_in(world.alice)
    urls = [CASELOAD, f"{CASELOAD}?phase=initial", f"{CASELOAD}?q=g1&status=active"]
    few = [count_queries(http, url) for url in urls]
    add_clients(world.clinic, world.alice, 200, courses=True)
    assert [count_queries(http, url) for url in urls] == few
    deep = count_queries(http, CASELOAD + link(get(http, CASELOAD), NEXT))
    assert deep == few[0] + 1  # the row the link names is read back for its name


# A search reads the search index instead (tests/test_search.py).
@pytest.mark.parametrize("query", ["", "after={client}", "phase=initial", "format=individual"])
def test_the_caseload_reads_the_name_index_in_order(world, query):
    made = add_clients(world.clinic, world.alice, 60, courses=True)
    assert Course.objects.count() >= 60
    http = signed_in(world.alice)
    sql = the_list_query(http, f"{CASELOAD}?{query.format(client=made[30].pk)}", "clients_client")
    query_plan = plan(sql)
    assert_index_in_order(query_plan, "client_clinic_name")
    if "phase" in query:
        # The phase is worked out beforehand for the listed clients' own courses: as a
        # condition of this query, PostgreSQL worked it out for every client of the clinic
        # before it looked at whose caseload they were on (1 s at 10,000 clients, issue 20).
        assert "courses_session" not in sql, sql


def test_the_phase_filter_lists_the_clients_in_that_phase_only(world):
    early = add_clients(world.clinic, world.alice, 3, courses=True)  # session 2 of 12: initial
    later = add_clients(world.clinic, world.alice, 2, family="M", courses=True)
    week_ago = timezone.now() - timedelta(days=7)
    for client in later:  # four more held: session 6 is the next, the middle phase
        course = client.courses.get()
        for days in (1, 2, 3, 4):
            make_session(
                course,
                world.alice,
                starts_at=week_ago + timedelta(hours=days),
                attendance="attended",
            )
    http = signed_in(world.alice)
    assert sorted(client_ids(get(http, f"{CASELOAD}?phase=middle"))) == sorted(c.pk for c in later)
    assert sorted(client_ids(get(http, f"{CASELOAD}?phase=initial"))) == sorted(c.pk for c in early)
    assert client_ids(get(http, f"{CASELOAD}?phase=termination")) == []
    assert "No clients match." in get(http, f"{CASELOAD}?phase=termination")


# The client list (the clinician's and the supervisor's) --------------------------------------

CLIENTS = "/clients/"


def listed_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-label="Record">#(\d+)<', page)]


def test_the_supervisors_client_list_pages_by_name_fifty_at_a_time(world):
    supervise(world.clinic, world.sue, world.alice)
    add_clients(world.clinic, world.alice, 120)
    add_clients(world.clinic, world.bob, 10)
    http = signed_in(world.sue)
    few_queries = count_queries(http, CLIENTS)
    response = http.get(CLIENTS)
    page = response.content.decode()
    assert len(response.content) < 100_000
    assert 'aria-label="Pages of clients"' in pager(page)
    seen = listed_ids(page)
    while (following := link(page, NEXT)) is not None:
        assert re.fullmatch(r"\?after=\d+", following)
        page = get(http, CLIENTS + following)
        seen += listed_ids(page)
    expected = expected_order(user=world.alice, role=TeamRole.CLINICIAN)
    assert seen == expected and len(seen) == 121  # Alice's clients and Amara; none of Bob's
    add_clients(world.clinic, world.alice, 200)
    assert count_queries(http, CLIENTS) == few_queries


def test_a_bad_client_list_link_gives_the_first_page_and_says_so(world):
    add_clients(world.clinic, world.alice, 60)
    http = signed_in(world.alice)
    first = listed_ids(get(http, CLIENTS))
    page = get(http, f"{CLIENTS}?after={world.far_client.pk}")
    assert BAD_LINK in messages_in(page)
    assert listed_ids(page) == first and "Farrokh" not in page


@pytest.mark.parametrize("who", ["alice", "sue"])
def test_the_client_list_reads_the_name_index_in_order(world, who):
    supervise(world.clinic, world.sue, world.alice)
    add_clients(world.clinic, world.alice, 60)
    http = signed_in(getattr(world, who))
    sql = the_list_query(http, CLIENTS, "clients_client")
    assert_index_in_order(plan(sql), "client_clinic_name")


def test_each_cell_is_labelled_in_the_readers_language_for_phones(world):
    """The column names are translated once per page (issue 20) and still label every cell."""
    add_clients(world.clinic, world.alice, 2)
    html = get(signed_in(world.alice, HTTP_ACCEPT_LANGUAGE="es"), CASELOAD)
    assert html.count('data-label="Alertas y medidas"') == 3, html  # Amara and the two
    assert 'data-label="Client"' not in html
