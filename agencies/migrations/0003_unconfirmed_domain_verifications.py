"""Officers verified by their email domain whose address was never confirmed go back to pending.

Until now a typed address on an agency's domain verified the officer at sign-up, before the
confirmation link was followed. Only a confirmed mailbox proves the affiliation: those officers
wait again (the confirmation verifies them at once). Verifications made by a manager stay.
"""

from django.db import migrations
from django.db.models import Exists, OuterRef


def send_unconfirmed_back_to_pending(apps, schema_editor):
    Officer = apps.get_model("agencies", "Officer")
    EmailAddress = apps.get_model("account", "EmailAddress")
    confirmed = EmailAddress.objects.filter(user=OuterRef("user"), email__iexact=OuterRef("user__email"), verified=True)
    Officer.objects.filter(verification_status="verified", verified_by__isnull=True).exclude(Exists(confirmed)).update(
        verification_status="pending", verified_at=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_load_countries"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(send_unconfirmed_back_to_pending, migrations.RunPython.noop)]
