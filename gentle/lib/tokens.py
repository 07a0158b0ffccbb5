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


# Letters and digits that cannot be mistaken for each other when read from paper (no 0/O,
# 1/I/L, 5/S, 2/Z, 8/B).
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8


def new_code() -> str:
    """A short one-time code to print on paper, e.g. ``K7QM-4TXA`` (about 37 bits: guessable
    only with many tries, so every use limits them)."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{chars[:4]}-{chars[4:]}"


def normalize_code(typed: str) -> str | None:
    """The code as stored from what a person typed (case, spaces and dashes ignored), or None
    when it cannot be a code at all."""
    chars = "".join(c for c in typed.upper() if c not in " -\t")
    if len(chars) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in chars):
        return None
    return chars
