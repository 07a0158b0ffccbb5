"""SQL for the append-only triggers, shared by the migration and the tests."""

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

# SQLite: refuse UPDATE. DELETE stays possible there because Django's test flush deletes rows;
# the hash chain still reveals a deleted row.
SQLITE_CREATE = """
CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE refused'); END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS audit_auditevent_no_update;"

DROP = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS gentle_audit_append_only();
"""
