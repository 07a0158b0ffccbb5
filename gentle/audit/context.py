"""Who is acting, from where: the audit context of the work in hand.

Middleware (``gentle.accounts.middleware.AuditContextMiddleware``) binds one context per request,
so that ``gentle.audit.log.record`` finds the actor, their address, the request id and the clinic
without every action taking the request. Work outside a request (the worker, a command, a test
calling an action directly) has no context: ``record`` is then given the actor itself and writes
no address.

The context also notices what happened in the request: which audit actions were recorded and
whether clinical rows were saved or deleted. ``mismatches()`` names the requests whose audit does
not match their work (a GET that records a write; clinical rows changed with no write or event
recorded); the middleware logs them, and raises in tests (``GENTLE_AUDIT_STRICT``).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from gentle.lib.clientip import client_ip

# Apps whose rows are not part of anyone's clinical record: changing them needs no write action
# (accounts and sessions have their own events; the outbox is delivery plumbing).
NOT_CLINICAL = frozenset(
    {
        "accounts",
        "account",
        "admin",
        "audit",
        "auth",
        "contenttypes",
        "django_tasks_database",
        "mfa",
        "notify",
        "sessions",
        "socialaccount",
        "usersessions",
    }
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class AuditContext:
    """The acting request (if any) and what the audit has seen of it."""

    request: Any = None
    clinic: Callable[[], tuple[int | None, str]] | None = None  # -> (clinic id, primary role)
    recorded: list[tuple[str, str]] = field(default_factory=list)  # (action, kind)
    changed: set[str] = field(default_factory=set)  # labels of clinical models changed
    pending: list[tuple[str, Any]] = field(default_factory=list)  # (database, _Change)

    @property
    def actor(self):
        user = getattr(self.request, "user", None)
        return user if user is not None and user.is_authenticated else None

    @property
    def ip(self) -> str | None:
        return client_ip(self.request) if self.request is not None else None

    @property
    def request_id(self) -> str:
        return getattr(self.request, "id", "") if self.request is not None else ""

    @property
    def method(self) -> str:
        return getattr(self.request, "method", "") or ""

    def clinic_and_role(self) -> tuple[int | None, str]:
        return self.clinic() if self.clinic is not None else (None, "")

    def mismatches(self) -> list[str]:
        """What in this request's audit does not match its work (empty when all is well)."""
        from gentle.audit.names import Kind

        kinds = {kind for _action, kind in self.recorded}
        changed = self.changed | pending_changes(self)
        problems = []
        if self.method in SAFE_METHODS and Kind.WRITE in kinds:
            writes = sorted(a for a, k in self.recorded if k == Kind.WRITE)
            problems.append(f"{self.method} recorded write actions {writes}")
        if changed and not kinds & {Kind.WRITE, Kind.EVENT}:
            problems.append(
                f"clinical rows changed ({', '.join(sorted(changed))}) but only "
                f"{sorted(a for a, _k in self.recorded) or 'nothing'} was recorded"
            )
        return problems


_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "audit_context", default=None
)


def current() -> AuditContext | None:
    return _current.get()


@contextmanager
def bound(context: AuditContext) -> Iterator[AuditContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


class _Change:
    """A clinical row's change, counted once it is committed: registered with ``on_commit``, it
    runs when the transaction commits and is dropped with a rolled-back savepoint, so a change
    undone with its transaction is not counted (found by the database-unavailable drill)."""

    def __init__(self, context: AuditContext, label: str) -> None:
        self.context, self.label = context, label

    def __call__(self) -> None:
        self.context.changed.add(self.label)


def note_change(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_save / post_delete receiver: remember that a clinical row changed in this context
    (once its transaction commits; see ``pending_changes`` for a transaction still open)."""
    context = _current.get()
    if context is None or sender._meta.app_label in NOT_CLINICAL:
        return
    change = _Change(context, sender._meta.label)
    if connections[using].in_atomic_block:
        context.pending.append((using, change))
        transaction.on_commit(change, using=using)
    else:
        change()


def pending_changes(context: AuditContext) -> set[str]:
    """Changes made inside a transaction that is still open (the test suite wraps each test in
    one) and not rolled back: their callbacks still wait in the connection's on-commit list."""
    found = set()
    for using, change in context.pending:
        waiting = connections[using].run_on_commit
        if any(entry[1] is change for entry in waiting):
            found.add(change.label)
    return found
