"""The visitor's network address, the one answer for throttles, the audit log and allauth.

Behind a reverse proxy every request comes from the proxy's address, and the visitor's address
is in ``X-Forwarded-For``. That header is only believed when the request comes from a proxy
listed in ``GENTLE_TRUSTED_PROXIES`` (addresses or networks), and only as far as it was written
by such proxies: the header is read from the right, skipping trusted proxies, and the first
address that is not one of them is the visitor. Anything further left was written by the
visitor and could be anything.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Turn ``10.0.0.1``, ``10.0.0.0/8`` or ``::1`` into networks; ValueError names a bad one."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or network") from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _trusted(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def _address(text: str | None) -> Address | None:
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    # An IPv4 visitor seen through an IPv6 socket: compare and report it as IPv4.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, trusted: Sequence[Network]) -> bool:
    return any(address in network for network in trusted)


def resolve(remote_addr: str | None, forwarded_for: str, trusted: Sequence[Network]) -> str | None:
    """The visitor's address given the socket's peer, the X-Forwarded-For header and the
    trusted proxies. ``None`` when the peer is not an IP address at all."""
    peer = _address(remote_addr)
    if peer is None:
        return None
    if not _is_trusted(peer, trusted):
        return str(peer)  # not from our proxy: its forwarding headers mean nothing
    visitor = peer
    for entry in reversed(forwarded_for.split(",")):
        hop = _address(entry)
        if hop is None:
            break  # a trusted proxy would not write this: stop at the last good hop
        visitor = hop
        if not _is_trusted(hop, trusted):
            break
    return str(visitor)


def trusted_proxies() -> tuple[Network, ...]:
    return _trusted(tuple(settings.GENTLE_TRUSTED_PROXIES))


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of the person behind ``request`` (see the module's docstring)."""
    if request is None:
        return None
    meta = request.META
    return resolve(meta.get("REMOTE_ADDR"), meta.get("HTTP_X_FORWARDED_FOR", ""), trusted_proxies())


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the request came straight from one of our reverse proxies."""
    peer = _address(request.META.get("REMOTE_ADDR"))
    return peer is not None and _is_trusted(peer, trusted_proxies())
