"""`gentle backup` and `gentle restore`: the database, what a restore needs from the data
directory, and a manifest that says what the backup holds (docs/deployment.md#backups).

A backup is three things side by side, named with the time it was taken:

- ``gentle-<time>.sqlite3`` (SQLite's online backup API: a consistent copy while the web server
  and the worker write) or ``gentle-<time>.pgdump`` (``pg_dump -Fc`` in a snapshot exported by
  the transaction that counted the rows, so the counts are the dump's);
- ``gentle-<time>.files/``: the audit anchor file, the clinic's own instruments and, in demo mode
  only, the generated demo secrets;
- ``gentle-<time>.json``, the manifest, written last: time, Gentle's version, the database
  vendor, the database file's size and SHA-256, row counts per table, the audit chain's head.

A restore refuses a backup whose file does not match its manifest, and a database that holds
data (unless forced); it compares the restored row counts and audit head with the manifest and
runs the audit chain check, and leaves the database as it was when any of that fails.
Secrets from the environment (SECRET_KEY, GENTLE_PROCESS_NOTE_KEYS, GENTLE_AUDIT_KEYS) are never
in a backup: they are kept apart from it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from psycopg import pq

import gentle
from gentle.audit.chain import GENESIS
from gentle.audit.log import check, record
from gentle.audit.names import Action

FORMAT = 1
PREFIX = "gentle-"
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# Rows `gentle migrate` writes into a new database: a database with only these is empty.
MIGRATE_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission"})
# Demo mode keeps generated secrets in the data directory (gentle.lib.datadir); production
# takes them from the environment, and they are never copied.
DEMO_SECRETS = {
    "demo-secret-key": "SECRET_KEY",
    "demo-process-note-key": "GENTLE_PROCESS_NOTE_KEYS",
    "demo-audit-key": "GENTLE_AUDIT_KEYS",
}
ANCHORS = "audit-anchors.jsonl"
INSTRUMENTS = "instruments"
NOT_INCLUDED = [
    "SECRET_KEY",
    "GENTLE_PROCESS_NOTE_KEYS",
    "GENTLE_AUDIT_KEYS",
    "GENTLE_EMAIL_PASSWORD",
    "DATABASE_URL",
]
TABLE_NAME = re.compile(r"^[A-Za-z0-9_]+$")
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that stopped; the message says why and what was left as it was."""


@dataclass
class Backup:
    database: Path
    manifest: Path
    files: Path
    data: dict[str, Any]


@dataclass
class Restored:
    counts: dict[str, int]
    head: tuple[int, str]
    audit_rows: int
    installed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --- shared ---------------------------------------------------------------------------------


def vendor() -> str:
    name = connection.vendor
    if name not in SUFFIXES:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [row[0] for row in cursor.fetchall()]


def _postgres_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
        "AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    return [row[0] for row in cursor.fetchall()]


