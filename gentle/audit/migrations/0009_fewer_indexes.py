"""Drop the audit log's indexes that no page reads (issue 20).

Every audited request writes a row, and every index is one more page written with it: under
load on SQLite each audited opening wrote about 66 KB, most of it the pages of the table's
eleven indexes. The single-column indexes on the time, the person, the clinic, the client and
the action, and the one on the client and time, are left out; the composite indexes of
0006-0008 answer every query.

Only the state is altered for the fields: on SQLite Django would remake the whole table to drop a
field's index, which would copy the log and drop its append-only triggers. The indexes are found
by their columns, so that a database whose indexes were named otherwise is handled too
(PostgreSQL also has a second, pattern index for the action)."""

from django.db import migrations, models

TABLE = "audit_auditevent"
COLUMNS = ("at", "actor_id", "clinic_id", "client_id", "action")


def drop_single_column_indexes(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    quote = schema_editor.quote_name
    for name, info in sorted(constraints.items()):
        single = info["columns"] is not None and len(info["columns"]) == 1
        if (
            single
            and info["columns"][0] in COLUMNS
            and info["index"]
            and not (info["unique"] or info["primary_key"])
        ):
            schema_editor.execute(f"DROP INDEX {quote(name)}")


def create_single_column_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX {quote(f'{TABLE}_{column}_idx')} ON {quote(TABLE)} ({quote(column)})"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0008_audit_log_by_person"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="auditevent", name="audit_client_time"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="at",
                    field=models.DateTimeField(verbose_name="time (UTC)"),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="actor_id",
                    field=models.BigIntegerField(blank=True, null=True),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="clinic_id",
                    field=models.BigIntegerField(blank=True, null=True),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="client_id",
                    field=models.BigIntegerField(blank=True, null=True),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="action",
                    field=models.CharField(max_length=50, verbose_name="action"),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_single_column_indexes, create_single_column_indexes),
            ],
        ),
    ]
