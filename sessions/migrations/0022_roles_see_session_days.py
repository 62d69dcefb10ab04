"""Managers and trainers get the permissions of session days and day attendance (see accounts/roles.py)."""

from django.db import migrations

from accounts.roles import sync_role_groups


def grant(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0021_session_days_and_day_attendance"),
        ("accounts", "0002_roles_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