def _counts(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        # Names from the database's own catalogue, quoted.
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _head(cursor: Any, tables: list[str]) -> tuple[int, str]:
    if "audit_audithead" not in tables:
        return 0, GENESIS
    cursor.execute("SELECT seq, hash FROM audit_audithead WHERE id = 1")
    row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def current_state() -> tuple[dict[str, int], tuple[int, str]]:
    """Row counts per table and the audit head of the configured database."""
    with connection.cursor() as cursor:
        tables = _sqlite_tables(cursor) if vendor() == "sqlite" else _postgres_tables(cursor)
        return _counts(cursor, tables), _head(cursor, tables)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for directory in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (directory / name).is_file():
            return str(directory / name)
    raise BackupError(f"{name} was not found: install PostgreSQL's client tools")


def _libpq() -> tuple[str, dict[str, str]]:
    """The database's libpq connection string (without the password) and an environment that
    carries the password (PGPASSWORD): it is never on a command line."""
    db = connection.settings_dict

    def value(text: object) -> str:
        return "'" + str(text).replace("\\", "\\\\").replace("'", "\\'") + "'"

    parts = {"dbname": db["NAME"], "host": db.get("HOST"), "port": db.get("PORT")}
    parts["user"] = db.get("USER")
    # Only libpq's own parameters (sslmode, ...): Django's and psycopg's options such as
    # server_side_binding (ADR 0066) are not, and pg_dump refuses an option it does not know.
    libpq = {option.keyword.decode() for option in pq.Conninfo.get_defaults()}
    for key, option in (db.get("OPTIONS") or {}).items():
        if key in libpq and isinstance(option, (str, int)) and not isinstance(option, bool):
            parts[key] = str(option)
    conninfo = " ".join(f"{key}={value(item)}" for key, item in parts.items() if item)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return conninfo, env


def _run(command: list[str], env: dict[str, str], what: str, after: str = "") -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        said = " / ".join(lines[-3:]) or f"exit {done.returncode}"
        raise BackupError(f"{what} failed: {said}{after}")


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


# --- backup ---------------------------------------------------------------------------------


def default_directory() -> Path:
    return Path(settings.DATA_DIR) / "backups"


def take(to: Path | None = None, *, now: datetime | None = None) -> Backup:
    """Back up the configured database and the data directory's files into ``to``."""
    name = vendor()
    to = Path(to or default_directory()).expanduser()
    try:
        to.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"the backup directory {to} cannot be created: {exc.strerror}") from None
    at = now or timezone.now()
    base = f"{PREFIX}{at.strftime('%Y%m%dT%H%M%S')}Z"
    number = 1
    while any((to / f"{base}{suffix}").exists() for suffix in (".json", ".files")):
        number += 1
        base = f"{PREFIX}{at.strftime('%Y%m%dT%H%M%S')}Z-{number}"
    database = to / f"{base}{SUFFIXES[name]}"
    files = to / f"{base}.files"
    manifest = to / f"{base}.json"
    partial = to / f".{base}.partial"
    try:
        files.mkdir(mode=0o700)
        # Anchors before the database: every anchor copied names a row the copy holds.
        copied = _copy_files(files)
        if name == "sqlite":
            counts, head = _sqlite_backup(partial)
        else:
            counts, head = _pg_dump(partial)
        os.replace(partial, database)
    except BaseException:
        partial.unlink(missing_ok=True)
        shutil.rmtree(files, ignore_errors=True)
        raise
    data = {
        "format": FORMAT,
        "created_at": at.isoformat(),
        "gentle_version": gentle.__version__,
        "vendor": name,
        "database_file": database.name,
        "size": database.stat().st_size,
        "sha256": sha256(database),
        "tables": counts,
        "audit_head": {"seq": head[0], "hash": head[1]},
        "files": copied,
        "not_included": NOT_INCLUDED,
    }
    _write_private(partial, json.dumps(data, indent=2, sort_keys=True).encode())
    os.replace(partial, manifest)
    with transaction.atomic():
        record(Action.BACKUP_TAKE, object_type="backup", object_id=base, detail=f"seq={head[0]}")
    return Backup(database, manifest, files, data)


def _copy_files(files: Path) -> list[str]:
    copied = []
    anchors = Path(settings.GENTLE_AUDIT_ANCHOR_FILE)
    if anchors.is_file():
        shutil.copyfile(anchors, files / ANCHORS)
        copied.append(ANCHORS)
    instruments = Path(settings.GENTLE_INSTRUMENTS_DIR)
    if instruments.is_dir():
        for path in sorted(instruments.glob("*.json")):
            (files / INSTRUMENTS).mkdir(mode=0o700, exist_ok=True)
            shutil.copyfile(path, files / INSTRUMENTS / path.name)
            copied.append(f"{INSTRUMENTS}/{path.name}")
    if settings.DEMO:
        for secret in DEMO_SECRETS:
            path = Path(settings.DATA_DIR) / secret
            if path.is_file():
                shutil.copyfile(path, files / secret)
                copied.append(secret)
    return copied


def _sqlite_backup(target: Path) -> tuple[dict[str, int], tuple[int, str]]:
    """SQLite's backup API in one step: one read transaction on the live database, so the copy
    is consistent while others write (WAL lets them). The copy is then made a single file."""
    connection.ensure_connection()
    source = connection.connection
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        cursor = copy.cursor()
        tables = _sqlite_tables(cursor)
        return _counts(cursor, tables), _head(cursor, tables)
    finally:
        copy.close()


