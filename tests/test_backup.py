"""`gentle backup` and `gentle restore` on the database the suite runs on (SQLite, or PostgreSQL
under bin/test-postgres): the round trip, the refusals, and a restore into a new, empty database
by the `gentle` command itself."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gentle import backup
from gentle.accounts.models import Role
from gentle.audit.chain import new_audit_key
from gentle.audit.log import record
from gentle.audit.models import AuditEvent
from gentle.audit.names import Action
from gentle.clients.models import Client
from tests.factories import make_client, make_clinic, make_person

pytestmark = pytest.mark.django_db(transaction=True)
POSTGRES = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _settings_put_back(settings):
    """A restore in demo mode puts the backup's demo secrets in place for its process too;
    the settings fixture puts this process's back after each test."""
    for name in backup.DEMO_SECRETS.values():
        setattr(settings, name, getattr(settings, name))


def seed() -> Client:
    clinic = make_clinic()
    clinician = make_person(clinic, Role.CLINICIAN)
    client = make_client(clinic, clinicians=[clinician])
    for _ in range(3):
        record(Action.CLIENT_VIEW, actor=clinician, client=client)
    return client


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def take(tmp_path) -> tuple[Path, dict]:
    out, _err = run("backup", "--to", str(tmp_path / "backups"))
    (database,) = (
        p for p in (tmp_path / "backups").iterdir() if p.suffix in {".sqlite3", ".pgdump"}
    )
    assert f"backup written: {database}" in out
    assert "not in the backup, keep them apart: SECRET_KEY" in out
    return database, json.loads(database.with_suffix(".json").read_text())


def state() -> tuple[dict[str, int], tuple[int, str]]:
    return backup.current_state()


def test_backup_then_restore_round_trips_the_row_counts_and_the_audit_chain_verifies(tmp_path):
    client = seed()
    run("audit", "anchor")
    counts, head = state()
    database, manifest = take(tmp_path)
    assert manifest["vendor"] == connection.vendor
    assert manifest["tables"] == counts
    assert manifest["audit_head"] == {"seq": head[0], "hash": head[1]}
    assert manifest["tables"]["clients_client"] == 1
    assert "audit-anchors.jsonl" in manifest["files"]
    assert "demo-audit-key" in manifest["files"]  # demo mode: the generated secrets go along
    # The backup itself is audited, in the live database after the copy.
    assert AuditEvent.objects.filter(action="backup.take", object_id=database.stem).exists()
    # Work after the backup is not in it.
    make_client(client.clinic, given_name="Later")
    assert Client.objects.count() == 2

    out, err = run("restore", str(database), "--force")

    assert Client.objects.count() == 1
    restored, restored_head = state()
    assert {t: n for t, n in restored.items() if t != "audit_auditevent"} == {
        t: n for t, n in counts.items() if t != "audit_auditevent"
    }
    # The restore's own row follows the backup's head.
    assert restored["audit_auditevent"] == counts["audit_auditevent"] + 1
    assert AuditEvent.objects.order_by("-seq").first().action == "backup.restore"
    assert AuditEvent.objects.get(seq=head[0]).hash == head[1]
    assert f"restored {database.name}; row counts per table:" in out
    assert "  clients_client" in out
    assert f"audit head #{head[0]} match the manifest; audit log intact: {head[0]} rows" in out
    verified, _ = run("audit", "verify")
    assert "audit log intact" in verified


def test_restore_refuses_a_database_that_holds_data_without_force(tmp_path):
    seed()
    database, _manifest = take(tmp_path)
    make_client(make_clinic(), given_name="Later")
    before = state()
    with pytest.raises(CommandError) as refused:
        run("restore", str(database))
    message = str(refused.value)
    assert "the configured database is not empty" in message
    assert "accounts_clinic" in message
    assert "pass --force to replace its contents" in message
    assert state() == before


