"""Managers get the permissions of the new focal points and officer history (see accounts/roles.py)."""

from django.db import migrations

from accounts.roles import sync_role_groups


def grant(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0006_officer_history"),
        ("accounts", "0005_celery_beat_for_superusers_only"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
