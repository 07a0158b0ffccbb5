"""Outgoing HTTP (gentle.lib.outbound): one spelling for allowed base URLs, which addresses a
call may reach, and a host name lookup bounded by the call's timeout. The calls themselves are
tested through the role-play partner (tests/test_roleplay_partner.py). No database."""

from __future__ import annotations

import socket
import time

import pytest

from gentle.lib.outbound import (
    FORBIDDEN,
    PRIVATE,
    PUBLIC,
    allowed,
    classify,
    host_label,
    normalise_base_url,
    resolve,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8080/v1/", "http://127.0.0.1:8080/v1"),
        ("HTTPS://LLM.Example.ORG:443/v1", "https://llm.example.org/v1"),
        ("http://llm.example.org:80", "http://llm.example.org"),
        ("  https://llm.example.org/api/v1//  ", "https://llm.example.org/api/v1"),
        ("http://[::1]:8080/v1", "http://[::1]:8080/v1"),
        ("http://[0:0:0:0:0:0:0:1]:8080/v1", "http://[::1]:8080/v1"),
        ("https://bücher.example/v1", "https://xn--bcher-kva.example/v1"),
    ],
)
def test_base_urls_get_one_spelling(url, expected):
    assert normalise_base_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://127.0.0.1/v1",
        "127.0.0.1:8080",
        "http://",
        "",
        "http://user:hunter2@llm.example.org/v1",
        "http://llm.example.org/v1?key=hunter2",
        "http://llm.example.org/v1#x",
        "http://llm.example.org:99999/v1",
        "http://exa mple.org/v1",
        "http://[::1/v1",
    ],
)
def test_other_urls_are_refused_without_repeating_them(url):
    with pytest.raises(ValueError) as caught:
        normalise_base_url(url)
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("8.8.8.8", PUBLIC),
        ("2606:4700:4700::1111", PUBLIC),
        ("127.0.0.1", PRIVATE),
        ("127.8.9.10", PRIVATE),
        ("::1", PRIVATE),
        ("10.0.0.7", PRIVATE),
        ("172.16.4.4", PRIVATE),
        ("192.168.1.20", PRIVATE),
        ("100.64.0.1", PRIVATE),  # carrier-grade NAT: not the public internet
        ("fd12:3456::1", PRIVATE),
        ("fec0::1", PRIVATE),
        ("169.254.169.254", FORBIDDEN),  # the cloud metadata service
        ("fe80::1", FORBIDDEN),
        ("fe80::1%2", FORBIDDEN),
        ("0.0.0.0", FORBIDDEN),  # noqa: S104 - an address to refuse, not to bind
        ("0.1.2.3", FORBIDDEN),
        ("::", FORBIDDEN),
        ("224.0.0.1", FORBIDDEN),
        ("ff02::1", FORBIDDEN),
        ("240.0.0.1", FORBIDDEN),
        ("255.255.255.255", FORBIDDEN),
        ("::7f00:1", FORBIDDEN),  # IPv4-compatible IPv6, long deprecated
        # IPv4 inside IPv6 is judged as the IPv4 address it carries
        ("::ffff:127.0.0.1", PRIVATE),
        ("::ffff:169.254.169.254", FORBIDDEN),
        ("::ffff:8.8.8.8", PUBLIC),
        ("64:ff9b::a9fe:a9fe", FORBIDDEN),  # NAT64 of 169.254.169.254
        ("64:ff9b::a00:7", PRIVATE),  # NAT64 of 10.0.0.7
        ("2002:a9fe:a9fe::1", FORBIDDEN),  # 6to4 of 169.254.169.254
        ("2002:0a00:0007::1", PRIVATE),  # 6to4 of 10.0.0.7
    ],
)
def test_addresses_are_public_private_or_forbidden(address, kind):
    assert classify(address) == kind
    assert allowed(address, allow_private=False) is (kind == PUBLIC)
    assert allowed(address, allow_private=True) is (kind != FORBIDDEN)


def test_host_label_names_host_and_port_only():
    assert host_label("https://user:pw@llm.example.org:8443/v1?x=1") == "llm.example.org:8443"
    assert host_label("http://[::1]:8080/v1") == "[::1]:8080"
    assert host_label("https://llm.example.org/v1") == "llm.example.org"
    assert host_label("") == host_label("not a url") == "-"


def test_a_literal_address_is_not_looked_up(monkeypatch):
    calls = []
    real = socket.getaddrinfo

    def counting(host, *args):
        calls.append(args[-1])  # the flags
        return real(host, *args)

    monkeypatch.setattr(socket, "getaddrinfo", counting)
    assert resolve("127.0.0.1", 80, timeout=1) == [(socket.AF_INET, ("127.0.0.1", 80))]
    assert calls == [socket.AI_NUMERICHOST | socket.AI_NUMERICSERV]  # a parse, not a lookup


def test_a_slow_lookup_times_out_within_the_deadline(monkeypatch):
    def slow(*args, **kwargs):
        time.sleep(2)
        return []

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        resolve("slow.example.org", 443, timeout=0.2)
    assert time.monotonic() - started < 1


def test_a_name_that_does_not_resolve_is_an_os_error(monkeypatch):
    def failing(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", failing)
    with pytest.raises(OSError):
        resolve("nowhere.example.org", 443, timeout=1)