def test_a_truncated_backup_is_refused_and_nothing_changes(tmp_path):
    seed()
    database, _manifest = take(tmp_path)
    data = database.read_bytes()
    database.write_bytes(data[: len(data) // 2])
    before = state()
    with pytest.raises(CommandError, match="truncated or damaged; nothing was restored"):
        run("restore", str(database), "--force")
    assert state() == before


def test_a_damaged_backup_whose_manifest_was_made_to_match_is_refused_and_nothing_changes(
    tmp_path,
):
    seed()
    database, manifest = take(tmp_path)
    data = bytearray(database.read_bytes())
    # Overwrite the middle of the file: pages of a database, or compressed table data of a dump.
    middle = len(data) // 2
    data[middle : middle + 4096] = b"\xa5" * 4096
    database.write_bytes(bytes(data))
    manifest.update(size=len(data), sha256=backup.sha256(database))
    database.with_suffix(".json").write_text(json.dumps(manifest))
    make_client(make_clinic(), given_name="Later")
    before = state()
    with pytest.raises(CommandError) as refused:
        run("restore", str(database), "--force")
    assert "nothing" in str(refused.value) or "put back as it was" in str(refused.value)
    assert state() == before


@pytest.mark.parametrize("change", ["count", "head"])
def test_a_manifest_that_does_not_match_the_backup_fails_loudly_and_nothing_changes(
    tmp_path, change
):
    seed()
    database, manifest = take(tmp_path)
    if change == "count":
        manifest["tables"]["clients_client"] += 1
        expected = "table clients_client: 1 rows, the manifest says 2"
    else:
        manifest["audit_head"]["hash"] = "f" * 64
        expected = "the manifest says #"
    database.with_suffix(".json").write_text(json.dumps(manifest))
    make_client(make_clinic(), given_name="Later")
    before = state()
    with pytest.raises(CommandError) as refused:
        run("restore", str(database), "--force")
    assert expected in str(refused.value)
    assert "nothing" in str(refused.value).lower()
    assert state() == before


def test_a_backup_without_its_manifest_or_with_one_of_another_shape_is_refused(tmp_path):
    seed()
    database, _manifest = take(tmp_path)
    before = state()
    for text, message in (
        ("[1, 2]", "is not a Gentle backup manifest"),
        ('{"format": 1}', "is not a Gentle backup manifest"),
        ("{", "is not readable JSON"),
    ):
        database.with_suffix(".json").write_text(text)
        with pytest.raises(CommandError, match=message):
            run("restore", str(database), "--force")
    database.with_suffix(".json").unlink()
    with pytest.raises(CommandError, match="no manifest beside the backup"):
        run("restore", str(database), "--force")
    assert state() == before


@pytest.mark.skipif(POSTGRES, reason="on PostgreSQL the restored rows stay (committed); said so")
def test_a_restored_chain_that_does_not_verify_puts_the_database_back(
    tmp_path, settings, monkeypatch
):
    seed()
    database, _manifest = take(tmp_path)
    make_client(make_clinic(), given_name="Later")
    before = state()
    # The restoring side has lost the audit key the backup's rows were hashed with.
    other = new_audit_key()
    monkeypatch.setenv("GENTLE_AUDIT_KEYS", other)
    settings.GENTLE_AUDIT_KEYS = [other]
    with pytest.raises(CommandError) as refused:
        run("restore", str(database), "--force")
    assert "not in GENTLE_AUDIT_KEYS" in str(refused.value)
    assert "The database was put back as it was." in str(refused.value)
    settings.GENTLE_AUDIT_KEYS = list(django_settings.GENTLE_AUDIT_KEYS)
    assert state() == before


def test_the_database_password_is_passed_in_the_environment_never_on_the_command_line(
    monkeypatch,
):
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "pa ss'word")
    conninfo, env = backup._libpq()
    assert "pa ss" not in conninfo
    assert env["PGPASSWORD"] == "pa ss'word"


def test_pg_dump_is_given_libpqs_options_and_not_djangos(monkeypatch):
    """ADR 0066 gave the PostgreSQL connection server_side_binding and prepare_threshold:
    pg_dump refused them ("invalid connection option") and no backup was made."""
    options = {"server_side_binding": True, "prepare_threshold": 5, "sslmode": "require"}
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    conninfo, _ = backup._libpq()
    assert "sslmode='require'" in conninfo
    assert "server_side_binding" not in conninfo and "prepare_threshold" not in conninfo


def test_restore_into_a_new_empty_database_by_the_gentle_command(tmp_path):
    """A backup of this database restored by `python -m gentle restore` into a new database: a
    fresh SQLite file, or a new PostgreSQL database on the same server."""
    seed()
    database, manifest = take(tmp_path)
    fresh = tmp_path / "fresh"
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.update(GENTLE_ENV="demo", GENTLE_DATA_DIR=str(fresh))
    env.pop("GENTLE_AUDIT_KEYS", None)
    created = None
    if POSTGRES:
        db = connection.settings_dict
        created = f"{db['NAME']}_restore"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{created}"')
            cursor.execute(f'CREATE DATABASE "{created}"')
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{created}"
    else:
        env.pop("DATABASE_URL", None)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "gentle", "restore", str(database)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert f"audit head #{manifest['audit_head']['seq']} match the manifest" in done.stdout
        assert "files put in place: demo-secret-key" in done.stdout
        again = subprocess.run(
            [sys.executable, "-m", "gentle", "restore", str(database)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert again.returncode == 1
        assert "the configured database is not empty" in again.stderr
    finally:
        if created:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')
