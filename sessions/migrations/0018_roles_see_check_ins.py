"""Managers get every permission of check-ins, trainers may view them (see accounts/roles.py)."""

from django.db import migrations

from accounts.roles import sync_role_groups


def grant(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0017_check_ins_and_self_check_in"),
        ("accounts", "0002_roles_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
