"""Prepared queries: built and compiled once per shape, run with each call's values; a builder
whose SQL text or constants depend on the values is refused rather than cached wrongly."""

import pytest
from django.db import connection
from django.db.models import F, IntegerField, Q, Value
from django.db.models.functions import Coalesce
from django.test.utils import CaptureQueriesContext

from gentle import context_processors
from gentle.accounts.models import Clinic, Role
from gentle.lib.prepared import PreparedQuery
from tests.factories import count_orm_builds, make_person, signed_in

pytestmark = pytest.mark.django_db


def names_of(shape, *, clinic_id):
    return Clinic.objects.filter(pk=clinic_id).values_list("name")


def test_each_call_binds_its_own_values(world):
    names = PreparedQuery(names_of, values=("clinic_id",))
    assert names.rows("one", clinic_id=world.clinic.pk) == [(world.clinic.name,)]
    assert names.rows("one", clinic_id=world.other.pk) == [(world.other.name,)]
    assert names.rows("one", clinic_id=-1) == []
    with pytest.raises(TypeError):
        names.rows("one", clinic=world.clinic.pk)


def test_a_value_compared_with_a_32_bit_column_keeps_its_condition(world):
    """Django drops a comparison with a value out of its column's range as one that cannot
    match: on PostgreSQL a marker far below any id, compared with a 32-bit annotation,
    vanished from the SQL with its condition, and every clinic's row came back (found on the
    supervisor's home's comments waiting, issue 20)."""

    def numbered(shape, *, clinic_id):
        clinics = Clinic.objects.annotate(n=Coalesce(F("pk"), 0, output_field=IntegerField()))
        # The shape says whether the number is kept or left out.
        return getattr(clinics, shape)(n=clinic_id).values_list("name")

    by_number = PreparedQuery(numbered, values=("clinic_id",))
    assert by_number.rows("filter", clinic_id=world.clinic.pk) == [(world.clinic.name,)]
    assert (world.clinic.name,) not in by_number.rows("exclude", clinic_id=world.clinic.pk)


def test_a_builder_that_writes_values_into_the_sql_is_refused(world):
    inlined = PreparedQuery(
        lambda shape, *, clinic_id: Clinic.objects.extra(  # noqa: S610 - the fault under test
            where=[f"id = {clinic_id}"]
        ).values_list("name"),
        values=("clinic_id",),
    )
    with pytest.raises(ValueError, match="SQL text"):
        inlined.rows("one", clinic_id=world.clinic.pk)

    derived = PreparedQuery(
        lambda shape, *, clinic_id: (
            Clinic.objects.filter(pk=clinic_id).annotate(x=Value(clinic_id + 1)).values_list("x")
        ),
        values=("clinic_id",),
    )
    with pytest.raises(ValueError, match="changes with the values"):
        derived.rows("one", clinic_id=world.clinic.pk)


def test_a_builders_constants_are_written_into_postgresqls_sql_and_its_values_bound(world):
    """ADR 0066: with prepared statements PostgreSQL plans a query once for every call, so a
    constant sent as a parameter (a note's status) is unknown to the plan, and at a programme's
    size the home's drafts to sign took 9.0 ms instead of 5.6. On PostgreSQL the builder's
    constants are written into the SQL, quoted, and only the values stay parameters. A quote,
    a percent sign or a "%s" in a constant is text, not a parameter."""
    odd = "O'Brien 100% %s clinic"
    Clinic.objects.filter(pk=world.other.pk).update(name=odd)

    def named(shape, *, clinic_id):
        clinics = Clinic.objects.filter(Q(name=odd) | Q(pk=clinic_id), slug__contains="%")
        return clinics.annotate(flag=Value(True), seven=Value(7)).values_list(
            "name", "flag", "seven"
        )

    by_name = PreparedQuery(named, values=("clinic_id",))
    assert by_name.rows("one", clinic_id=world.clinic.pk) == []  # no slug has a percent sign
    Clinic.objects.filter(pk=world.clinic.pk).update(slug="fifty%")
    Clinic.objects.filter(pk=world.other.pk).update(slug="all%in")
    assert sorted(by_name.rows("one", clinic_id=world.clinic.pk)) == sorted(
        [(world.clinic.name, True, 7), (odd, True, 7)]
    )
    assert by_name.rows("one", clinic_id=-1) == [(odd, True, 7)]
    _, sql, params, places, *_ = by_name._prepared("one")
    if connection.vendor == "postgresql":
        assert "'O''Brien 100%% %%s clinic'" in sql
        assert len(params) == 1 and places == {0: "clinic_id"}
    else:
        assert odd in params and len(places) == 1