def _pg_dump(target: Path) -> tuple[dict[str, int], tuple[int, str]]:
    """pg_dump in the snapshot of the transaction that counts the rows: the counts and the
    audit head in the manifest are exactly the dump's, however busy the database is."""
    conninfo, env = _libpq()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = _postgres_tables(cursor)
        counts, head = _counts(cursor, tables), _head(cursor, tables)
        command = [_pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}"]
        _run([*command, f"--file={target}", f"--dbname={conninfo}"], env, "pg_dump")
    return counts, head


# --- restore --------------------------------------------------------------------------------


def read_manifest(database: Path) -> dict[str, Any]:
    database = Path(database)
    if not database.is_file():
        raise BackupError(f"no backup file at {database}")
    manifest = database.with_suffix(".json")
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(
            f"no manifest beside the backup ({manifest.name}): it is needed to check the restore"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError):
        raise BackupError(f"the manifest {manifest.name} is not readable JSON") from None
    if not isinstance(data, dict):
        raise BackupError(f"the manifest {manifest.name} is not a Gentle backup manifest")
    manifest_data: dict[str, Any] = data
    tables, head = data.get("tables"), data.get("audit_head")
    if (
        data.get("format") != FORMAT
        or data.get("vendor") not in SUFFIXES
        or not isinstance(data.get("sha256"), str)
        or not isinstance(tables, dict)
        or not all(isinstance(n, int) and TABLE_NAME.match(t) for t, n in tables.items())
        or not isinstance(head, dict)
        or not isinstance(head.get("seq"), int)
        or not isinstance(head.get("hash"), str)
    ):
        raise BackupError(f"the manifest {manifest.name} is not a Gentle backup manifest")
    if data.get("database_file") != database.name:
        raise BackupError(
            f"the manifest {manifest.name} describes {data.get('database_file')}, "
            f"not {database.name}"
        )
    return manifest_data


def _differences(
    expected: dict[str, Any], counts: dict[str, int], head: tuple[int, str]
) -> list[str]:
    found = []
    for table in sorted(set(expected["tables"]) | set(counts)):
        want, have = expected["tables"].get(table), counts.get(table)
        if want != have:
            found.append(
                f"table {table}: {'no table' if have is None else f'{have} rows'}, "
                f"the manifest says {'no table' if want is None else f'{want} rows'}"
            )
    want_head = (expected["audit_head"]["seq"], expected["audit_head"]["hash"])
    if head != want_head:
        found.append(
            f"audit head #{head[0]} {head[1]}, the manifest says #{want_head[0]} {want_head[1]}"
        )
    return found


def holds_data(counts: dict[str, int]) -> list[str]:
    """The tables with rows, leaving out those `gentle migrate` fills."""
    return [table for table, n in counts.items() if n and table not in MIGRATE_TABLES]


def restore(database: Path, *, force: bool = False) -> Restored:
    database = Path(database)
    expected = read_manifest(database)
    name = vendor()
    if expected["vendor"] != name:
        raise BackupError(
            f"this is a backup of a {VENDOR_NAMES[expected['vendor']]} database and the "
            f"configured database is {VENDOR_NAMES[name]}: restore it into the same kind"
        )
    if database.stat().st_size != expected.get("size") or sha256(database) != expected["sha256"]:
        raise BackupError(
            f"{database.name} does not match its manifest (size or SHA-256): the file is "
            "truncated or damaged; nothing was restored"
        )
    counts, _head_now = current_state()
    full = holds_data(counts)
    if full and not force:
        shown = ", ".join(full[:5]) + (", ..." if len(full) > 5 else "")
        raise BackupError(
            f"the configured database is not empty ({len(full)} table(s) hold rows: {shown}); "
            "restore into a new, empty database, or pass --force to replace its contents"
        )
    files = database.with_suffix(".files")
    with _demo_secrets(files) as installed:
        if name == "sqlite":
            result = _restore_sqlite(database, expected)
        else:
            result = _restore_postgres(database, expected, reset=bool(counts))
        result.installed = installed
    result.installed += _restore_files(files, result.notes)
    with transaction.atomic():
        record(
            Action.BACKUP_RESTORE,
            object_type="backup",
            object_id=database.stem,
            detail=f"seq={result.head[0]}",
        )
    return result


