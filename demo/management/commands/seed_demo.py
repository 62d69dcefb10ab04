"""``python manage.py seed_demo``: load the demo data set (idempotent) and print the demo logins."""

from django.conf import settings
from django.core.management.base import BaseCommand

from demo.program import DEMO_PASSWORD, demo_logins
from demo.seed import seed_demo


class Command(BaseCommand):
    help = "Create the demo data set (agencies, trainers, last year's sessions, upcoming sessions). Idempotent."

    def handle(self, *args, **options):
        report = seed_demo()
        summary = ", ".join(f"{count} {label}" for label, count in report.created.items() if count)
        self.stdout.write(f"Demo data created: {summary}." if summary else "Demo data already present: nothing added.")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {DEMO_PASSWORD}):"))
        for role, email, path in demo_logins():
            self.stdout.write(f"  {role:<8} {email:<32} {settings.SITE_URL}{path}")
