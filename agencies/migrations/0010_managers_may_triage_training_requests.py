"""Managers get the permissions of the new training requests (see accounts/roles.py)."""

from django.db import migrations

from accounts.roles import sync_role_groups


def grant(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0009_training_requests"),
        ("accounts", "0005_celery_beat_for_superusers_only"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
