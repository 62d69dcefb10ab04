"""The copied snapshot columns of Attendance become required, and get the report's covering index."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_load_countries"),
        ("training", "0003_attendance_snapshot_copy"),
    ]

    operations = [
        migrations.AlterField(
            model_name="attendance",
            name="session",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="training.trainingsession",
            ),
        ),
        migrations.AlterField(
            model_name="attendance",
            name="officer_key",
            field=models.UUIDField(editable=False),
        ),
        migrations.AlterField(
            model_name="attendance",
            name="agency",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="agencies.agency",
            ),
        ),
        migrations.AlterField(
            model_name="attendance",
            name="country",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="agencies.country",
            ),
        ),
        migrations.AddIndex(
            model_name="attendance",
            index=models.Index(
                fields=["session", "status"],
                include=("officer_key", "agency", "country"),
                name="attendance_session_report",
            ),
        ),
    ]
