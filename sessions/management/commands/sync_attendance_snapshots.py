"""``python manage.py sync_attendance_snapshots [--check]``

Every attendance record carries a copy of its registration's session, officer key, agency and
country, which the yearly report counts from. The services keep the copies equal; this command
verifies it and repairs any copy that differs (``--check`` only reports, and exits with status 1
when a copy differs, for monitoring or a deployment step).
"""

from django.core.management.base import BaseCommand, CommandError

from sessions.models import Attendance
from sessions.selectors import stale_attendance_snapshots
from sessions.services import repair_attendance_snapshots


class Command(BaseCommand):
    help = "Verify (and repair) the copy of each registration's snapshot that its attendance carries for the reports."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Only report differences; exit with status 1 if any.")

    def handle(self, *args, check, **options):
        stale = stale_attendance_snapshots().count()
        total = Attendance.objects.count()
        if not stale:
            self.stdout.write(f"All {total} attendance records agree with their registrations.")
            return
        if check:
            raise CommandError(f"{stale} of {total} attendance records differ from their registrations.")
        repaired = repair_attendance_snapshots()
        self.stdout.write(self.style.SUCCESS(f"Repaired {repaired} of {total} attendance records."))
