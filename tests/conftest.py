import socket

import pytest


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _own_audit_anchor_file(settings, tmp_path):
    """Each test anchors the audit chain in its own file, as the database is its own too."""
    settings.GENTLE_AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.jsonl"


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
