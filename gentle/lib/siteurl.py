"""Links and the name Gentle uses in mail and on screen, from configuration alone.

A request's Host header is chosen by whoever sends the request; a link built from it (a password
reset, an invitation) could point to someone else's server. ``GENTLE_BASE_URL`` says where
Gentle is reached, once.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def parse_base_url(text: str) -> str:
    """``https://gentle.example.org`` (or ``http://host:port``), without a path or a trailing
    slash; ValueError says what is wrong."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("it must start with https:// (or http://) and name a host")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValueError(
            "it must be only the scheme and host (and port), e.g. https://gentle.example.org"
        )
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise ValueError("its port is not a number") from None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def absolute_url(path: str) -> str:
    """``path`` (``/accounts/...``) as a full link under GENTLE_BASE_URL."""
    return settings.GENTLE_BASE_URL + path


def site_host() -> str:
    """The host (and port) of GENTLE_BASE_URL, shown at the foot of mails."""
    return urlsplit(settings.GENTLE_BASE_URL).netloc