def _verify(files: Path, expected: dict[str, Any]) -> tuple[Restored, list[str]]:
    """Counts and head against the manifest, then the audit chain against the anchors saved
    with the backup (or the configured anchor file if the backup has none)."""
    counts, head = current_state()
    problems = _differences(expected, counts, head)
    if problems:
        return Restored(counts, head, 0), problems
    saved = files / ANCHORS
    anchor_file = saved if saved.is_file() else Path(settings.GENTLE_AUDIT_ANCHOR_FILE)
    walk, _anchored, found = check(anchor_file=anchor_file)
    return Restored(counts, head, walk.checked), [f"audit: {p.message}" for p in found]


def _failed(problems: list[str], undone: str) -> BackupError:
    shown = "; ".join(problems[:10]) + ("; ..." if len(problems) > 10 else "")
    return BackupError(f"the restored database does not match the backup: {shown}. {undone}")


def _restore_sqlite(database: Path, expected: dict[str, Any]) -> Restored:
    # Check the file itself before the live database is touched.
    try:
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            cursor = source.cursor()
            cursor.execute("PRAGMA integrity_check")
            integrity = [row[0] for row in cursor.fetchall()]
            tables = _sqlite_tables(cursor)
            problems = _differences(expected, _counts(cursor, tables), _head(cursor, tables))
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            f"{database.name} is not a readable SQLite database ({exc}); nothing was restored"
        ) from None
    if integrity != ["ok"]:
        raise BackupError(f"{database.name} fails SQLite's integrity check; nothing was restored")
    if problems:
        raise _failed(problems, "Nothing was restored.")
    connection.ensure_connection()
    live = connection.connection
    with tempfile.TemporaryDirectory(prefix="gentle-restore-") as scratch:
        # The live database as it was, to put back if the restored one does not check out.
        undo = sqlite3.connect(Path(scratch) / "before.sqlite3")
        try:
            live.backup(undo)
            source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
            try:
                source.backup(live)
            finally:
                source.close()
            # The copy was made a single file; the live database goes on in WAL mode.
            live.execute("PRAGMA journal_mode=WAL")
            result, problems = _verify(database.with_suffix(".files"), expected)
            if problems:
                undo.backup(live)
                raise _failed(problems, "The database was put back as it was.")
        finally:
            undo.close()
    return result


