"""Groups "Managers" and "Trainers" with their permissions (see accounts/roles.py)."""

from django.db import migrations

from accounts.roles import sync_role_groups


def create_role_groups(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("agencies", "0002_load_countries"),
        ("training", "0002_portal_certificate"),
        ("messaging", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