def test_the_navigation_badges_are_built_once_per_combination_of_roles(world, monkeypatch):
    """Building the badge query was more than half of a signed-in page's time (issue 20)."""
    built = []

    def counting(shape, **values):
        built.append(shape)
        return context_processors._badge_counts(shape, **values)

    monkeypatch.setattr(
        context_processors,
        "BADGE_COUNTS",
        PreparedQuery(counting, values=("clinic_id", "user_id")),
    )
    carl = make_person(world.clinic, Role.CLINICIAN)
    for person in (world.alice, world.alice, world.bob, carl):
        http = signed_in(person)
        with CaptureQueriesContext(connection) as captured:
            assert http.get("/crisis/").status_code == 200
        assert any("safety_alert" in q["sql"] for q in captured.captured_queries)
    assert len(built) == 2  # one shape (clinicians), checked with two sets of markers
    assert signed_in(world.admin).get("/crisis/").status_code == 200
    assert len(built) == 4  # the administrator's badges are another shape


def test_moments_are_bound_as_values_and_a_worked_out_moment_is_refused(world):
    """A moment (``times``) reaches the query as given, on SQLite as its text; the builder may
    not work one out from another, since that would be cached with the markers' value."""
    from datetime import timedelta

    from django.utils import timezone

    from gentle.accounts.models import User

    joined = world.alice.date_joined
    before = PreparedQuery(
        lambda shape, *, user_id, before: User.objects.filter(
            pk=user_id, date_joined__lt=before
        ).values_list("email"),
        values=("user_id",),
        times=("before",),
    )
    after = joined + timedelta(seconds=1)
    assert before.rows(None, user_id=world.alice.pk, before=after) == [(world.alice.email,)]
    assert before.rows(None, user_id=world.alice.pk, before=joined) == []
    assert before.rows(None, user_id=world.bob.pk, before=timezone.now() + timedelta(1)) == [
        (world.bob.email,)
    ]

    worked_out = PreparedQuery(
        lambda shape, *, user_id, now: User.objects.filter(
            pk=user_id, date_joined__lt=now - timedelta(days=2)
        ).values_list("email"),
        values=("user_id",),
        times=("now",),
    )
    with pytest.raises(ValueError, match="changes with the values"):
        worked_out.rows(None, user_id=world.alice.pk, now=timezone.now())


def test_days_are_bound_as_values_and_a_worked_out_day_is_refused(world):
    """A day (``dates``: the client's today, for the portal's home) reaches the query as
    given, on SQLite as its text, and is told apart from a moment; the builder may not work
    one day out from another."""
    from datetime import timedelta

    from django.utils import timezone

    from gentle.timeline.models import DiaryEntry

    today = timezone.localdate()
    DiaryEntry.objects.create(client=world.amara, mood=5, day=today - timedelta(days=2))
    DiaryEntry.objects.create(client=world.amara, mood=6, day=today)
    since = PreparedQuery(
        lambda shape, *, client_id, since, now: DiaryEntry.objects.filter(
            client_id=client_id, day__gte=since, updated_at__lte=now
        ).values_list("mood"),
        values=("client_id",),
        times=("now",),
        dates=("since",),
    )
    now = timezone.now()
    assert sorted(since.rows(None, client_id=world.amara.pk, since=today, now=now)) == [(6,)]
    week_ago = today - timedelta(days=7)
    assert sorted(since.rows(None, client_id=world.amara.pk, since=week_ago, now=now)) == [
        (5,),
        (6,),
    ]
    assert since.rows(None, client_id=world.amara.pk, since=week_ago, now=now - timedelta(1)) == []
    with pytest.raises(TypeError):
        since.rows(None, client_id=world.amara.pk, since=today)

    worked_out = PreparedQuery(
        lambda shape, *, client_id, today: DiaryEntry.objects.filter(
            client_id=client_id, day__gte=today - timedelta(days=7)
        ).values_list("mood"),
        values=("client_id",),
        dates=("today",),
    )
    with pytest.raises(ValueError, match="changes with the values"):
        worked_out.rows(None, client_id=world.amara.pk, today=today)