def _restore_postgres(database: Path, expected: dict[str, Any], *, reset: bool) -> Restored:
    """pg_restore's script into psql as one transaction that ends by comparing every table's
    count and the audit head with the manifest: a mismatch or an error rolls all of it back."""
    conninfo, env = _libpq()
    listed = [_pg_tool("pg_restore"), "--list", str(database)]
    _run(listed, env, f"reading {database.name} (pg_restore --list)", "; nothing was restored")
    prefix = "DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n" if reset else ""
    script = [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(database)]
    psql = [_pg_tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction"]
    psql += ["--set=ON_ERROR_STOP=1", f"--dbname={conninfo}"]
    connection.close()
    with (
        tempfile.TemporaryFile() as errors,
        subprocess.Popen(
            psql, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors, env=env
        ) as sink,
        subprocess.Popen(script, stdout=subprocess.PIPE, stderr=errors, env=env) as dump,
    ):
        assert sink.stdin is not None and dump.stdout is not None
        try:
            sink.stdin.write(prefix.encode())
            while chunk := dump.stdout.read(CHUNK):
                sink.stdin.write(chunk)
            dump.wait()
            if dump.returncode == 0:
                sink.stdin.write(_postgres_checks(expected).encode())
            else:
                sink.stdin.write(b"\nSELECT 1/0; -- pg_restore failed\n")
            sink.stdin.close()
        except BrokenPipeError:
            pass
        sink.wait()
        errors.seek(0)
        said = [line for line in errors.read().decode(errors="replace").splitlines() if line]
    if dump.returncode:
        raise BackupError(f"pg_restore could not read {database.name}; nothing was restored")
    if sink.returncode:
        mismatch = [line.split("ERROR:", 1)[1].strip() for line in said if "ERROR:" in line]
        raise BackupError(
            f"the restore was rolled back, nothing changed: {'; '.join(mismatch[:3]) or said[-1:]}"
        )
    result, problems = _verify(database.with_suffix(".files"), expected)
    if problems:
        raise _failed(problems, "The restored rows are in the database: run `gentle audit verify`.")
    return result


def _postgres_checks(expected: dict[str, Any]) -> str:
    lines = ["", "DO $gentle_restore$", "DECLARE n bigint;", "BEGIN"]
    for table, count in sorted(expected["tables"].items()):
        # Names checked against TABLE_NAME by read_manifest, and quoted.
        lines.append(f"  SELECT count(*) INTO n FROM public.{_quote(table)};")  # noqa: S608
        lines.append(
            f"  IF n <> {int(count)} THEN RAISE EXCEPTION 'table {table}: % rows, the manifest "
            f"says {int(count)}', n; END IF;"
        )
    lines.append(
        "  SELECT count(*) INTO n FROM information_schema.tables WHERE table_schema = 'public' "
        "AND table_type = 'BASE TABLE';"
    )
    lines.append(
        f"  IF n <> {len(expected['tables'])} THEN RAISE EXCEPTION '% tables, the manifest "
        f"lists {len(expected['tables'])}', n; END IF;"
    )
    seq, digest = int(expected["audit_head"]["seq"]), expected["audit_head"]["hash"]
    if not re.fullmatch(r"[0-9a-f]{1,128}", digest):
        raise BackupError("the manifest's audit head is not a hash")
    head = "(SELECT seq::text || ' ' || hash FROM public.audit_audithead WHERE id = 1)"
    want = "0 " + GENESIS if seq == 0 else f"{seq} {digest}"
    lines.append(
        f"  IF coalesce({head}, '0 {GENESIS}') <> '{want}' THEN RAISE EXCEPTION "
        f"'audit head #%, the manifest says #{seq} {digest}', {head}; END IF;"
    )
    lines += ["END", "$gentle_restore$;", ""]
    return "\n".join(lines)


@contextmanager
def _demo_secrets(files: Path) -> Iterator[list[str]]:
    """In demo mode, the backup's generated secrets replace the data directory's (the restored
    rows are encrypted and chained under them), also for this process; put back on failure."""
    installed: list[str] = []
    before: dict[Path, bytes | None] = {}
    values: dict[str, Any] = {}
    if settings.DEMO:
        for secret, setting in DEMO_SECRETS.items():
            saved = files / secret
            if not saved.is_file() or os.environ.get(setting):
                continue
            target = Path(settings.DATA_DIR) / secret
            before[target] = target.read_bytes() if target.is_file() else None
            values[setting] = getattr(settings, setting)
            value = saved.read_text().strip()
            _write_private(target, value.encode())
            setattr(settings, setting, value if setting == "SECRET_KEY" else [value])
            installed.append(secret)
    try:
        yield installed
    except BaseException:
        for target, content in before.items():
            if content is None:
                target.unlink(missing_ok=True)
            else:
                _write_private(target, content)
        for setting, value in values.items():
            setattr(settings, setting, value)
        raise


def _restore_files(files: Path, notes: list[str]) -> list[str]:
    """The backup's anchor file where none is kept yet (never over a newer one), and the
    clinic's own instruments that are missing."""
    installed = []
    saved = files / ANCHORS
    anchors = Path(settings.GENTLE_AUDIT_ANCHOR_FILE)
    if saved.is_file():
        if not anchors.exists() or anchors.stat().st_size == 0:
            anchors.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _write_private(anchors, saved.read_bytes())
            installed.append(ANCHORS)
        elif anchors.read_bytes() != saved.read_bytes():
            notes.append(
                f"{anchors} was kept (it is not the backup's): if it records rows after the "
                "backup, `gentle audit verify` reports them as lost; see docs/deployment.md"
            )
    own = files / INSTRUMENTS
    if own.is_dir():
        target = Path(settings.GENTLE_INSTRUMENTS_DIR)
        for path in sorted(own.glob("*.json")):
            there = target / path.name
            if not there.exists():
                target.mkdir(mode=0o700, parents=True, exist_ok=True)
                shutil.copyfile(path, there)
                installed.append(f"{INSTRUMENTS}/{path.name}")
            elif there.read_bytes() != path.read_bytes():
                notes.append(f"{there} differs from the backup's copy and was kept")
    return installed


def table_lines(counts: dict[str, int], write: Callable[[str], Any]) -> None:
    width = max((len(t) for t in counts), default=0)
    for table, count in sorted(counts.items()):
        write(f"  {table:<{width}}  {count}")
