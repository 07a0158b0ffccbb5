"""The sampled session's time, copied from the session (issue 20): the rows stored before it
get their session's time here, so the home lists them before the worker's next run."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_times(apps, schema_editor):
    SampledSession = apps.get_model("fidelity", "SampledSession")
    Session = apps.get_model("courses", "Session")
    SampledSession.objects.update(
        starts_at=Subquery(Session.objects.filter(pk=OuterRef("session_id")).values("starts_at")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("fidelity", "0002_sampled_session"),
    ]

    operations = [
        migrations.AddField(
            model_name="sampledsession",
            name="starts_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(copy_times, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="sampledsession",
            name="starts_at",
            field=models.DateTimeField(),
        ),
        migrations.AddIndex(
            model_name="sampledsession",
            index=models.Index(fields=["clinic", "starts_at"], name="sampled_clinic_time"),
        ),
    ]