def test_instances_come_with_their_related_rows_and_annotations(world):
    """``objects`` reads a queryset of instances with ``select_related`` and annotations, as the
    queryset would: the clinician's home reads today's sessions with their courses, clients
    and notes this way (issue 20). Values and related managers' querysets are refused."""
    from django.db.models import Count

    from gentle.courses.models import Session
    from tests.factories import make_client, make_course, make_session

    course = make_course(make_client(world.clinic, clinicians=[world.alice], given_name="Ines"))
    make_session(course, world.alice)
    make_session(course, world.alice)

    def sessions(shape, *, user_id):
        return (
            Session.objects.filter(clinician_id=user_id)
            .select_related("course__client")
            .annotate(same_course=Count("course__sessions"))
            .order_by("starts_at", "pk")
        )

    prepared = PreparedQuery(sessions, values=("user_id",))
    with CaptureQueriesContext(connection) as captured:
        found = prepared.objects(None, user_id=world.alice.pk)
        assert [s.course.client.given_name for s in found] == ["Ines", "Ines"]
        assert [s.same_course for s in found] == [2, 2]
    assert len(captured.captured_queries) == 1  # the related rows came with the sessions
    assert prepared.objects(None, user_id=world.bob.pk) == []

    with pytest.raises(ValueError, match="instances"):
        PreparedQuery(names_of, values=("clinic_id",)).objects(None, clinic_id=world.clinic.pk)
    prefetching = PreparedQuery(
        lambda shape, *, clinic_id: Clinic.objects.filter(pk=clinic_id).prefetch_related(
            "memberships"
        ),
        values=("clinic_id",),
    )
    with pytest.raises(ValueError, match="prefetch_related"):
        prefetching.objects(None, clinic_id=world.clinic.pk)


def test_rows_are_converted_as_the_queryset_converts_them_with_converters_found_once(
    world, monkeypatch
):
    """Each column comes back as the queryset gives it (an aware moment, a boolean, a date
    worked out in SQL), on both databases; the ORM's converters are found once per shape,
    not again on every call (asking for them each time cost a quarter of the rows' time on
    the clinician's home, issue 20)."""
    from django.db.models.functions import TruncDate
    from django.db.models.sql.compiler import SQLCompiler
    from django.utils import timezone

    from gentle.accounts.models import User

    def people(shape, *, user_id):
        return (
            User.objects.filter(pk=user_id)
            .annotate(day=TruncDate("date_joined"))
            .values_list("date_joined", "is_active", "day")
        )

    found_converters = []
    real = SQLCompiler.get_converters

    def counting(self, expressions):
        found_converters.append(len(expressions))
        return real(self, expressions)

    monkeypatch.setattr(SQLCompiler, "get_converters", counting)
    prepared = PreparedQuery(people, values=("user_id",))
    for person in (world.alice, world.bob, world.alice):
        expected = list(people(None, user_id=person.pk))
        assert prepared.rows(None, user_id=person.pk) == expected
        joined, active, day = expected[0]
        assert joined.tzinfo is not None and active is True
        assert day == timezone.localdate(joined)
    # Three querysets each found their own; the prepared query found them once.
    assert len(found_converters) == 3 + 1


