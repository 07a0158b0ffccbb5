from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The database cache (rate limits) needs its table; `migrate` is the one set-up step.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("gentle", "0001_scheduled_runs")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
