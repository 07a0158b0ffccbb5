"""Hashing of audit rows (framework-light so that it can be tested on its own)."""

from __future__ import annotations

import hashlib
import json

GENESIS = "0" * 64

HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "role",
    "clinic_id",
    "client_id",
    "object_type",
    "object_id",
    "action",
    "detail",
    "ip",
    "request_id",
)


def row_hash(values: dict, prev_hash: str) -> str:
    """SHA-256 over the previous hash and a canonical JSON of the row's hashed fields."""
    canonical = {name: values.get(name) for name in HASHED_FIELDS}
    canonical["at"] = canonical["at"].isoformat() if canonical["at"] else None
    if canonical["ip"] is not None:
        canonical["ip"] = str(canonical["ip"])
    payload = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()
