"""SQL for the append-only triggers, shared by the migrations and the tests.

The triggers refuse every change to an audit row (UPDATE, DELETE and, on PostgreSQL, TRUNCATE)
and let the head only advance, one step at a time. Whether the head's hash is the newest row's
is left to `gentle audit verify`: a trigger that read the other table would break SQLite's table
rebuilds. Whoever owns the database can still drop the triggers: that is why rows are keyed and
anchors are kept outside the database (docs/adr/0006-audit-log.md).

On SQLite a migration that rebuilds one of these tables (most AddField/AlterField operations do)
drops its triggers: such a migration must be followed by one that runs ``guards("sqlite")``.
"""

# Migration 0002, kept as it was.
CREATE = """
CREATE OR REPLACE FUNCTION gentle_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION gentle_audit_append_only();
"""
SQLITE_CREATE = """
CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE refused'); END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS audit_auditevent_no_update;"
DROP = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS gentle_audit_append_only();
"""

# Since migration 0004: every guard, on both databases. Each statement stands alone (SQLite
# executes one at a time) and can be run again.
_POSTGRES_GUARDS = [
    """
CREATE OR REPLACE FUNCTION gentle_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE OR REPLACE FUNCTION gentle_audit_head_advance_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq = OLD.seq + 1 THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit head only advances: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
""",
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    """
CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION gentle_audit_append_only()
""",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent",
    """
CREATE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION gentle_audit_append_only()
""",
    "DROP TRIGGER IF EXISTS audit_audithead_advance_only ON audit_audithead",
    """
CREATE TRIGGER audit_audithead_advance_only BEFORE UPDATE OR DELETE ON audit_audithead
    FOR EACH ROW EXECUTE FUNCTION gentle_audit_head_advance_only()
""",
    "DROP TRIGGER IF EXISTS audit_audithead_no_truncate ON audit_audithead",
    """
CREATE TRIGGER audit_audithead_no_truncate BEFORE TRUNCATE ON audit_audithead
    FOR EACH STATEMENT EXECUTE FUNCTION gentle_audit_append_only()
""",
]
_POSTGRES_UNGUARDS = [
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_audithead_advance_only ON audit_audithead",
    "DROP TRIGGER IF EXISTS audit_audithead_no_truncate ON audit_audithead",
    "DROP FUNCTION IF EXISTS gentle_audit_head_advance_only()",
    "DROP FUNCTION IF EXISTS gentle_audit_append_only()",
]

_SQLITE_TRIGGERS = {
    "audit_auditevent_no_update": """
CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE refused'); END
""",
    "audit_auditevent_no_delete": """
CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE refused'); END
""",
    "audit_audithead_advance_only": """
CREATE TRIGGER audit_audithead_advance_only BEFORE UPDATE ON audit_audithead
WHEN NOT (NEW.id = OLD.id AND NEW.seq = OLD.seq + 1)
BEGIN SELECT RAISE(ABORT, 'the audit head only advances: UPDATE refused'); END
""",
    "audit_audithead_no_delete": """
CREATE TRIGGER audit_audithead_no_delete BEFORE DELETE ON audit_audithead
BEGIN SELECT RAISE(ABORT, 'the audit head only advances: DELETE refused'); END
""",
}
_SQLITE_UNGUARDS = [f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS]
_SQLITE_GUARDS = [*_SQLITE_UNGUARDS, *_SQLITE_TRIGGERS.values()]


def guards(vendor: str) -> list[str]:
    """Statements that (re)create every guard on the audit tables."""
    return {"postgresql": _POSTGRES_GUARDS, "sqlite": _SQLITE_GUARDS}.get(vendor, [])


def unguards(vendor: str) -> list[str]:
    """Statements that drop every guard (the reverse migration; tests that play an attacker)."""
    return {"postgresql": _POSTGRES_UNGUARDS, "sqlite": _SQLITE_UNGUARDS}.get(vendor, [])

_EXPECTED = {
    "postgresql": {
        "audit_auditevent_append_only",
        "audit_auditevent_no_truncate",
        "audit_audithead_advance_only",
        "audit_audithead_no_truncate",
    },
    "sqlite": set(_SQLITE_TRIGGERS),
}


def missing_guards(connection) -> list[str]:
    """The guards that are not in place (dropped, or disabled on PostgreSQL), by name."""
    vendor = connection.vendor
    if vendor not in _EXPECTED:
        return []
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
                "AND tgrelid IN ('audit_auditevent'::regclass, 'audit_audithead'::regclass)"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('audit_auditevent', 'audit_audithead')"
            )
        present = {name for (name,) in cursor.fetchall()}
    return sorted(_EXPECTED[vendor] - present)
