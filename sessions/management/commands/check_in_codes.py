"""``python manage.py check_in_codes --session ID [--out DIR]``

Lists the personal check-in codes of a session's confirmed seats and, with ``--out``, saves each as a
PNG (``<registration id>.png``), plus the self check-in link's code (``self-check-in.png``) when the
session has self check-in on: images to print as badges or to scan from another device's screen.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sessions import checkin_codes, selectors
from sessions.check_in_views import self_check_in_url
from sessions.models import TrainingSession
from trainingops import qr


class Command(BaseCommand):
    help = "List (and save as PNG images) the personal check-in codes of a session's confirmed seats."

    def add_arguments(self, parser):
        parser.add_argument("--session", type=int, required=True, help="The training session's id.")
        parser.add_argument("--out", help="A folder to save the codes in as PNG images (made if missing).")

    def handle(self, *args, session, out, **options):
        training = TrainingSession.objects.filter(pk=session).first() if 0 < session < 2**63 else None
        if training is None:
            raise CommandError(f"No training session has the id {session}.")
        folder = Path(out) if out else None
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise CommandError(f"Cannot create {out}: {error.strerror}.") from error
        roster = selectors.check_in_roster(training)
        self.stdout.write(f"{training.title}: {len(roster)} confirmed seats.")
        for registration in roster:
            code = checkin_codes.sign_code(registration=registration)
            self.stdout.write(f"  {registration.pk}\t{registration.person_name}\t{code}")
            if folder is not None:
                self._save(folder / f"{registration.pk}.png", code)
        if training.self_check_in:
            link = self_check_in_url(training)
            self.stdout.write(f"Self check-in link: {link}")
            if folder is not None:
                self._save(folder / "self-check-in.png", link)
        if folder is not None:
            self.stdout.write(f"Images saved in {folder}.")

    def _save(self, path: Path, text: str) -> None:
        try:
            path.write_bytes(qr.qr_png(text))
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from error
