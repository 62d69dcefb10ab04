"""Managers no longer hold Celery beat's permissions: its schedules are for superusers only."""

from django.db import migrations

from accounts.roles import withdraw_superuser_only_permissions


def withdraw(apps, schema_editor):
    withdraw_superuser_only_permissions(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_first_privacy_notice"),
        ("training", "0009_managers_may_see_invitation_requests"),
    ]

    operations = [migrations.RunPython(withdraw, migrations.RunPython.noop)]
