"""Writing and checking the audit log. ``record`` is the only way a row is written."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gentle.audit.chain import GENESIS, HASHED_FIELDS, row_hash
from gentle.audit.models import AuditEvent, AuditHead
from gentle.lib.clientip import client_ip

MAX_LABEL = 254


def _client_ip(request) -> str | None:
    """ "From where" (ASTM E2147): the visitor, not our reverse proxy (gentle.lib.clientip)."""
    return client_ip(request)


def record(
    action: str,
    *,
    actor=None,
    request=None,
    role: str = "",
    clinic_id: int | None = None,
    client_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
    detail: str = "",
    actor_label: str = "",
) -> AuditEvent:
    """Append one row to the audit log, inside the caller's transaction.

    Callers write their change and call ``record`` in one ``transaction.atomic()`` block, so the
    change and its audit row commit or roll back together. ``detail`` holds codes and ids, never
    clinical text.
    """
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    values = {
        "at": timezone.now(),
        "actor_id": getattr(actor, "pk", None),
        "actor_label": (actor_label or getattr(actor, "email", "") or "")[:MAX_LABEL],
        "role": role,
        "clinic_id": clinic_id,
        "client_id": client_id,
        "object_type": object_type,
        "object_id": str(object_id) if object_id not in (None, "") else "",
        "action": action,
        "detail": detail[:200],
        "ip": _client_ip(request),
        "request_id": getattr(request, "id", "") if request is not None else "",
    }
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditHead.objects.create(pk=1, seq=0, hash=GENESIS)
        values["seq"] = head.seq + 1
        digest = row_hash(values, head.hash)
        event = AuditEvent.objects.create(prev_hash=head.hash, hash=digest, **values)
        AuditHead.objects.filter(pk=1).update(seq=event.seq, hash=digest)
    return event


def record_for_client(
    action: str,
    *,
    by,
    request,
    client,
    object_type: str,
    object_id: object,
    detail: str = "",
    role: str = "clinician",
) -> AuditEvent:
    """``record`` for a write to one client's record: the clinic and client come from it."""
    return record(
        action,
        actor=by,
        request=request,
        role=role,
        clinic_id=client.clinic_id,
        client_id=client.pk,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


@dataclass(frozen=True)
class Problem:
    seq: int | None
    message: str


def verify(chunk_size: int = 2000) -> tuple[int, list[Problem]]:
    """Walk the chain; return the number of rows checked and every problem found, by place."""
    problems: list[Problem] = []
    expected_seq, expected_prev, checked = 1, GENESIS, 0
    fields = ("id", "prev_hash", "hash", *HASHED_FIELDS)
    for row in AuditEvent.objects.order_by("seq").values(*fields).iterator(chunk_size=chunk_size):
        checked += 1
        seq = row["seq"]
        if seq > expected_seq:
            problems.append(
                Problem(seq, f"rows {expected_seq}..{seq - 1} are missing (deleted) before #{seq}")
            )
        elif seq < expected_seq:
            problems.append(Problem(seq, f"row #{seq} is out of order (inserted)"))
        if row["prev_hash"] != expected_prev:
            problems.append(
                Problem(seq, f"row #{seq} does not follow the row before it (inserted or deleted)")
            )
        if row_hash(row, row["prev_hash"]) != row["hash"]:
            problems.append(Problem(seq, f"row #{seq} (id {row['id']}) was edited"))
        expected_seq, expected_prev = seq + 1, row["hash"]
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != expected_seq - 1 or head_hash != expected_prev:
        problems.append(
            Problem(
                head_seq,
                f"the chain ends at #{expected_seq - 1} but its head records #{head_seq}: "
                "rows were deleted from or added to the end",
            )
        )
    return checked, problems


def head_summary() -> str:
    head = AuditHead.objects.filter(pk=1).first()
    return f"#{head.seq} {head.hash}" if head else f"#0 {GENESIS}"
