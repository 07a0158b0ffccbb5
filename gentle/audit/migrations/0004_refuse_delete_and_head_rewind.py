"""Refuse DELETE of audit rows on SQLite too (and TRUNCATE on PostgreSQL), and let the head only
advance, one step at a time. On SQLite this also recreates the UPDATE trigger, which 0003's
table rebuild dropped."""

from django.db import migrations

from gentle.audit.migrations._append_only import CREATE, SQLITE_CREATE, guards, unguards


def create(apps, schema_editor):
    for statement in guards(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in unguards(vendor):
        schema_editor.execute(statement, params=None)
    # Back to 0002's guards.
    if vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_keyed_hash_and_visitor_pseudonym")]

    operations = [migrations.RunPython(create, drop)]
