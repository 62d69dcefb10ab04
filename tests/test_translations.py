"""The Spanish and French catalogues are complete, and every email kind is sent translated."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from messaging.services import render_message
from sessions.notifications import _context
from tests.factories import RegistrationFactory

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
CATALOGUES = [LOCALE_DIR / language / "LC_MESSAGES" / "django.po" for language in ("es", "fr")]
EMAIL_KINDS = sorted(
    path.name.removesuffix(".subject.txt")
    for path in (Path(settings.BASE_DIR) / "templates" / "emails").glob("*.subject.txt")
)


def _po_string(lines: list[str], keyword: str) -> str | None:
    """The value of ``keyword`` (e.g. msgid, msgstr[0]) in one entry, continuation lines joined."""
    value, inside = None, False
    for line in lines:
        if line.startswith(keyword + " "):
            value, inside = line[len(keyword) + 1 :].strip()[1:-1], True
        elif inside and line.startswith('"'):
            value += line.strip()[1:-1]
        else:
            inside = False
    return value


def incomplete_entries(po_path: Path) -> list[str]:
    """The msgids of a .po file that are fuzzy or have an empty translation (the header aside)."""
    problems = []
    for block in po_path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        msgid = _po_string(lines, "msgid")
        if not msgid:  # the header, or an obsolete or empty block
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        keywords = sorted({match for line in lines for match in re.findall(r"^msgstr(?:\[\d+\])?", line)})
        empty = not keywords or any(not _po_string(lines, keyword) for keyword in keywords)
        if fuzzy or empty:
            problems.append(msgid)
    return problems


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda path: path.parts[-3])
def test_catalogue_has_no_untranslated_or_fuzzy_entry(po_path):
    assert incomplete_entries(po_path) == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda path: path.parts[-3])
def test_catalogue_placeholders_match_msgfmt_check_format(po_path):
    result = subprocess.run(  # noqa: S603 - fixed command on a file of the repository
        ["msgfmt", "--check-format", "-o", "/dev/null", str(po_path)],  # noqa: S607 - msgfmt from PATH, as compilemessages does
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")


def test_incomplete_entries_finds_fuzzy_and_empty_translations(tmp_path):
    po_path = tmp_path / "django.po"
    po_path.write_text(
        'msgid ""\nmsgstr ""\n"Language: es\\n"\n\n'
        'msgid "Done"\nmsgstr "Hecho"\n\n'
        '#, fuzzy\nmsgid "Sessions held"\nmsgstr "Sesiones"\n\n'
        'msgid "Empty"\nmsgstr ""\n\n'
        'msgid "%(n)s seat"\nmsgid_plural "%(n)s seats"\nmsgstr[0] "%(n)s plaza"\nmsgstr[1] ""\n\n'
        '#~ msgid "Old"\n#~ msgstr ""\n',
        encoding="utf-8",
    )

    assert incomplete_entries(po_path) == ["Sessions held", "Empty", "%(n)s seat"]


@pytest.fixture
def email_context(db):
    registration = RegistrationFactory(session__title="Tracing stablecoins")
    officer = registration.officer
    return _context(registration, confirmed=True) | {
        "changed_fields": ["starts_at", "venue", "meeting_url"],
        "offset_hours": 24,
        "offset_days": 1,
        "survey_url": "https://training.example.org/surveys/token/",
        "rsvp_url": "https://training.example.org/invitations/token/",
        "registration_closes_at": registration.session.effective_registration_closes_at,
        "officer": officer,
        "agency": officer.agency,
        "reason": "",
        "sessions_url": "/sessions/",
        "profile_url": "/profile/",
    }


def test_email_kinds_cover_the_messages_we_send():
    assert EMAIL_KINDS == [
        "agency_reconfirmation",
        "agency_reconfirmation_expired",
        "agency_reconfirmation_reminder",
        "invitation",
        "nomination_pending",
        "nomination_rejected",
        "officer_rejected",
        "officer_verified",
        "registration_cancelled",
        "registration_confirmed",
        "registration_promoted",
        "registration_waitlisted",
        "session_cancelled",
        "session_reminder",
        "session_updated",
        "survey_invitation",
        "survey_reminder",
        "training_request_accepted",
        "training_request_declined",
        "training_request_delivered",
        "training_request_reopened",
        "training_request_scheduled",
        "training_request_submitted",
        "training_request_under_review",
        "training_request_withdrawn",
    ]


@pytest.mark.parametrize("kind", EMAIL_KINDS)
def test_email_subject_translated_in_spanish_and_french(kind, email_context):
    subjects = {
        language: render_message(kind=kind, language=language, context=email_context)[0]
        for language in ("en", "es", "fr")
    }

    assert len(set(subjects.values())) == 3, subjects
