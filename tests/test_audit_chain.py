"""The audit log is append-only and hash-chained under a key kept outside the database;
`gentle audit verify` names any break, and `gentle audit anchor` pins the chain's end outside
the database so that rows cut from the end are found too (pen-test findings 6 and 8)."""

import importlib
import io
import json
import logging
import re
import time

import pytest
from django.apps import apps as django_apps
from django.core import signing
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from gentle.accounts.models import Role
from gentle.audit.chain import (
    GENESIS,
    HASHED_FIELDS,
    key_id,
    keyed_row_hash,
    legacy_row_hash,
    new_audit_key,
)
from gentle.audit.log import audit_keys, record, verify
from gentle.audit.migrations import _append_only as triggers
from gentle.audit.models import AuditEvent, AuditHead
from gentle.audit.names import Action
from gentle.audit.tasks import anchor_chain
from gentle.intake.forms import STARTED_SALT
from tests.factories import count_orm_builds, make_clinic, make_person
from tests.test_config import production_env, run_gentle

pytestmark = pytest.mark.django_db


def write_rows(n: int = 5) -> list[AuditEvent]:
    return [
        record("client.view", actor_label=f"person{i}@example.test", client_id=i, clinic_id=1)
        for i in range(1, n + 1)
    ]


def run_audit(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", *args, stdout=out, stderr=err)
    except CommandError as exc:
        err.write(str(exc))
    return out.getvalue(), err.getvalue()


def run_verify(*args: str) -> tuple[str, str]:
    return run_audit("verify", *args)


def raw(sql: str, params=()) -> None:
    """Change the tables as the database's owner could, past the triggers (dropping them)."""
    with connection.cursor() as cursor:
        for statement in triggers.unguards(connection.vendor):
            cursor.execute(statement)
        cursor.execute(sql, params)
        for statement in triggers.guards(connection.vendor):
            cursor.execute(statement)


def cut_the_end(keep: int) -> None:
    """Delete every row after #keep and move the head back to #keep: the attack of finding 6."""
    kept = AuditEvent.objects.get(seq=keep)
    raw("DELETE FROM audit_auditevent WHERE seq > %s", [keep])
    raw("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", [keep, kept.hash])


def append_forged(hash_with, *, key_name: str = "") -> AuditEvent:
    """Append a row after the head as an intruder would, head moved on so that it agrees."""
    head = AuditHead.objects.get(pk=1)
    values = {
        "seq": head.seq + 1,
        "at": timezone.now(),
        "actor_id": None,
        "actor_label": "intruder@example.test",
        "role": "clinician",
        "clinic_id": 1,
        "client_id": 1,
        "object_type": "",
        "object_id": "",
        "action": "client.view",
        "detail": "",
        "ip": None,
        "visitor": "",
        "request_id": "",
        "key_id": key_name,
    }
    digest = hash_with(values, head.hash)
    forged = AuditEvent.objects.create(prev_hash=head.hash, hash=digest, **values)
    # The head trigger lets it advance by one: no need to drop it.
    AuditHead.objects.filter(pk=1).update(seq=forged.seq, hash=digest)
    return forged


def anchor_lines(settings) -> list[str]:
    return settings.GENTLE_AUDIT_ANCHOR_FILE.read_text().splitlines()


def test_intact_chain_verifies():
    write_rows()
    out, err = run_verify()
    assert "audit log intact: 5 rows" in out
    assert f"rows per key: {audit_keys().current_id} (5)" in out
    assert "no anchors yet" in out
    assert err == ""


def test_rows_are_hashed_with_the_newest_audit_key_not_plain_sha256():
    row = write_rows(1)[0]
    assert row.key_id == audit_keys().current_id == key_id(audit_keys().current)
    assert row.hash == keyed_row_hash(row.__dict__, GENESIS, audit_keys().current)
    assert row.hash != legacy_row_hash(row.__dict__, GENESIS)


def test_rows_chain_to_each_other():
    rows = write_rows(3)
    assert [r.seq for r in rows] == [1, 2, 3]
    assert rows[1].prev_hash == rows[0].hash and rows[2].prev_hash == rows[1].hash


def test_a_row_is_appended_with_sql_written_once_and_reads_back_as_returned(monkeypatch):
    """Issue 20: every read of clinical data writes a row; building its three queries in the
    ORM each time cost about 1 ms of the request. The statements are now written once per
    engine: appending builds nothing in the ORM, opens no savepoint of its own inside the
    caller's transaction, and the row stored is the row returned."""
    from django.test.utils import CaptureQueriesContext

    write_rows(1)  # the head exists: the first row's path is the ORM's get_or_create
    built = count_orm_builds(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        returned = record(
            Action.CLIENT_VIEW, actor_label="a@example.test", clinic_id=1, client_id=7
        )
    assert built == []
    # Inside the caller's transaction (the test's): the three statements, no savepoint.
    writes = [q["sql"] for q in queries]
    assert len(writes) == 3 and not any("SAVEPOINT" in sql.upper() for sql in writes), writes
    monkeypatch.undo()
    stored = AuditEvent.objects.get(pk=returned.pk)
    assert stored.seq == returned.seq == 2
    for name in (*HASHED_FIELDS, "prev_hash", "hash"):
        assert getattr(stored, name) == getattr(returned, name), name
    assert (stored.client_id, stored.action) == (7, "client.view")
    assert AuditHead.objects.get(pk=1).hash == stored.hash
    assert verify() == (2, [])


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


def refused(sql: str, params=(), match: str = "append-only") -> None:
    with (
        pytest.raises(DatabaseError, match=match),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_update_and_delete_of_audit_rows_are_refused_on_every_database():
    rows = write_rows(2)
    refused("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [rows[0].pk])
    refused("DELETE FROM audit_auditevent WHERE id = %s", [rows[1].pk])
    refused("DELETE FROM audit_auditevent")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.all().delete()
    if connection.vendor == "postgresql":
        refused("TRUNCATE audit_auditevent")
        refused("TRUNCATE audit_audithead")
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["client.view"] * 2
    out, err = run_verify()
    assert "audit log intact: 2 rows" in out and err == ""


def test_verify_reports_a_dropped_trigger():
    write_rows(1)
    with connection.cursor() as cursor:
        cursor.execute(triggers.unguards(connection.vendor)[0])
    _, err = run_verify()
    assert re.search(r"the trigger audit_\w+ is missing: audit rows can be changed or deleted", err)
    with connection.cursor() as cursor:
        for statement in triggers.guards(connection.vendor):
            cursor.execute(statement)
    assert "audit log intact" in run_verify()[0]


def test_the_head_cannot_be_moved_back_or_deleted():
    rows = write_rows(3)
    head_moved = "the audit head only advances"
    refused(
        "UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1",
        [1, rows[0].hash],
        match=head_moved,
    )
    refused("UPDATE audit_audithead SET seq = seq + 2 WHERE id = 1", match=head_moved)
    refused("DELETE FROM audit_audithead", match=head_moved)
    assert AuditHead.objects.get(pk=1).seq == 3


def test_a_rolled_back_change_leaves_no_audit_row():
    with pytest.raises(RuntimeError), transaction.atomic():
        record("client.update", client_id=1)
        raise RuntimeError("the change failed")
    assert not AuditEvent.objects.exists()
    record("client.view", client_id=1)
    assert AuditEvent.objects.get().seq == 1


# Finding 6: truncation of the end, head moved back with it.


def test_rows_cut_from_the_end_with_the_head_moved_back_are_reported_by_the_anchor(settings):
    write_rows(5)
    out, _ = run_audit("anchor")
    assert "audit anchor written: #5" in out
    cut_the_end(keep=3)
    # The chain and its head agree with each other: only the anchor knows there was more.
    assert AuditHead.objects.get(pk=1).seq == 3
    _, err = run_verify()
    assert re.search(r"the chain ends at #3 but the anchor of \S+ records #5", err)
    assert "rows were deleted from the end" in err
    assert "verification failed: 1 problem(s)" in err


def test_rows_cut_below_an_anchor_and_written_again_are_reported(settings):
    write_rows(3)
    run_audit("anchor")
    write_rows(2)
    run_audit("anchor")
    cut_the_end(keep=2)
    write_rows(3)  # new #3..#5 with other content, under the real key
    _, err = run_verify()
    assert "row #3 differs from its anchor of" in err
    assert "(and 1 later anchor(s))" in err
    # Nor does the next anchor bless the rewritten chain.
    _, err = run_audit("anchor")
    assert "no anchor written" in err and len(anchor_lines(settings)) == 2


def test_anchor_is_signed_and_also_logged(settings, caplog):
    write_rows(2)
    with caplog.at_level(logging.INFO, logger="gentle.audit"):
        run_audit("anchor")
    [line] = anchor_lines(settings)
    anchor = json.loads(line)
    assert anchor["seq"] == 2 and anchor["hash"] == AuditEvent.objects.get(seq=2).hash
    assert anchor["key"] == audit_keys().current_id and len(anchor["sig"]) == 64
    assert [r.getMessage() for r in caplog.records] == [f"audit anchor {line}"]


def test_anchors_shipped_with_the_logs_catch_a_cut_when_the_anchor_file_is_gone(
    settings, caplog, tmp_path
):
    write_rows(4)
    with caplog.at_level(logging.INFO, logger="gentle.audit"):
        run_audit("anchor")
    # What a log collector keeps: Gentle's JSON lines, among others.
    shipped = tmp_path / "collected.log"
    shipped.write_text(
        json.dumps({"level": "INFO", "logger": "gentle.access", "message": "GET /"})
        + "\n"
        + "Dec 03 gentle[12]: "
        + json.dumps({"level": "INFO", "message": caplog.records[0].getMessage()})
        + "\n"
    )
    settings.GENTLE_AUDIT_ANCHOR_FILE.unlink()
    cut_the_end(keep=2)
    out, _ = run_verify()
    assert "audit log intact" in out  # the local file is gone: nothing to compare with
    _, err = run_verify("--anchors", str(shipped))
    assert "the chain ends at #2 but the anchor of" in err and "records #4" in err
    _, err = run_verify("--anchors", str(tmp_path / "missing.log"))
    assert "no anchor file at" in err


def test_a_tampered_anchor_file_is_reported(settings):
    write_rows(3)
    run_audit("anchor")
    [line] = anchor_lines(settings)
    anchor = json.loads(line)
    moved_back = json.dumps(anchor | {"seq": 2, "hash": AuditEvent.objects.get(seq=2).hash})
    other_key = json.dumps(anchor | {"key": "0badc0de"})
    settings.GENTLE_AUDIT_ANCHOR_FILE.write_text(
        "\n".join([moved_back, "not json", json.dumps({"seq": 1}), other_key]) + "\n"
    )
    _, err = run_verify()
    name = settings.GENTLE_AUDIT_ANCHOR_FILE.name
    assert f"anchor file {name}, line 1: its signature does not match" in err
    assert f"anchor file {name}, line 2 is not an anchor" in err
    assert f"anchor file {name}, line 3 is not a whole anchor" in err
    assert "line 4 is signed with audit key 0badc0de, which is not in GENTLE_AUDIT_KEYS" in err
    assert "verification failed: 4 problem(s)" in err


def test_anchor_refuses_to_cover_rows_changed_since_the_last_anchor(settings):
    write_rows(2)
    run_audit("anchor")
    rows = write_rows(2)
    raw("UPDATE audit_auditevent SET detail = 'x' WHERE id = %s", [rows[0].pk])
    out, err = run_audit("anchor")
    assert f"row #3 (id {rows[0].pk}) was edited or forged" in err
    assert "no anchor written" in err
    assert len(anchor_lines(settings)) == 1


def test_an_empty_chain_is_not_anchored(settings):
    out, _ = run_audit("anchor")
    assert "nothing to anchor" in out
    assert not settings.GENTLE_AUDIT_ANCHOR_FILE.exists()


def test_the_worker_job_anchors_the_chain(settings):
    write_rows(2)
    assert anchor_chain.call() == 2
    write_rows(1)
    assert anchor_chain.call() == 3
    assert [json.loads(line)["seq"] for line in anchor_lines(settings)] == [2, 3]
    out, _ = run_verify()
    assert "2 anchor(s) in" in out


# Finding 6: forged appends.


def test_a_row_appended_with_plain_sha256_is_reported_as_forged():
    write_rows(3)
    forged = append_forged(legacy_row_hash)
    _, err = run_verify()
    assert f"row #4 (id {forged.pk}) is hashed without a key after keyed rows: it was forged" in err
    assert "verification failed: 1 problem(s)" in err


def test_a_row_appended_with_a_wrong_key_is_reported():
    write_rows(3)
    wrong = new_audit_key()
    forged = append_forged(
        lambda values, prev: keyed_row_hash(values, prev, wrong), key_name=audit_keys().current_id
    )
    _, err = run_verify()
    assert f"row #4 (id {forged.pk}) was edited or forged: its keyed hash does not match" in err


def test_a_row_appended_under_a_key_of_its_own_is_reported():
    write_rows(3)
    own = new_audit_key()
    append_forged(lambda values, prev: keyed_row_hash(values, prev, own), key_name=key_id(own))
    _, err = run_verify()
    assert (
        f"1 row(s) from #4 to #4 were hashed with audit key {key_id(own)}, which is not in "
        "GENTLE_AUDIT_KEYS: they cannot be verified"
    ) in err


# Keys: rotation, a missing key, the rows written before the chain was keyed.


def test_rows_under_the_old_and_the_new_key_verify_after_rotation(settings):
    old, new = new_audit_key(), new_audit_key()
    settings.GENTLE_AUDIT_KEYS = [old]
    write_rows(2)
    run_audit("anchor")
    settings.GENTLE_AUDIT_KEYS = [new, old]
    write_rows(3)
    assert (
        list(AuditEvent.objects.values_list("key_id", flat=True))
        == [key_id(old)] * 2 + [key_id(new)] * 3
    )
    out, err = run_verify()
    assert err == ""
    assert f"rows per key: {key_id(old)} (2), {key_id(new)} (3)" in out
    assert "1 anchor(s)" in out


def test_a_key_taken_out_of_the_list_makes_its_rows_and_anchors_unverifiable(settings):
    old, new = new_audit_key(), new_audit_key()
    settings.GENTLE_AUDIT_KEYS = [old]
    write_rows(2)
    run_audit("anchor")
    settings.GENTLE_AUDIT_KEYS = [new]
    write_rows(1)
    _, err = run_verify()
    assert (
        f"2 row(s) from #1 to #2 were hashed with audit key {key_id(old)}, which is not in "
        "GENTLE_AUDIT_KEYS: they cannot be verified"
    ) in err
    assert f"is signed with audit key {key_id(old)}, which is not in GENTLE_AUDIT_KEYS" in err


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (None, "GENTLE_AUDIT_KEYS is required when GENTLE_ENV=production"),
        ("too-short", "GENTLE_AUDIT_KEYS is malformed: a key is shorter than 32 characters"),
    ],
)
def test_production_will_not_start_without_a_good_audit_key(tmp_path, keys, message):
    env = production_env()
    env.pop("GENTLE_AUDIT_KEYS", None)
    if keys:
        env["GENTLE_AUDIT_KEYS"] = keys
    result = run_gentle("check", env=env, tmp_path=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr


def write_unkeyed_rows(n: int) -> None:
    """Rows as the unkeyed chain wrote them before this release."""
    head = AuditHead.objects.filter(pk=1).first() or AuditHead.objects.create(
        pk=1, seq=0, hash=GENESIS
    )
    for i in range(n):
        values = {
            "seq": head.seq + 1,
            "at": timezone.now(),
            "actor_id": None,
            "actor_label": f"old{i}@example.test",
            "role": "clinician",
            "clinic_id": 1,
            "client_id": i,
            "object_type": "",
            "object_id": "",
            "action": "client.view",
            "detail": "",
            "ip": "192.0.2.1",
            "request_id": "",
        }
        digest = legacy_row_hash(values, head.hash)
        AuditEvent.objects.create(prev_hash=head.hash, hash=digest, **values)
        AuditHead.objects.filter(pk=1).update(seq=values["seq"], hash=digest)
        head.refresh_from_db()


def test_unkeyed_rows_from_before_the_upgrade_are_sealed_by_the_migration_and_verify():
    write_unkeyed_rows(3)
    _, err = run_verify()
    assert "the chain ends at #3 with rows hashed without a key" in err
    migration = importlib.import_module("gentle.audit.migrations.0005_seal_unkeyed_rows")
    migration.seal(django_apps, None)
    sealed = AuditEvent.objects.get(seq=4)
    assert (sealed.action, sealed.detail, sealed.key_id) == (
        "audit.chain_keyed",
        "unkeyed_rows=3",
        audit_keys().current_id,
    )
    write_rows(2)
    out, err = run_verify()
    assert err == ""
    assert f"rows per key: unkeyed (3), {audit_keys().current_id} (3)" in out
    # An unkeyed row edited and rehashed in place no longer joins the keyed row after it.
    raw("UPDATE audit_auditevent SET actor_label = 'x@x' WHERE seq = 3")
    row = AuditEvent.objects.filter(seq=3).values().get()
    rehashed = legacy_row_hash(row, row["prev_hash"])
    raw("UPDATE audit_auditevent SET hash = %s WHERE seq = 3", [rehashed])
    _, err = run_verify()
    assert "row #4 does not follow the row before it" in err


# Finding 8: the public form's visitors are not kept by address.


def test_the_public_form_keeps_a_pseudonym_of_the_visitor_not_their_address(client):
    cache.clear()
    clinic = make_clinic()
    url = f"/c/{clinic.slug}/reach-out/"

    def send(address):
        data = {
            "name": "Robin",
            "contact": "email",
            "email": "robin@example.test",
            "message": "Since the move I feel alone.",
            "consent": "on",
            "started": signing.dumps(time.time() - 30, salt=STARTED_SALT),
        }
        assert client.post(url, data, REMOTE_ADDR=address).status_code == 200
        return AuditEvent.objects.filter(action="intake.receive").latest("seq")

    first, again, other = send("198.51.100.23"), send("198.51.100.23"), send("203.0.113.9")
    assert first.ip is None and re.fullmatch(r"[0-9a-f]{16}", first.visitor)
    assert again.visitor == first.visitor != other.visitor
    stored = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert "198.51.100.23" not in stored and "203.0.113.9" not in stored
    # Staff keep their address in the log, as ASTM E2147 asks ("from where").
    admin = make_person(clinic, Role.ADMIN)
    client.force_login(admin)
    html = client.get("/clinic/audit/", REMOTE_ADDR="192.0.2.44").content.decode()
    assert f"visitor {first.visitor}" in html
    assert "198.51.100.23" not in html
    assert AuditEvent.objects.get(action="audit.view").ip == "192.0.2.44"
    out, err = run_verify()
    assert "audit log intact" in out and err == ""


@pytest.mark.django_db(transaction=True)
def test_committed_audit_rows_refuse_delete_yet_the_test_harness_can_flush():
    rows = write_rows(2)
    refused("DELETE FROM audit_auditevent WHERE id = %s", [rows[0].pk])
    assert AuditEvent.objects.count() == 2
    # The flush at the end of this test (guards lifted for it alone, in tests/conftest.py) must
    # succeed, and leave the guards in place for the next test:
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    write_rows(1)
    refused("DELETE FROM audit_auditevent")


@pytest.mark.django_db(transaction=True)
def test_writers_at_the_same_time_keep_one_chain_that_verifies():
    """Several connections append at once: every row follows the one before it, with no gap and
    no fork. drills/audit_writers.py runs 50 writers for a minute on a real database file or
    PostgreSQL (docs/drills.md)."""
    if connection.vendor == "sqlite":
        pytest.skip(
            "the SQLite test database is in memory with a shared cache, whose table locks do not "
            "wait; Gentle's SQLite is a file in WAL mode (drills/audit_writers.py covers it)"
        )
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from gentle.audit.names import Action

    writers, each = 6, 15

    def write(number: int) -> int:
        try:
            for _ in range(each):
                with transaction.atomic():
                    record(Action.AUDIT_VIEW, actor_label=f"writer {number}")
            return each
        finally:
            connections.close_all()

    with ThreadPoolExecutor(writers) as pool:
        assert sum(pool.map(write, range(writers))) == writers * each
    checked, problems = verify()
    assert problems == []
    assert checked == writers * each
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, writers * each + 1))
    assert AuditHead.objects.get(pk=1).seq == writers * each
