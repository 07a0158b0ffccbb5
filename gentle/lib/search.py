"""Search by name that stays fast as a clinic grows (ADR 0031).

A searchable model has one ``SearchTextField``: its names folded (lower case, no accents,
letters and digits only) and joined, each word preceded by a space: " maria jose perez".
A typed term is folded the same way and split into words, and every word must be found (AND):

- a word of three or more characters anywhere in the names ("rez" finds "Pérez");
- a word of one or two characters at the start of a word of the names ("jo" finds "José",
  not "Pajo"): the substring " jo".

So a search is a plain substring test on the folded column (``matches`` says it in Python),
and each engine answers it from an index on that column: SQLite from an FTS5 table with the
trigram tokenizer, named ``<table>_search`` and kept by triggers (SQLite 3.40's trigram
tokenizer cannot drop accents itself, hence the folded column); PostgreSQL from a GIN trigram
index (pg_trgm) serving ``LIKE '%...%'``. A one-letter word (" a", two characters) has no
trigram: SQLite checks it on the rows the rest of the query gives; PostgreSQL's trigrams pad the
start of words, so its index still serves it. The migration that adds the column creates the
index of each engine.
"""

from __future__ import annotations

import unicodedata
from typing import Any, TypeVar

from django.db import connections, models
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

# Longer terms are cut here (the forms refuse them first): a search's query stays small.
MAX_TERM = 100
# Shorter substrings have no trigram, so no index of SQLite's can find them.
TRIGRAM = 3

M = TypeVar("M", bound=models.Model)


def fold(text: str) -> str:
    """``text`` as the search compares it: compatibility-decomposed, case-folded, without
    accents or other combining marks, every character that is not a letter or digit a space,
    words joined by one space. "Pérez-GARCÍA, José" -> "perez garcia jose"."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    kept = []
    for char in decomposed:
        kind = unicodedata.category(char)
        if kind[0] == "M":
            continue  # accents (á = a + U+0301) and other marks
        kept.append(char if kind[0] in "LN" else " ")
    return " ".join("".join(kept).split())


def folded_names(*names: str) -> str:
    """The search column's value for a row with these names: " " before every word."""
    words = fold(" ".join(names))
    return f" {words}" if words else ""


def needles(term: str) -> list[str]:
    """The substrings a search for ``term`` requires, one per distinct word: the word itself
    when it has three characters or more, else the word at the start of a name's word."""
    found = []
    for word in fold(term[:MAX_TERM]).split():
        needle = word if len(word) >= TRIGRAM else f" {word}"
        if needle not in found:
            found.append(needle)
    return found


def matches(folded: str, term: str) -> bool:
    """Whether a row whose search column holds ``folded`` is found by ``term`` (what the
    database answers, said in Python). A term without a letter or digit finds nothing."""
    wanted = needles(term)
    return bool(wanted) and all(needle in folded for needle in wanted)


class SearchTextField(models.TextField):
    """The folded names of the row (``folded_names`` of the ``sources`` fields, in order),
    computed whenever the row is saved or bulk-created, as ``auto_now`` fills a date: no code
    path sets it by hand. Two ways around that must name it: ``save(update_fields=[...])`` of
    a source field lists it too, and a ``QuerySet.update()`` of a source field sets it.
    On SQLite the model's table has an FTS5 table ``<table>_search`` on this column."""

    description = "Folded names for search"

    def __init__(self, *args: Any, sources: tuple[str, ...] | list[str] = (), **kwargs: Any):
        self.sources = tuple(sources)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["sources"] = list(self.sources)
        for key, value in (("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(key) == value:
                del kwargs[key]
        return name, path, args, kwargs

    def value_for(self, instance: models.Model) -> str:
        return folded_names(*(str(getattr(instance, name) or "") for name in self.sources))

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.value_for(model_instance)
        setattr(model_instance, self.attname, value)
        return value


def search_field(model: type[models.Model]) -> SearchTextField:
    for field in model._meta.get_fields():
        if isinstance(field, SearchTextField):
            return field
    raise TypeError(f"{model.__name__} has no SearchTextField")


def condition(model: type[models.Model], term: str, *, using: str = "default") -> Q:
    """The rows of ``model`` that ``term`` finds, as a condition to combine with others (the
    page's visibility, filters and keyset) on database ``using``. A term with no letter or
    digit finds nothing."""
    field = search_field(model)
    wanted = needles(term)
    if not wanted:
        return Q(pk__in=[])
    connection = connections[using]
    indexed = [n for n in wanted if len(n) >= TRIGRAM] if connection.vendor == "sqlite" else []
    found = Q()
    if indexed:
        table = connection.ops.quote_name(f"{model._meta.db_table}_search")
        # Each needle an FTS5 string ("..." with " doubled), so nothing typed is FTS syntax;
        # strings side by side must all be found. The folded words hold only letters, digits
        # and spaces anyway.
        query = " ".join('"' + n.replace('"', '""') + '"' for n in indexed)
        # The table's name is the model's, quoted; what was typed is only a parameter.
        rowids = f"SELECT rowid FROM {table} WHERE {table} MATCH %s"  # noqa: S608
        found &= Q(pk__in=RawSQL(rowids, [query]))  # noqa: S611
    for needle in wanted:
        if needle not in indexed:
            found &= Q(**{f"{field.name}__contains": needle})
    return found


def search(queryset: QuerySet[M], term: str) -> QuerySet[M]:
    """``queryset`` narrowed to the rows ``term`` finds (unchanged for a blank term)."""
    if not term.strip():
        return queryset
    return queryset.filter(condition(queryset.model, term, using=queryset.db))
