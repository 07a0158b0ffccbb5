"""Client names searched through an index (ADR 0031): the folded names in a column, filled for
the existing rows, and each engine's index on it. SQLite: an FTS5 table with the trigram
tokenizer over that column (external content: it stores only its index, and reads the text
from clients_client), kept by triggers. PostgreSQL: pg_trgm and a GIN trigram index."""

from django.db import migrations

import gentle.lib.search

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE clients_client_search USING fts5("
    "search_text, content='clients_client', content_rowid='id', "
    "tokenize='trigram case_sensitive 1')",
    "CREATE TRIGGER clients_client_search_insert AFTER INSERT ON clients_client BEGIN "
    "INSERT INTO clients_client_search(rowid, search_text) VALUES (new.id, new.search_text); "
    "END",
    "CREATE TRIGGER clients_client_search_delete AFTER DELETE ON clients_client BEGIN "
    "INSERT INTO clients_client_search(clients_client_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "END",
    "CREATE TRIGGER clients_client_search_update AFTER UPDATE OF search_text ON clients_client "
    "BEGIN "
    "INSERT INTO clients_client_search(clients_client_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO clients_client_search(rowid, search_text) VALUES (new.id, new.search_text); "
    "END",
    # The rows already there.
    "INSERT INTO clients_client_search(clients_client_search) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS clients_client_search_update",
    "DROP TRIGGER IF EXISTS clients_client_search_delete",
    "DROP TRIGGER IF EXISTS clients_client_search_insert",
    "DROP TABLE IF EXISTS clients_client_search",
]
# pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
POSTGRESQL_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX client_search_trgm ON clients_client USING gin (search_text gin_trgm_ops)",
]
POSTGRESQL_DROP = ["DROP INDEX IF EXISTS client_search_trgm"]


def fill(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    field = Client._meta.get_field("search_text")
    clients = Client.objects.using(schema_editor.connection.alias)
    batch = []
    for client in clients.order_by("pk").iterator(chunk_size=2000):
        client.search_text = field.value_for(client)
        batch.append(client)
        if len(batch) == 2000:
            clients.bulk_update(batch, ["search_text"])
            batch = []
    clients.bulk_update(batch, ["search_text"])


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0004_index_clinic_clients_by_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="search_text",
            field=gentle.lib.search.SearchTextField(
                sources=["given_name", "family_name", "preferred_name"]
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
