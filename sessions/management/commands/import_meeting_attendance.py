"""``python manage.py import_meeting_attendance --session ID FILE [--day YYYY-MM-DD] [--dry-run] [--accept-name-matches]``

Reads a Zoom, Microsoft Teams or Webex participant report and records the session's attendance
from each person's time in the meeting (``services.import_meeting_attendance``), as made by this
command. Name matches are listed and saved only with ``--accept-name-matches``; unmatched
participants are listed (add them as walk-ins from the back office). ``--dry-run`` saves nothing.
For a session of several days, ``--day`` names the day of the meeting (in the session's zone).
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from sessions import services
from sessions.meeting_reports import MAX_REPORT_BYTES, MeetingReportError, parse_meeting_report
from sessions.models import SessionDay, TrainingSession
from sessions.services.meeting_attendance import BY_NAME


class Command(BaseCommand):
    help = "Record a virtual session's attendance from the meeting platform's participant report."

    def add_arguments(self, parser):
        parser.add_argument("--session", type=int, required=True, help="The training session's id.")
        parser.add_argument("file", help="The participant report (Zoom, Teams or Webex CSV).")
        parser.add_argument("--dry-run", action="store_true", help="Show what would be saved; save nothing.")
        parser.add_argument("--day", help="For a session of several days: the day of the meeting, YYYY-MM-DD.")
        parser.add_argument(
            "--accept-name-matches", action="store_true", help="Also save participants matched by name only."
        )

    def handle(self, *args, session, file, dry_run, accept_name_matches, day=None, **options):
        training = TrainingSession.objects.filter(pk=session).first()
        if training is None:
            raise CommandError(f"No training session has the id {session}.")
        session_day = _day(training, day) if day else None
        try:
            with open(file, "rb") as handle:
                data = handle.read(MAX_REPORT_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        try:
            report = parse_meeting_report(data)
            plan = services.plan_meeting_attendance(session=training, report=report, day=session_day)
        except (MeetingReportError, services.SessionError) as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(f"{report.platform_name} report: {len(report.participants)} participants.")
        for line in plan.matched:
            how = "by name, needs --accept-name-matches" if line.matched_by == BY_NAME else "by email"
            self.stdout.write(
                f"  {line.participant.name}: {line.participant.minutes} min, {line.status} ({how})"
                + ("" if line.changes else ", unchanged")
            )
        for line in plan.unmatched:
            self.stdout.write(f"  {line.participant.name}: {line.participant.minutes} min, not on the roll")
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
            return
        confirmed = {line.participant.key for line in plan.matched} if accept_name_matches else set()
        try:
            result = services.import_meeting_attendance(
                session=training, report=report, by=None, confirmed_names=confirmed, day=session_day
            )
        except services.AttendanceSheetRejected as rejected:
            reasons = "; ".join(str(error.message) for error in rejected.errors.values())
            raise CommandError(f"Nothing was saved: {reasons}") from rejected
        except services.SessionError as error:
            raise CommandError(f"Nothing was saved: {error.message}") from error
        self.stdout.write(self.style.SUCCESS(f"Saved {result.saved} attendance records; nothing else changed."))


def _day(session: TrainingSession, value: str) -> SessionDay:
    try:
        wanted = date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--day must be a date as YYYY-MM-DD, not {value!r}.") from error
    day = SessionDay.objects.filter(session=session, date=wanted).first()
    if day is None:
        raise CommandError(f"Session {session.pk} has no day on {wanted.isoformat()}.")
    day.session = session
    return day
