"""The audit log is append-only and hash-chained; `gentle audit verify` names any break."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from gentle.audit.log import record, verify
from gentle.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def write_rows(n: int = 5) -> list[AuditEvent]:
    return [
        record("client.view", actor_label=f"person{i}@example.test", client_id=i, clinic_id=1)
        for i in range(1, n + 1)
    ]


def run_verify() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except CommandError as exc:
        err.write(str(exc))
    return out.getvalue(), err.getvalue()


def raw(sql: str, params=()) -> None:
    """Change the table as someone with direct database access would, past the trigger."""
    from gentle.audit.migrations import _append_only as triggers

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute(triggers.SQLITE_DROP)
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute(triggers.SQLITE_CREATE)


def test_intact_chain_verifies():
    write_rows()
    out, err = run_verify()
    assert "audit log intact: 5 rows" in out
    assert err == ""


def test_rows_chain_to_each_other():
    rows = write_rows(3)
    assert [r.seq for r in rows] == [1, 2, 3]
    assert rows[1].prev_hash == rows[0].hash and rows[2].prev_hash == rows[1].hash


def test_edited_row_is_named():
    rows = write_rows()
    raw("UPDATE audit_auditevent SET actor_label = %s WHERE id = %s", ["x@x", rows[2].pk])
    out, err = run_verify()
    assert f"row #3 (id {rows[2].pk}) was edited" in err
    assert "verification failed" in err


def test_deleted_row_is_named():
    rows = write_rows()
    raw("DELETE FROM audit_auditevent WHERE id = %s", [rows[1].pk])
    _, err = run_verify()
    assert "rows 2..2 are missing (deleted) before #3" in err


def test_deleted_last_row_is_detected_by_the_head():
    rows = write_rows()
    raw("DELETE FROM audit_auditevent WHERE id = %s", [rows[-1].pk])
    _, err = run_verify()
    assert "the chain ends at #4 but its head records #5" in err


def test_inserted_row_is_named():
    rows = write_rows()
    forged = rows[2]
    # Make room at #3 (in two steps so that the unique seq never collides mid-update).
    raw("UPDATE audit_auditevent SET seq = seq + 1000 WHERE seq >= 3")
    raw("UPDATE audit_auditevent SET seq = seq - 999 WHERE seq >= 1000")
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                seq=3,
                at=forged.at,
                action="client.view",
                actor_label="intruder@example.test",
                prev_hash=rows[1].hash,
                hash=forged.hash,
            )
        ]
    )
    checked, problems = verify()
    messages = [p.message for p in problems]
    assert checked == 6
    assert f"row #3 (id {AuditEvent.objects.get(seq=3).pk}) was edited" in messages
    assert "row #4 does not follow the row before it (inserted or deleted)" in messages


def test_plain_update_is_refused_and_on_postgresql_delete_too():
    row = write_rows(1)[0]
    statements = ["UPDATE audit_auditevent SET action = 'x' WHERE id = %s"]
    if connection.vendor == "postgresql":
        statements.append("DELETE FROM audit_auditevent WHERE id = %s")
    for sql in statements:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [row.pk])
    assert AuditEvent.objects.get(pk=row.pk).action == "client.view"


def test_a_rolled_back_change_leaves_no_audit_row():
    with pytest.raises(RuntimeError), transaction.atomic():
        record("client.update", client_id=1)
        raise RuntimeError("the change failed")
    assert not AuditEvent.objects.exists()
    record("client.view", client_id=1)
    assert AuditEvent.objects.get().seq == 1
