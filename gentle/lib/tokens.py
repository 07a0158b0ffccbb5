"""One-time tokens: random, shown once, stored only as a purpose-bound hash."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str, *, purpose: str) -> str:
    """The stored form of a token. The purpose is part of the hash, so a token made for one
    purpose never matches a lookup for another."""
    return hashlib.sha256(f"{purpose}:{token}".encode()).hexdigest()
