"""Outgoing HTTP to a server the operator named, and to no other.

Gentle calls out in one place (the role-play model partner), to a base URL the operator put in
the environment. This module makes that call hard to turn against the clinic's own network:

- ``normalise_base_url`` accepts only ``http``/``https`` URLs with a host, without credentials,
  query or fragment, and gives them one spelling, so an allow-list can be compared exactly.
- ``post`` resolves the host once, within the call's deadline (a slow DNS answer is a timeout
  like any other), checks every address the name resolves to, and connects to a checked
  address itself: a second lookup by a library could be answered differently (DNS rebinding).
  The request still names the host: the Host header, TLS SNI and certificate check use it.
- Some addresses are never a model server and are always refused: unspecified, multicast,
  link-local (the cloud metadata service lives at 169.254.169.254), reserved and broadcast.
  Loopback and private networks are refused unless the caller allows them. An IPv4 address
  carried inside IPv6 (mapped, NAT64, 6to4, Teredo) is judged as that IPv4 address too.
- No proxy is consulted and no redirect is followed (``http.client`` follows none).

Standard library only; no Django.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

PUBLIC, PRIVATE, FORBIDDEN = "public", "private", "forbidden"
_SEVERITY = (PUBLIC, PRIVATE, FORBIDDEN)
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
DEFAULT_PORTS = {"http": 80, "https": 443}


class Refused(Exception):
    """The host resolves to an address this call may not connect to."""


class TooLarge(Exception):
    """The answer is longer than the caller accepts."""


# --- URLs -----------------------------------------------------------------------------------


def normalise_base_url(url: str) -> str:
    """``url`` in one spelling (lower-case scheme and host, no default port, no trailing
    slash), or ValueError with a message that does not repeat the URL (it may hold a secret)."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
        host = parts.hostname
    except ValueError:
        raise ValueError("not a valid URL (check the port and brackets)") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError("only http:// and https:// URLs are allowed")
    if not host:
        raise ValueError("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("the URL must not contain a user name or password")
    if parts.query or parts.fragment:
        raise ValueError("the URL must not have a query (?) or fragment (#)")
    host = _ascii_host(host)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def _ascii_host(host: str) -> str:
    if ":" in host:  # an IPv6 literal
        try:
            return str(ipaddress.IPv6Address(host.split("%", 1)[0]))
        except ValueError:
            raise ValueError("the host is not a valid IPv6 address") from None
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValueError("the host name is not valid") from None
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789.-_")
    if not ascii_host or not set(ascii_host) <= allowed:
        raise ValueError("the host name is not valid")
    return ascii_host


def host_label(url: str) -> str:
    """``host[:port]`` of a URL for logs and the audit log (never credentials or path), or
    "-" when there is no host to name."""
    try:
        parts = urlsplit((url or "").strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return "-"
    if not host:
        return "-"
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{port}" if port else host


# --- addresses ------------------------------------------------------------------------------


def classify(address: str) -> str:
    """PUBLIC, PRIVATE (loopback, private and other non-global networks) or FORBIDDEN."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or (
            ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None
        )
        if embedded is not None:
            return classify(str(embedded))
        inner = [ip.sixtofour, *(ip.teredo or ())]
        kinds = [_classify_one(ip), *(_classify_one(v4) for v4 in inner if v4 is not None)]
        return max(kinds, key=_SEVERITY.index)
    return _classify_one(ip)


def _classify_one(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if ip.is_loopback:
        return PRIVATE
    if (
        ip.is_unspecified
        or ip.is_multicast
        or ip.is_link_local
        or ip.is_reserved
        or (isinstance(ip, ipaddress.IPv4Address) and ip in _THIS_NETWORK)
    ):
        return FORBIDDEN
    site_local = isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local
    if ip.is_private or not ip.is_global or site_local:
        return PRIVATE
    return PUBLIC


def allowed(address: str, *, allow_private: bool) -> bool:
    kind = classify(address)
    return kind == PUBLIC or (kind == PRIVATE and allow_private)


def resolve(host: str, port: int, *, timeout: float) -> list[tuple[int, tuple]]:
    """``(family, sockaddr)`` for each address of ``host``; TimeoutError if the lookup takes
    longer than ``timeout`` (getaddrinfo has no timeout of its own, so it runs in a thread that
    is left to finish on its own), OSError if the name does not resolve."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    else:  # a literal address: no lookup, nothing to wait for
        return _addresses(socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM, 0, _NUMERIC))
    outcome: list = []

    def lookup() -> None:
        try:
            outcome.append(socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM))
        except Exception as error:  # noqa: BLE001 - handed to the waiting thread
            outcome.append(error)

    worker = threading.Thread(target=lookup, name="gentle-resolve", daemon=True)
    worker.start()
    worker.join(max(timeout, 0))
    if not outcome:
        raise TimeoutError("the host name lookup timed out")
    if isinstance(outcome[0], BaseException):
        raise OSError("the host name does not resolve") from outcome[0]
    return _addresses(outcome[0])


