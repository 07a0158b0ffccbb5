"""Writing and checking the audit log. ``record`` is the only way a row is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from gentle.audit.chain import (
    GENESIS,
    HASHED_FIELDS,
    AuditKeys,
    keyed_row_hash,
    legacy_row_hash,
    pseudonym,
)
from gentle.audit.context import current
from gentle.audit.migrations._append_only import missing_guards
from gentle.audit.models import AuditEvent, AuditHead
from gentle.audit.names import Action

MAX_LABEL = 254
# Rows of anonymous visitors of the public pages (the consultation form): they keep a keyed
# pseudonym of the visitor's address, never the address (docs/adr/0006-audit-log.md).
PUBLIC_ROLE = "public"


@lru_cache(maxsize=4)
def _keys(secrets: tuple[str, ...]) -> AuditKeys:
    return AuditKeys(list(secrets))


def audit_keys() -> AuditKeys:
    """GENTLE_AUDIT_KEYS, newest first (settings has checked them at start-up)."""
    return _keys(tuple(settings.GENTLE_AUDIT_KEYS))


_UNSET: Any = object()


@dataclass(frozen=True)
class _Statements:
    read_head: str
    insert: str
    advance: str
    fields: tuple[Any, ...]
    returns_pk: bool


@lru_cache(maxsize=4)
def _statements(vendor: str) -> _Statements:
    """The three statements that append a row, written once per database engine.

    ``record`` runs on every read and write of clinical data; building the same three queries
    in the ORM each time cost about 1 ms of a request, running them about 0.2 ms."""
    del vendor  # the cache key: the SQL differs between engines
    # Only names from the models, quoted, are written into the SQL; every value is a parameter.
    qn = connection.ops.quote_name
    head, event = qn(AuditHead._meta.db_table), qn(AuditEvent._meta.db_table)
    features = connection.features
    lock = f" {connection.ops.for_update_sql()}" if features.has_select_for_update else ""
    fields = tuple(f for f in AuditEvent._meta.concrete_fields if not f.primary_key)
    returns_pk = features.can_return_columns_from_insert
    returning = f" RETURNING {qn(AuditEvent._meta.pk.column)}" if returns_pk else ""
    seq, hash_ = qn("seq"), qn("hash")
    columns = ", ".join(qn(f.column) for f in fields)
    markers = ", ".join(["%s"] * len(fields))
    return _Statements(
        read_head=f"SELECT {seq}, {hash_} FROM {head} WHERE {qn('id')} = 1{lock}",  # noqa: S608
        insert=f"INSERT INTO {event} ({columns}) VALUES ({markers}){returning}",  # noqa: S608
        advance=f"UPDATE {head} SET {seq} = %s, {hash_} = %s WHERE {qn('id')} = 1",  # noqa: S608
        fields=fields,
        returns_pk=returns_pk,
    )


def record(
    action: str,
    *,
    actor=None,
    role: str | None = None,
    clinic_id: int | None = _UNSET,
    client=None,
    client_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
    detail: str = "",
    actor_label: str = "",
) -> AuditEvent:
    """Append one row to the audit log, inside the caller's transaction.

    ``action`` is one of ``gentle.audit.names.Action`` (anything else raises ``ValueError``).
    Who acts, from where and in which request come from the audit context that middleware binds
    to each request (``gentle.audit.context``); ``actor`` is given only outside a request or
    when someone other than the signed-in person acts. ``role`` and ``clinic_id`` default to
    the request's clinic and the person's main role there; ``client`` fills the clinic and client.

    Callers write their change and call ``record`` in one ``transaction.atomic()`` block, so the
    change and its audit row commit or roll back together. ``detail`` holds codes and ids, never
    clinical text. The row is hashed with the newest audit key. Rows of the ``public`` role
    (anonymous visitors) keep a keyed pseudonym of the address instead of the address.
    """
    name = Action(action)
    context = current()
    if actor is None and context is not None:
        actor = context.actor
    if client is not None:
        clinic_id, client_id = client.clinic_id, client.pk
    if clinic_id is _UNSET or role is None:
        context_clinic, context_role = context.clinic_and_role() if context else (None, "")
        clinic_id = context_clinic if clinic_id is _UNSET else clinic_id
        role = context_role if role is None else role
    keys = audit_keys()
    values = {
        "at": timezone.now(),
        "actor_id": getattr(actor, "pk", None),
        "actor_label": (actor_label or getattr(actor, "email", "") or "")[:MAX_LABEL],
        "role": role,
        "clinic_id": clinic_id,
        "client_id": client_id,
        "object_type": object_type,
        "object_id": str(object_id) if object_id not in (None, "") else "",
        "action": name.value,
        "detail": detail[:200],
        "ip": context.ip if context else None,
        "visitor": "",
        "request_id": context.request_id if context else "",
        "key_id": keys.current_id,
    }
    if role == PUBLIC_ROLE and values["ip"]:
        # The visitor's request is purged after GENTLE_INTAKE_RETENTION_DAYS; this row is kept
        # for ever, so it must not keep their address.
        values["visitor"] = pseudonym(str(values["ip"]), keys.current)
        values["ip"] = None
    sql = _statements(connection.vendor)
    # Inside the caller's transaction no savepoint of its own (two statements more a row): a
    # failure here fails the caller's change with it, as it must.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(sql.read_head)
        head = cursor.fetchone()
        if head is None:
            # The log's first row: writers racing here create the head once (the loser's insert
            # rolls back to get_or_create's savepoint), then all queue on its lock.
            AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
            cursor.execute(sql.read_head)
            head = cursor.fetchone()
        head_seq, head_hash = head
        values["seq"] = head_seq + 1
        values["prev_hash"] = head_hash
        values["hash"] = digest = keyed_row_hash(values, head_hash, keys.current)
        cursor.execute(
            sql.insert,
            [f.get_db_prep_save(values[f.attname], connection) for f in sql.fields],
        )
        pk = cursor.fetchone()[0] if sql.returns_pk else cursor.lastrowid
        cursor.execute(sql.advance, [values["seq"], digest])
    event = AuditEvent(pk=pk, **values)
    event._state.adding, event._state.db = False, connection.alias
    if context is not None:
        context.recorded.append((name.value, name.kind))
    return event


@dataclass(frozen=True)
class Problem:
    seq: int | None
    message: str


@dataclass
class Walk:
    """Where a walk along the chain has got to, and what it found."""

    seq: int = 0
    hash: str = GENESIS
    keyed: bool = False
    checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    rows_per_key: dict[str, int] = field(default_factory=dict)
    unknown_keys: dict[str, list[int]] = field(default_factory=dict)  # [rows, first, last]
    watched: dict[int, str] = field(default_factory=dict)


def _step(walk: Walk, row: dict, keys: AuditKeys, watch: set[int]) -> None:
    seq, expected = row["seq"], walk.seq + 1
    walk.checked += 1
    if seq > expected:
        walk.problems.append(
            Problem(seq, f"rows {expected}..{seq - 1} are missing (deleted) before #{seq}")
        )
    elif seq < expected:
        walk.problems.append(Problem(seq, f"row #{seq} is out of order (inserted)"))
    if row["prev_hash"] != walk.hash:
        walk.problems.append(
            Problem(seq, f"row #{seq} does not follow the row before it (inserted or deleted)")
        )
    name = row["key_id"]
    walk.rows_per_key[name] = walk.rows_per_key.get(name, 0) + 1
    if not name:
        if walk.keyed:
            walk.problems.append(
                Problem(
                    seq,
                    f"row #{seq} (id {row['id']}) is hashed without a key after keyed rows: "
                    "it was forged",
                )
            )
        if legacy_row_hash(row, row["prev_hash"]) != row["hash"]:
            walk.problems.append(Problem(seq, f"row #{seq} (id {row['id']}) was edited"))
    else:
        secret = keys.get(name)
        if secret is None:
            span = walk.unknown_keys.setdefault(name, [0, seq, seq])
            span[0], span[2] = span[0] + 1, seq
        elif keyed_row_hash(row, row["prev_hash"], secret) != row["hash"]:
            walk.problems.append(
                Problem(
                    seq,
                    f"row #{seq} (id {row['id']}) was edited or forged: its keyed hash does not "
                    "match",
                )
            )
        walk.keyed = True
    if seq in watch:
        walk.watched[seq] = row["hash"]
    walk.seq, walk.hash = seq, row["hash"]


def walk_chain(
    *,
    after: tuple[int, str, bool] | None = None,
    watch: set[int] | frozenset[int] = frozenset(),
    chunk_size: int = 2000,
) -> Walk:
    """Check the chain (all of it, or the rows after ``(seq, hash, keyed)``) against its keys
    and its head. Rows appended while the walk runs are walked too."""
    keys = audit_keys()
    walk = Walk(*after) if after else Walk()
    fields = ("id", "prev_hash", "hash", *HASHED_FIELDS)
    watch = set(watch)
    rows = AuditEvent.objects.order_by("seq")
    if after:
        rows = rows.filter(seq__gt=walk.seq)
    for _round in range(5):
        for row in rows.values(*fields).iterator(chunk_size=chunk_size):
            _step(walk, row, keys, watch)
        head = AuditHead.objects.filter(pk=1).first()
        head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
        if head_seq <= walk.seq:
            break
        rows = AuditEvent.objects.order_by("seq").filter(seq__gt=walk.seq)
    for name, (count, first, last) in walk.unknown_keys.items():
        walk.problems.append(
            Problem(
                first,
                f"{count} row(s) from #{first} to #{last} were hashed with audit key "
                f"{name}, which is not in GENTLE_AUDIT_KEYS: they cannot be verified",
            )
        )
    if walk.seq and not walk.keyed:
        walk.problems.append(
            Problem(
                walk.seq,
                f"the chain ends at #{walk.seq} with rows hashed without a key: they were "
                "added, or the keyed rows after them deleted",
            )
        )
    if head_seq != walk.seq or head_hash != walk.hash:
        walk.problems.append(
            Problem(
                head_seq,
                f"the chain ends at #{walk.seq} but its head records #{head_seq}: "
                "rows were deleted from or added to the end",
            )
        )
    return walk


def check(*, anchor_file=None, chunk_size: int = 2000) -> tuple[Walk, int, list[Problem]]:
    """Check that the triggers are in place, walk the whole chain and compare it with the anchors
    kept outside the database; return the walk, the number of good anchors and every problem
    found, by place."""
    from gentle.audit import anchors

    problems = [
        Problem(None, f"the trigger {name} is missing: audit rows can be changed or deleted")
        for name in missing_guards(connection)
    ]
    found, damaged = anchors.read(anchor_file)
    walk = walk_chain(watch={a.seq for a in found}, chunk_size=chunk_size)
    return walk, len(found), problems + damaged + walk.problems + anchors.compare(found, walk)


def verify(chunk_size: int = 2000, *, anchor_file=None) -> tuple[int, list[Problem]]:
    """The number of rows checked and every problem found (see ``check``)."""
    walk, _anchors, problems = check(anchor_file=anchor_file, chunk_size=chunk_size)
    return walk.checked, problems


def head_summary() -> str:
    head = AuditHead.objects.filter(pk=1).first()
    return f"#{head.seq} {head.hash}" if head else f"#0 {GENESIS}"
