"""Attendance carries a copy of its registration's session and snapshot (officer key, agency,
country) so that the yearly report reads counted attendance from one index.

The columns are added as nullable and filled from the registrations here; the next migration makes
them NOT NULL (in its own transaction: PostgreSQL refuses to alter a table with pending deferred
foreign-key checks from the update).
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

SNAPSHOT_FIELDS = ("session_id", "officer_key", "agency_id", "country_id")


def copy_registration_snapshots(apps, schema_editor):
    Attendance = apps.get_model("training", "Attendance")
    Registration = apps.get_model("training", "Registration")
    registration = Registration.objects.filter(pk=OuterRef("registration_id"))
    Attendance.objects.update(**{name: Subquery(registration.values(name)[:1]) for name in SNAPSHOT_FIELDS})


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_load_countries"),
        ("training", "0002_portal_certificate"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendance",
            name="session",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="training.trainingsession",
            ),
        ),
        migrations.AddField(
            model_name="attendance",
            name="officer_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="attendance",
            name="agency",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="agencies.agency",
            ),
        ),
        migrations.AddField(
            model_name="attendance",
            name="country",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="agencies.country",
            ),
        ),
        migrations.RunPython(copy_registration_snapshots, migrations.RunPython.noop, elidable=True),
    ]
