"""The sampled session's client, copied from its course (issue 20): the rows stored before it
get their client here, so the home narrows the sample to the supervised clients at once."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_clients(apps, schema_editor):
    SampledSession = apps.get_model("fidelity", "SampledSession")
    Session = apps.get_model("courses", "Session")
    SampledSession.objects.update(
        client_id=Subquery(
            Session.objects.filter(pk=OuterRef("session_id")).values("course__client_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0005_search_client_names"),
        ("fidelity", "0003_sampled_session_time"),
    ]

    operations = [
        migrations.AddField(
            model_name="sampledsession",
            name="client",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="clients.client",
            ),
        ),
        migrations.RunPython(copy_clients, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="sampledsession",
            name="client",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="clients.client",
            ),
        ),
    ]
