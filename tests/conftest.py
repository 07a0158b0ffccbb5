import socket
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.world import World, build_world

# The machines that run the suite are shared, and stall now and then for a second or more: a
# property test failed its "input generation is slow" check on one example drawn in 1.2 s in
# a PostgreSQL run (2026-12-06). That time is the host's, not the test's. Every property is
# still checked on every example; no test fails for the time one example took.
hypothesis_settings.register_profile(
    "gentle", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("gentle")


@pytest.fixture
def world(db) -> World:
    """The shared test world (tests/world.py)."""
    return build_world()


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=default_policy))
        )
        return "250 OK"


@pytest.fixture
def smtp_server(settings, free_port):
    """A real SMTP server on a free local port; Gentle's SMTP backend points at it."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    inbox = Inbox()
    servers = []

    def start():
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port)
        controller.start()
        servers.append(controller)

    def stop():
        servers.pop().stop()

    yield inbox, start, stop
    while servers:
        stop()


@pytest.fixture(autouse=True)
def _own_audit_anchor_file(settings, tmp_path):
    """Each test anchors the audit chain in its own file, as the database is its own too."""
    settings.GENTLE_AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.jsonl"


@pytest.fixture(autouse=True)
def _english_until_asked():
    """Each test starts in the default language: a request in Spanish leaves its language
    active in the thread, and a later test that reads a message without a request would read
    it in Spanish (seen when test_perinatal ran before test_instruments)."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(scope="session", autouse=True)
def _audit_tables_may_be_flushed():
    """Tests that commit (transaction=True, live_server) end with Django's flush, which empties
    every table. The audit tables refuse that; for the flush alone, their guards are lifted and
    put back in the same transaction. Only the test harness does this."""
    from django.db import connection

    from gentle.audit.migrations._append_only import guards, unguards

    operations = type(connection.ops)
    original = operations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if not statements or not any(table.startswith("audit_") for table in tables):
            return statements
        vendor = self.connection.vendor
        return [*unguards(vendor), *statements, *guards(vendor)]

    operations.sql_flush = sql_flush
    yield
    operations.sql_flush = original