_NUMERIC = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV


def _addresses(infos: list) -> list[tuple[int, tuple]]:
    found = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6) and (family, sockaddr) not in found:
            found.append((family, sockaddr))
    if not found:
        raise OSError("the host name has no usable address")
    return found


# --- the call -------------------------------------------------------------------------------


def post(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    timeout: float,
    allow_private: bool,
    max_bytes: int,
) -> tuple[int, bytes]:
    """POST ``body`` to ``url``; returns the status and the response body.

    ``timeout`` bounds the whole exchange: lookup, connection, and the reading of the answer.
    Raises Refused (an address not allowed: nothing was sent), TimeoutError, OSError (refused
    connection, TLS failure), TooLarge, or http.client.HTTPException (a garbled answer).
    """
    deadline = time.monotonic() + timeout
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in DEFAULT_PORTS or not host:
        raise ValueError("only http:// and https:// URLs with a host")
    port = parts.port or DEFAULT_PORTS[scheme]
    addresses = resolve(host, port, timeout=_left(deadline))
    for _family, sockaddr in addresses:
        if not allowed(sockaddr[0], allow_private=allow_private):
            raise Refused(classify(sockaddr[0]))
    if scheme == "https":
        connection: _PinnedHTTP | _PinnedHTTPS = _PinnedHTTPS(host, port, addresses, deadline)
    else:
        connection = _PinnedHTTP(host, port, addresses, deadline)
    target = parts.path or "/"
    try:
        connection.request("POST", target, body=body, headers=dict(headers))
        response = connection.getresponse()
        return response.status, _read(response, connection.pinned, deadline, max_bytes)
    finally:
        connection.close()


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the deadline has passed")
    return left


def _connect(addresses: list[tuple[int, tuple]], deadline: float) -> socket.socket:
    """A socket connected to the first checked address that answers, never to a fresh lookup."""
    last: OSError | None = None
    for family, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(_left(deadline))
            sock.connect(sockaddr)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except OSError as error:  # TimeoutError is one
            sock.close()
            last = error
    raise last or OSError("no address to connect to")


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to an address already checked; the Host header still names the host."""

    def __init__(self, host: str, port: int, addresses: list, deadline: float) -> None:
        super().__init__(host, port, timeout=_left(deadline))
        self._addresses, self._deadline = addresses, deadline

    def connect(self) -> None:
        self.sock = self.pinned = _connect(self._addresses, self._deadline)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """The same over TLS: SNI and the certificate check use the host name, not the address."""

    def __init__(self, host: str, port: int, addresses: list, deadline: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=_left(deadline), context=self._tls)
        self._addresses, self._deadline = addresses, deadline

    def connect(self) -> None:
        sock = _connect(self._addresses, self._deadline)
        try:
            self.sock = self.pinned = self._tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def _read(
    response: http.client.HTTPResponse, sock: socket.socket, deadline: float, max_bytes: int
) -> bytes:
    """The body, refusing more than ``max_bytes``; each wait for data gets only the time left
    until the deadline, so a server that trickles bytes fails like one that is silent."""
    chunks: list[bytes] = []
    size = 0
    while True:
        sock.settimeout(_left(deadline))
        chunk = response.read1(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge
        chunks.append(chunk)
