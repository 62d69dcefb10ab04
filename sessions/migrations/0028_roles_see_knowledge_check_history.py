"""Trainers may read the history of questions and tests; managers all of it (see accounts/roles.py)."""

from django.db import migrations

from accounts.roles import sync_role_groups


def grant(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0027_knowledge_check_history"),
        ("accounts", "0002_roles_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
