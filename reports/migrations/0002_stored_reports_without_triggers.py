"""Stored reports are served as of their computation and refreshed by Celery: the data revision,
its triggers and the code digest go."""

from django.db import migrations, models
from django.utils import timezone


def drop_revision_triggers(apps, schema_editor):
    """Remove the triggers that kept the data revision (installed by earlier code after each migrate)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # CASCADE drops every trigger that calls them.
            cursor.execute("DROP FUNCTION IF EXISTS reports_note_change() CASCADE")
            cursor.execute("DROP FUNCTION IF EXISTS reports_count_change() CASCADE")
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'reports_note_change_%'")
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER IF EXISTS {connection.ops.quote_name(name)}")


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0001_stored_reports"),
    ]

    operations = [
        migrations.RunPython(drop_revision_triggers, migrations.RunPython.noop),
        migrations.DeleteModel(name="DataRevision"),
        migrations.DeleteModel(name="PendingChange"),
        # Figures computed by the earlier code are recomputed by the first refresh.
        migrations.RunSQL("DELETE FROM reports_storedreport", migrations.RunSQL.noop),
        migrations.RemoveField(model_name="storedreport", name="revision"),
        migrations.RemoveField(model_name="storedreport", name="computed_by"),
        migrations.RemoveField(model_name="storedreport", name="valid_after"),
        migrations.RemoveField(model_name="storedreport", name="valid_until"),
        migrations.AlterField(
            model_name="storedreport",
            name="computed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="computed at"),
        ),
        migrations.AlterField(
            model_name="storedreport",
            name="data",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="storedreport",
            name="viewed_at",
            field=models.DateTimeField(default=timezone.now, verbose_name="viewed at"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="storedreport",
            name="fingerprint",
            field=models.CharField(blank=True, max_length=100, verbose_name="data fingerprint"),
        ),
        migrations.CreateModel(
            name="RefreshRequest",
            fields=[
                ("year", models.PositiveSmallIntegerField(primary_key=True, serialize=False, verbose_name="year")),
                ("requested_at", models.DateTimeField(verbose_name="requested at")),
            ],
            options={
                "verbose_name": "report refresh request",
            },
        ),
    ]
