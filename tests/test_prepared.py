"""Prepared queries: built and compiled once per shape, run with each call's values; a builder
whose SQL text or constants depend on the values is refused rather than cached wrongly."""

import pytest
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext

from gentle import context_processors
from gentle.accounts.models import Clinic, Role
from gentle.lib.prepared import PreparedQuery
from tests.factories import make_person, signed_in

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
