"""Hashing of audit rows and signing of anchors (framework-light so that it can be tested on its
own).

Rows written since the chain became keyed carry the id of the key they were hashed with and an
HMAC-SHA256 under that key: without the key nobody can compute a row that verifies. Rows written
before (``key_id`` empty) keep their plain SHA-256 and are accepted only as the start of the
chain, before the first keyed row. See docs/adr/0006-audit-log.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

GENESIS = "0" * 64

# The fields of an unkeyed (legacy) row's hash, exactly as they were: changing this tuple would
# make every legacy row look edited.
LEGACY_FIELDS = (
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
HASHED_FIELDS = (*LEGACY_FIELDS, "key_id", "visitor")

MIN_KEY_LENGTH = 32
KEY_ID_LENGTH = 8


class AuditKeyError(ValueError):
    """A key is malformed, or no key is configured."""


def _canonical(values: dict, fields: tuple[str, ...]) -> str:
    canonical = {name: values.get(name) for name in fields}
    canonical["at"] = canonical["at"].isoformat() if canonical["at"] else None
    if canonical["ip"] is not None:
        canonical["ip"] = str(canonical["ip"])
    return json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def legacy_row_hash(values: dict, prev_hash: str) -> str:
    """Plain SHA-256 over the previous hash and the row: only for rows written before keying."""
    payload = _canonical(values, LEGACY_FIELDS)
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


def keyed_row_hash(values: dict, prev_hash: str, secret: str) -> str:
    """HMAC-SHA256 under ``secret`` over the previous hash and the row (its key id included)."""
    payload = _canonical(values, HASHED_FIELDS)
    message = f"{prev_hash}\n{payload}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def pseudonym(address: str, secret: str) -> str:
    """A keyed, non-reversible stand-in for a visitor's network address (16 hex digits).

    The same address gives the same pseudonym under one key, so repeated requests can be told
    apart from many visitors; without the key it says nothing about the address."""
    message = f"gentle-audit-visitor\n{address}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:16]


def sign_anchor(fields: dict, secret: str) -> str:
    """The signature of an anchor's ``seq``, ``hash``, ``at`` and ``key``."""
    payload = json.dumps(
        {name: fields.get(name) for name in ("seq", "hash", "at", "key")},
        sort_keys=True,
        separators=(",", ":"),
    )
    message = f"gentle-audit-anchor\n{payload}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def key_id(secret: str) -> str:
    """A short public name for a key, derived from it (it reveals nothing of the key)."""
    digest = hmac.new(secret.encode(), b"gentle-audit-key-id", hashlib.sha256).hexdigest()
    return digest[:KEY_ID_LENGTH]


def new_audit_key() -> str:
    return secrets.token_urlsafe(32)


class AuditKeys:
    """The configured audit keys, newest first: the first hashes new rows, all verify."""

    def __init__(self, secrets_: list[str]):
        if not secrets_:
            raise AuditKeyError("no key given")
        self._by_id: dict[str, str] = {}
        for secret in secrets_:
            if len(secret) < MIN_KEY_LENGTH or any(c.isspace() for c in secret):
                raise AuditKeyError(
                    f"a key is shorter than {MIN_KEY_LENGTH} characters or contains spaces"
                )
            name = key_id(secret)
            if name in self._by_id:
                raise AuditKeyError(f"key {name} is listed twice")
            self._by_id[name] = secret
        self.current_id = next(iter(self._by_id))
        self.current = self._by_id[self.current_id]

    def get(self, name: str) -> str | None:
        return self._by_id.get(name)

    @property
    def ids(self) -> list[str]:
        return list(self._by_id)
