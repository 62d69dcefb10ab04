"""Reading Zoom, Teams and Webex participant reports, with the quirks of real exports, and refusing other files."""

from pathlib import Path

import pytest

from sessions.meeting_reports import (
    MAX_REPORT_BYTES,
    MeetingReportError,
    fold_name,
    parse_duration,
    parse_meeting_report,
    parse_time,
)

SAMPLES = Path(__file__).parent.parent / "data" / "meeting_reports"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def people(report):
    return [(p.name, p.email, p.minutes, p.joins) for p in report.participants]


def test_zoom_report_skips_the_meeting_header_and_sums_rejoins():
    report = parse_meeting_report(sample("zoom_participants.csv"))

    assert report.platform_name == "Zoom"
    assert people(report) == [
        ("María José Pérez", "maria.perez@policia.example", 111, 2),
        ("Jean Dupont", "jean.dupont@gendarmerie.example", 20, 1),
        ("Zoë LEFÈVRE", "", 45, 1),
        ("Ana Gómez", "ana.gomez@pnp.example", 100, 1),
        ("iPad de Sala 3", "", 10, 1),
    ]
    assert report.participants[2].other_names == ["Zoe Lefevre"]


def test_teams_report_is_read_from_utf16_tabs_after_its_summary_and_before_its_activities():
    data = sample("teams_attendance.csv")
    assert data.startswith(b"\xff\xfe")

    report = parse_meeting_report(data)

    assert report.platform_name == "Microsoft Teams"
    assert people(report) == [
        ("María José Pérez", "maria.perez@policia.example", 111, 1),
        ("Jean Dupont", "jean.dupont@gendarmerie.example", 20, 1),
        ("Zoë Lefèvre", "", 45, 1),
        ("Ana Gómez", "ana.gomez@pnp.example", 100, 1),
        ("Formateur Principal", "host@trainingops.example", 126, 1),
    ]


def test_webex_report_with_bom_iso_times_and_mixed_durations_sums_rejoins():
    report = parse_meeting_report(sample("webex_attendees.csv"))

    assert report.platform_name == "Webex"
    assert people(report) == [
        ("María José Pérez", "maria.perez@policia.example", 111, 2),
        ("Jean Dupont", "jean.dupont@gendarmerie.example", 20, 1),
        ("Zoë Lefèvre", "", 45, 1),
        ("Ana Gómez", "ana.gomez@pnp.example", 100, 1),
    ]


def test_semicolon_report_in_european_locale_takes_the_time_from_join_and_leave_when_no_duration():
    data = (
        "Name (Original Name);User Email;Join Time;Leave Time;Duration (Minutes)\r\n"
        "Émile Zola;emile@example.org;01.12.2026 09:02;01.12.2026 10:32;\r\n"
    ).encode("cp1252")

    report = parse_meeting_report(data)

    assert people(report) == [("Émile Zola", "emile@example.org", 90, 1)]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("62", 3720),
        ("62.5", 3750),
        ("1h 2m 3s", 3723),
        ("45m 0s", 2700),
        ("48 mins", 2880),
        ("1:03:00", 3780),
        ("", None),
        ("soon", None),
    ],
)
def test_durations(value, seconds):
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(
    "value", ["12/01/2026 09:02:13 AM", "01.12.2026 09:02:13", "2026-12-01T09:02:13", "12/1/26, 9:02:13 AM"]
)
def test_times_in_the_organisers_locale(value):
    assert parse_time(value).strftime("%Y-%m-%d %H:%M") == "2026-12-01 09:02"


def test_names_fold_accents_case_and_spaces():
    assert fold_name("  Zoë   LEFÈVRE ") == fold_name("zoe lefevre") == "zoe lefevre"


EXPECTED = (
    "Upload the participant report exported from Zoom (columns Name (Original Name), User Email, "
    "Duration (Minutes)), Microsoft Teams (Name, Email, In-Meeting Duration) or Webex "
    "(Name, Email, Attendance Duration)."
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty. " + EXPECTED),
        (b"  \r\n", "The file is empty. " + EXPECTED),
        (
            b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100,
            "This is a spreadsheet or another binary file, not a participant report in CSV. " + EXPECTED,
        ),
        (
            bytes(range(256)) * 4,
            "This is a spreadsheet or another binary file, not a participant report in CSV. " + EXPECTED,
        ),
        (b"First name,Last name,Phone\r\nAna,Gomez,123\r\n", "No participant list was found in this file. " + EXPECTED),
        (
            b"Name (Original Name),User Email,Duration (Minutes)\r\n\r\n",
            "The report lists no participants. " + EXPECTED,
        ),
        (
            b"Name (Original Name),User Email,Duration (Minutes)\r\nAna,ana@example.org,a while\r\n",
            "Line 2: the duration \u201ca while\u201d is neither minutes nor hours, minutes and seconds, "
            "and the join and leave times cannot be read.",
        ),
    ],
)
def test_files_that_are_not_participant_reports_are_refused_naming_what_was_expected(data, message):
    with pytest.raises(MeetingReportError) as refused:
        parse_meeting_report(data)

    assert str(refused.value.message) == message


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    with pytest.raises(MeetingReportError) as refused:
        parse_meeting_report(b"noise," * (MAX_REPORT_BYTES // 6 + 1))

    assert str(refused.value.message) == "The file is larger than 2 MB, far more than a participant report. " + EXPECTED
