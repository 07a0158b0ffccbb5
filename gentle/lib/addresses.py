"""Email addresses in the audit log: masked for people to read, tagged for rows to be matched.

The full address never goes into an audit row's detail; ``mask`` keeps enough to recognise it
(``r***@example.org``) and ``tag`` gives the same short keyed hash for the same address, so two
rows about one address can be found without storing it.
"""

from __future__ import annotations

import hashlib
import hmac


def mask(address: str) -> str:
    """``rosa@example.org`` → ``r***@example.org``; anything without an @ → ``***``."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain:
        return "***"
    return f"{local[0]}***@{domain.lower()}"


def tag(address: str, *, key: str) -> str:
    """A short keyed hash of the address (case and surrounding spaces ignored)."""
    digest = hmac.new(
        key.encode(), b"gentle.address:" + address.strip().lower().encode(), hashlib.sha256
    )
    return digest.hexdigest()[:12]
