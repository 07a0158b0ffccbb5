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
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler

# Ids that no row has: negative and far from any sequence.
_MARKER_SETS = (-(10**12), -(2 * 10**12))
Builder = Callable[..., QuerySet]
# alias, SQL, parameters with markers, {index of a marker: value name}, the compiler (converters)
_Prepared = tuple[str, str, list[Any], dict[int, str], SQLCompiler]


class PreparedQuery:
    """``PreparedQuery(build, values=("clinic_id", "user_id"))``; ``.rows(shape, clinic_id=1,
    user_id=2)`` returns the rows of ``build(shape, clinic_id=<marker>, user_id=<marker>)`` with
    the real ids bound. ``build`` must return a ``values_list`` or ``values`` queryset whose SQL
    depends only on ``shape``."""

    def __init__(self, build: Builder, *, values: Sequence[str]):
        self._build = build
        self._names = tuple(values)
        self._cache: dict[Hashable, _Prepared] = {}
        self._lock = threading.Lock()

    def rows(self, shape: Hashable, **values: int) -> list[tuple]:
        if set(values) != set(self._names):
            raise TypeError(f"expected values {self._names}, got {tuple(values)}")
        alias, sql, params, places, compiler = self._prepared(shape)
        bound = list(params)
        for index, name in places.items():
            bound[index] = values[name]
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, bound)
            fetched = cursor.fetchall()
        # The ORM's converters (dates on SQLite, booleans, ...), as a queryset would apply them.
        return [tuple(row) for row in compiler.results_iter([fetched], tuple_expected=True)]

    def instances(self, shape: Hashable, **values: int) -> list[Model]:
        """For a builder returning ``Model.objects....values_list(*attnames)`` of the model's own
        fields: the rows as model instances (fields not listed are deferred)."""
        alias, _, _, _, compiler = self._prepared(shape)
        model, names = compiler.query.model, list(compiler.query.values_select)
        assert model is not None  # a queryset always has its model
        return [model.from_db(alias, names, row) for row in self.rows(shape, **values)]

    def _prepared(self, shape: Hashable) -> _Prepared:
        cached = self._cache.get(shape)
        if cached is not None:
            return cached
        with self._lock:
            alias, sql, params, compiler = self._compile(shape, _MARKER_SETS[0])
            _, other_sql, other_params, _ = self._compile(shape, _MARKER_SETS[1])
            if sql != other_sql or len(params) != len(other_params):
                raise ValueError("the query's SQL text depends on its values: not preparable")
            places: dict[int, str] = {}
            for index, (value, other) in enumerate(zip(params, other_params, strict=True)):
                name = self._marker_name(value, _MARKER_SETS[0])
                if name != self._marker_name(other, _MARKER_SETS[1]):
                    raise ValueError("a value lands in different places: not preparable")
                if name is None and value != other:
                    raise ValueError("a parameter changes with the values: not preparable")
                if name is not None:
                    places[index] = name
            self._cache[shape] = (alias, sql, params, places, compiler)
        return self._cache[shape]

    def _marker_name(self, value: Any, base: int) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            offset = base - value
            if 0 <= offset < len(self._names):
                return self._names[offset]
        return None

    def _compile(self, shape: Hashable, base: int) -> tuple[str, str, list[Any], SQLCompiler]:
        markers = {name: base - i for i, name in enumerate(self._names)}
        queryset = self._build(shape, **markers)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        return queryset.db, sql, list(params), compiler
