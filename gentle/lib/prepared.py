"""Queries whose SQL Django builds once per shape; later calls only bind new values.

Building a rich query in the ORM can cost far more than running it: the navigation badges
(counts of open alerts and risk requests, several EXISTS and subqueries) took about 3.5 ms of
Python to build and compile and 0.1 ms to run, on every signed-in page (issue 20). A prepared
query is built once per *shape* (the arguments that change the SQL text, such as the roles held)
with *markers* standing in for the values that only change parameters (ids), compiled, and the
markers' places in the parameter list remembered. Each call runs the remembered SQL with its
own values in those places.

The build is checked the first time each shape is seen: built twice with different markers,
the SQL text must be identical, every marker must land in the same places and every other
parameter must stay the same, or the query is refused as not preparable (a ``ValueError``):
a builder that puts values into the SQL text cannot be cached by mistake. (A value the shape
does not use, such as the user for a count that covers the whole clinic, simply has no place.)

Values are ids (``values``), moments (``times``, aware datetimes such as "48 hours ago") or
days (``dates``, such as the client's today). A moment or a day must reach the query as given:
one the builder works out from another (``now - 2 days``) is a parameter that changes with the
values, and is refused; pass the worked-out moment as its own value.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler
from psycopg import sql as pg_sql

# The ids stood in for, counting down from these. Never run, only compiled, so any id will do,
# but it must be in range for every kind of integer column: Django drops a comparison with a
# value out of its column's range as one that cannot match (on PostgreSQL a marker of -10**12
# compared with a 32-bit annotation vanished from the SQL, with its condition). A constant
# equal to one of them differs from the other set's and is refused below.
_MARKER_SETS = (30_011, 31_013)
# Moments no row has, one set per id set: the first days of the years 1001 and 1002.
_TIME_MARKER_SETS = (datetime(1001, 1, 1, tzinfo=UTC), datetime(1002, 1, 1, tzinfo=UTC))
# Days no row has, one set per id set: the first days of the years 1101 and 1102.
_DATE_MARKER_SETS = (date(1101, 1, 1), date(1102, 1, 1))
Builder = Callable[..., QuerySet]

# A list of ids as values (``pk__in=[values[name] for name in ID_LIST]``): a page of rows
# (gentle.lib.keyset.PAGE_SIZE), bound ``id_lists`` at a time.
ID_LIST_SIZE = 50
ID_LIST = tuple(f"id{i}" for i in range(ID_LIST_SIZE))


def id_lists(ids: Iterable[int]) -> Iterator[dict[str, int]]:
    """``ids`` as values of ``ID_LIST``, ``ID_LIST_SIZE`` at a time, the last list filled up
    with 0, an id no row has: a query on "these ids" then has one shape (one SQL text) for
    any number of them. No ids, no list."""
    ids = list(ids)
    for start in range(0, len(ids), ID_LIST_SIZE):
        chunk = ids[start : start + ID_LIST_SIZE]
        yield dict(zip(ID_LIST, chunk + [0] * (ID_LIST_SIZE - len(chunk)), strict=True))


def listed_ids(values: dict[str, Any]) -> list[int]:
    """In a builder: the ids ``id_lists`` bound (``values`` holds all of ``ID_LIST``)."""
    return [values[name] for name in ID_LIST]


# The ORM's converters of a query's columns: [(position, ([converter, ...], expression)), ...]
_Converters = list[tuple[int, tuple[list[Callable[..., Any]], Any]]]
# alias, SQL, parameters with markers, {index of a marker: its value's name}, the compiler,
# the converters of its columns
_Prepared = tuple[str, str, list[Any], dict[int, str], SQLCompiler, _Converters]


class PreparedQuery:
    """``PreparedQuery(build, values=("clinic_id", "user_id"), times=("since",))``;
    ``.rows(shape, clinic_id=1, user_id=2, since=...)`` returns the rows of ``build(shape,
    clinic_id=<marker>, user_id=<marker>, since=<marker>)`` with the real values bound.
    ``build`` must return a queryset whose SQL depends only on ``shape``: a ``values_list`` for
    ``rows`` and ``instances``, one of instances for ``objects``."""

    def __init__(
        self,
        build: Builder,
        *,
        values: Sequence[str],
        times: Sequence[str] = (),
        dates: Sequence[str] = (),
    ):
        self.build = build
        self.values = tuple(values)
        self.times = tuple(times)
        self.dates = tuple(dates)
        self._cache: dict[Hashable, _Prepared] = {}
        self._lock = threading.Lock()

    def rows(self, shape: Hashable, **values: int | date) -> list[tuple]:
        expected = (*self.values, *self.times, *self.dates)
        if set(values) != set(expected):
            raise TypeError(f"expected values {expected}, got {tuple(values)}")
        alias, sql, params, places, _, converters = self._prepared(shape)
        connection = connections[alias]
        ops = connection.ops
        bound = list(params)
        for index, name in places.items():
            value, marker = values[name], params[index]
            # Each value in the form its marker took: a moment or a day as SQLite's text, an
            # id in the wrapper psycopg's backend gives a 32-bit column's value (``Int4``).
            if isinstance(marker, str) and name in self.dates:
                assert isinstance(value, date) and not isinstance(value, datetime)
                bound[index] = ops.adapt_datefield_value(value)
            elif isinstance(marker, str):
                assert isinstance(value, datetime)  # only a moment's or a day's marker is text
                bound[index] = ops.adapt_datetimefield_value(value)
            elif isinstance(marker, int) and type(marker) is not int:
                assert isinstance(value, int)  # only an id's marker is an int
                bound[index] = type(marker)(value)
            else:
                bound[index] = value
        with connection.cursor() as cursor:
            cursor.execute(sql, bound)
            fetched = cursor.fetchall()
        if not converters:
            return [tuple(row) for row in fetched]
        # The ORM's converters (dates on SQLite, booleans, ...), as a queryset applies them
        # (``SQLCompiler.apply_converters``), found once per shape: asking for them again on
        # every call cost a quarter of the time of the rows.
        converted = []
        for row in fetched:
            cells = list(row)
            for position, (functions, expression) in converters:
                value = cells[position]
                for convert in functions:
                    value = convert(value, expression, connection)
                cells[position] = value
            converted.append(tuple(cells))
        return converted

    def instances(self, shape: Hashable, **values: int | date) -> list[Model]:
        """For a builder returning ``Model.objects....values_list(*attnames, *annotations)`` of
        the model's own fields, then any annotations: the rows as model instances (fields not
        listed are deferred), each annotation set on its instance as a queryset does."""
        alias, _, _, _, compiler, _ = self._prepared(shape)
        model, names = compiler.query.model, list(compiler.query.values_select)
        assert model is not None  # a queryset always has its model
        annotations = list(compiler.query.annotation_select)
        found = []
        for row in self.rows(shape, **values):
            instance = model.from_db(alias, names, row[: len(names)])
            for name, value in zip(annotations, row[len(names) :], strict=True):
                setattr(instance, name, value)
            found.append(instance)
        return found

    def objects(self, shape: Hashable, **values: int | date) -> list[Model]:
        """For a builder returning a queryset of instances (not ``values``), with any
        ``select_related`` and annotations: the instances with their related rows and
        annotations, set from each row as Django's ``ModelIterable`` sets them."""
        alias, _, _, _, compiler, _ = self._prepared(shape)
        select, klass_info = compiler.select, compiler.klass_info
        if klass_info is None or not compiler.query.default_cols:  # values, not instances
            raise ValueError("objects() reads a queryset of instances; use rows() for values")
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        # Django 5.2's signature (the type stubs already have 6.0's fetch mode).
        populators = get_related_populators(klass_info, select, alias)  # type: ignore[call-arg]
        found = []
        for row in self.rows(shape, **values):
            instance = klass_info["model"].from_db(alias, names, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in compiler.annotation_col_map.items():
                setattr(instance, name, row[position])
            found.append(instance)
        return found

    def _prepared(self, shape: Hashable) -> _Prepared:
        cached = self._cache.get(shape)
        if cached is not None:
            return cached
        with self._lock:
            alias, sql, params, compiler = self._compile(shape, 0)
            _, other_sql, other_params, _ = self._compile(shape, 1)
            if sql != other_sql or len(params) != len(other_params):
                raise ValueError("the query's SQL text depends on its values: not preparable")
            places: dict[int, str] = {}
            for index, (value, other) in enumerate(zip(params, other_params, strict=True)):
                place = self._place(alias, value, 0)
                if place != self._place(alias, other, 1):
                    raise ValueError("a value lands in different places: not preparable")
                if place is None and value != other:
                    raise ValueError("a parameter changes with the values: not preparable")
                if place is not None:
                    places[index] = place
            fields = [column[0] for column in compiler.select[: compiler.col_count]]
            if compiler.has_composite_fields(fields):
                raise ValueError("composite fields: not preparable")
            converters = list(compiler.get_converters(fields).items())
            sql, params, places = _constants_written_in(alias, sql, params, places)
            self._cache[shape] = (alias, sql, params, places, compiler, converters)
        return self._cache[shape]

    def _markers(self, marker_set: int) -> dict[str, int | date]:
        ids = {name: _MARKER_SETS[marker_set] - i for i, name in enumerate(self.values)}
        start = _TIME_MARKER_SETS[marker_set]
        times = {name: start + timedelta(days=i) for i, name in enumerate(self.times)}
        first = _DATE_MARKER_SETS[marker_set]
        dates = {name: first + timedelta(days=i) for i, name in enumerate(self.dates)}
        return {**ids, **times, **dates}

    def _place(self, alias: str, value: Any, marker_set: int) -> str | None:
        """Which value's marker ``value`` is, if any."""
        if isinstance(value, bool):
            return None
        ops = connections[alias].ops
        for name, marker in self._markers(marker_set).items():
            if isinstance(marker, datetime):
                moment = (marker, ops.adapt_datetimefield_value(marker))
                if isinstance(value, datetime | str) and value in moment:
                    return name
            elif isinstance(marker, date):
                day = (marker, ops.adapt_datefield_value(marker))
                plain = isinstance(value, date | str) and not isinstance(value, datetime)
                if plain and value in day:
                    return name
            elif isinstance(value, int) and value == marker:
                return name
        return None

    def _compile(self, shape: Hashable, marker_set: int) -> tuple[str, str, list[Any], SQLCompiler]:
        queryset = self.build(shape, **self._markers(marker_set))
        query = queryset.query
        # Filled in by the queryset after its own query ran: not part of the SQL kept here.
        if queryset._prefetch_related_lookups or queryset._known_related_objects:  # type: ignore[attr-defined]
            raise ValueError("prefetch_related and related managers' querysets: not preparable")
        # The rows come in the SQL's order; a queryset reorders them as its values_list names
        # them when annotations come between fields. Ask for them in the SQL's order instead.
        columns = [*query.extra_select, *query.values_select, *query.annotation_select]
        if queryset._fields and list(queryset._fields) != columns:  # type: ignore[attr-defined]
            raise ValueError(f"list the fields, then the annotations in their order: {columns}")
        compiler = query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        return queryset.db, sql, list(params), compiler


# A parameter's marker in the SQL of Django's PostgreSQL backend, and a percent sign written
# as text ("%%"), which is not one.
_PARAMETER = re.compile(r"%[%s]")


def _constants_written_in(
    alias: str, sql: str, params: list[Any], places: dict[int, str]
) -> tuple[str, list[Any], dict[int, str]]:
    """On PostgreSQL, the parameters that are the same at every call (a note's status, a
    flag, a limit) written into the SQL as literals; the values stay parameters.

    With server-side binding (``GENTLE_PG_PREPARED_STATEMENTS``, ADR 0066) PostgreSQL plans a
    prepared query once for all calls: a status sent as a parameter is unknown to that plan,
    and at a programme's size the home's drafts to sign took 9.0 ms instead of 5.6. Written in,
    the plan is made for it. Only the builder's own constants are written, quoted by psycopg;
    they were the same in both builds (checked by ``_prepared``)."""
    if connections[alias].vendor != "postgresql":
        return sql, params, places
    written: list[str] = []
    kept: list[Any] = []
    kept_places: dict[int, str] = {}
    index = 0
    start = 0
    for found in _PARAMETER.finditer(sql):
        written.append(sql[start : found.start()])
        start = found.end()
        if found.group() == "%%":
            written.append("%%")
            continue
        if index == len(params):
            raise ValueError("the SQL has more parameters than values: not preparable")
        value = params[index]
        literal = None if index in places else _literal(value)
        if literal is not None:
            # As text the query is still read for parameters: a percent sign is written twice.
            written.append(literal.replace("%", "%%"))
        else:
            if index in places:
                kept_places[len(kept)] = places[index]
            kept.append(value)
            written.append("%s")
        index += 1
    if index != len(params):
        raise ValueError("the SQL's parameters and its values do not match: not preparable")
    written.append(sql[start:])
    return "".join(written), kept, kept_places


def _literal(value: Any) -> str | None:
    """A flag, a whole number or a text as PostgreSQL's literal, or None for any other value.
    A choice's member (``Note.Status.DRAFT``) is written as the plain value it stands for."""
    if isinstance(value, bool):
        plain: bool | int | str = bool(value)
    elif isinstance(value, int):
        plain = int(value)
    elif isinstance(value, str):
        plain = str.__str__(value)
    else:
        return None
    return pg_sql.Literal(plain).as_string(None)