def test_ids_are_bound_a_page_at_a_time_the_last_page_filled_up_with_an_id_no_row_has():
    from gentle.lib.prepared import ID_LIST, ID_LIST_SIZE, id_lists, listed_ids

    assert list(id_lists([])) == []
    ids = list(range(1, 2 * ID_LIST_SIZE + 2))
    lists = list(id_lists(ids))
    assert [len(values) for values in lists] == [ID_LIST_SIZE] * 3
    assert all(set(values) == set(ID_LIST) for values in lists)
    bound = [listed_ids(values) for values in lists]
    assert bound[0] + bound[1] + bound[2][:1] == ids
    assert bound[2][1:] == [0] * (ID_LIST_SIZE - 1)


def test_being_signed_in_builds_no_query_in_the_orm(world, monkeypatch):
    """Issue 20: the cost of being signed in, measured on the crisis page. The session's read
    and the clinic's crisis texts were built in the ORM on every request (about 0.3 ms each);
    the person, memberships and badges are prepared. After a first request, the crisis page
    compiles nothing, and shows this clinic's crisis text, not another's."""

    from gentle.safety.models import CrisisText

    CrisisText.objects.create(
        clinic=world.clinic, language="en", text="Ask for the duty counsellor at Harbour House"
    )
    CrisisText.objects.create(clinic=world.other, language="en", text="Ask for the Northside desk")
    http = signed_in(world.alice)
    assert http.get("/crisis/").status_code == 200
    built = count_orm_builds(monkeypatch)
    page = http.get("/crisis/")
    monkeypatch.undo()
    assert built == []
    assert page.context["user"] == world.alice
    assert "duty counsellor at Harbour House" in page.text
    assert "Northside desk" not in page.text


def test_an_expired_or_unknown_session_is_not_loaded(world):
    """The session's read, written as SQL of its own, keeps Django's conditions: its own key,
    and not past its expiry."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    http = signed_in(world.alice)
    assert http.get("/crisis/").context["user"] == world.alice
    key = http.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now())
    assert not http.get("/crisis/").context["user"].is_authenticated

    other = signed_in(world.bob)
    other.cookies["sessionid"] = key[:-1] + ("x" if key[-1] != "x" else "y")
    assert not other.get("/crisis/").context["user"].is_authenticated


@pytest.mark.django_db(transaction=True)
def test_postgresql_prepares_a_signed_in_pages_queries_when_turned_on(world, monkeypatch):
    """Issue 20, ADR 0066: with GENTLE_PG_PREPARED_STATEMENTS PostgreSQL plans a page's queries
    once per connection: from the fifth opening on, the crisis page's and the home's queries
    run as prepared statements, with their constants written in, and the pages are still
    right. Without it, nothing is prepared."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements of PostgreSQL's server; the PostgreSQL pass runs it")
    from gentle.safety.models import CrisisText

    CrisisText.objects.create(
        clinic=world.clinic, language="en", text="Ask for the duty counsellor at Harbour House"
    )

    def prepared_after_six_openings() -> list[str]:
        http = signed_in(world.alice)
        for _ in range(6):
            page = http.get("/crisis/")
            assert "duty counsellor at Harbour House" in page.text
            assert http.get("/").status_code == 200
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    def with_options(options: dict) -> list[str]:
        connection.close()
        monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
        try:
            return prepared_after_six_openings()
        finally:
            connection.close()

    assert not any("safety_crisistext" in sql for sql in with_options({}))
    statements = with_options({"server_side_binding": True, "prepare_threshold": 5})
    assert any("safety_crisistext" in sql for sql in statements)
    assert any("django_session" in sql for sql in statements)
    # The home's drafts to sign: planned knowing that it asks for drafts, its ids bound.
    drafts = [sql for sql in statements if 'FROM "courses_progressnote"' in sql]
    assert any(""""courses_progressnote"."status" = 'draft'""" in sql for sql in drafts)
    assert all("$1" in sql for sql in drafts)
