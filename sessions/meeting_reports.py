"""Reading a meeting platform's participant report: Zoom, Microsoft Teams or Webex (pure functions, no database).

``parse_meeting_report(data)`` takes the uploaded bytes and returns the platform and one
``Participant`` per person (rejoins summed), or raises ``MeetingReportError`` naming what was
expected. Real exports are messy, and each quirk is handled here:

- Teams writes UTF-16 with tabs, and a summary block ("1. Summary") before the participant rows;
- Zoom puts a meeting header block (Meeting ID, Topic…) above the participants when
  "show unique users" is off, and lists a person once per join;
- times come in the organiser's locale (``12/01/2026 09:02:13 AM``, ``01.12.2026 09:02``, ISO);
- durations are minutes (``62``) or hours, minutes and seconds (``1h 2m 3s``, ``01:02:03``).
"""

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext_lazy as _

MAX_REPORT_BYTES = 2 * 1024 * 1024  # a report of 1,000 participants is about 150 kB

ZOOM, TEAMS, WEBEX = "zoom", "teams", "webex"
PLATFORM_NAMES = {ZOOM: "Zoom", TEAMS: "Microsoft Teams", WEBEX: "Webex"}

EXPECTED = _(
    "Upload the participant report exported from Zoom (columns Name (Original Name), User Email, "
    "Duration (Minutes)), Microsoft Teams (Name, Email, In-Meeting Duration) or Webex "
    "(Name, Email, Attendance Duration)."
)


class MeetingReportError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class Participant:
    name: str
    email: str
    seconds: int
    joins: int = 1
    other_names: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Who this is in the report: the email, else the folded name (how rejoins are summed)."""
        return self.email or f"name:{fold_name(self.name)}"

    @property
    def minutes(self) -> int:
        return round(self.seconds / 60)


@dataclass
class MeetingReport:
    platform: str
    participants: list[Participant]

    @property
    def platform_name(self) -> str:
        return PLATFORM_NAMES[self.platform]


def fold_name(name: str) -> str:
    """A name without accents, case or extra spaces: "  José  PÉREZ" and "jose perez" are the same."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(char for char in decomposed if not unicodedata.combining(char)).split())


# Each platform's participant header: (name columns, email columns, duration columns, join, leave).
_COLUMNS = {
    TEAMS: {
        "name": ("name", "full name"),
        "email": ("email",),
        "duration": ("in-meeting duration", "in meeting duration"),
        "join": ("first join", "join time"),
        "leave": ("last leave", "leave time"),
    },
    ZOOM: {
        "name": ("name (original name)", "name (original name)", "name"),
        "email": ("user email",),
        "duration": ("duration (minutes)", "total duration (minutes)"),
        "join": ("join time",),
        "leave": ("leave time",),
    },
    WEBEX: {
        "name": ("attendee name", "participant name", "name"),
        "email": ("attendee email", "email"),
        "duration": ("attendance duration", "attendance duration (minutes)", "duration (minutes)"),
        "join": ("join time",),
        "leave": ("leave time",),
    },
}
_REQUIRED = ("name", "duration")

_BINARY_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")

_TIME_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%y, %I:%M:%S %p",
    "%m/%d/%y %I:%M:%S %p",
    "%m/%d/%Y, %I:%M:%S %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)

_HMS = re.compile(
    r"^(?:(?P<h>\d+)\s*h(?:ours?|rs?)?)?\s*(?:(?P<m>\d+)\s*m(?:in(?:ute)?s?)?)?\s*(?:(?P<s>\d+)\s*s(?:ec(?:ond)?s?)?)?$"
)


def decode_report(data: bytes) -> str:
    """The report's text: UTF-16 (Teams), UTF-8 with or without BOM, or Windows-1252; binary refused."""
    if not data.strip():
        raise MeetingReportError(_("The file is empty. %(expected)s") % {"expected": EXPECTED})
    if len(data) > MAX_REPORT_BYTES:
        raise MeetingReportError(
            _("The file is larger than %(size)d MB, far more than a participant report. %(expected)s")
            % {"size": MAX_REPORT_BYTES // (1024 * 1024), "expected": EXPECTED}
        )
    if data.startswith(_BINARY_SIGNATURES):
        raise MeetingReportError(
            _("This is a spreadsheet or another binary file, not a participant report in CSV. %(expected)s")
            % {"expected": EXPECTED}
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif data[:200].count(b"\x00") > 20:  # UTF-16 without its byte order mark
        encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = ""
    if not text or "\x00" in text or sum(not char.isprintable() and char not in "\r\n\t" for char in text[:4096]) > 8:
        raise MeetingReportError(
            _("This is a spreadsheet or another binary file, not a participant report in CSV. %(expected)s")
            % {"expected": EXPECTED}
        )
    return text.lstrip("\ufeff")


def _split(line: str) -> list[str]:
    delimiter = "\t" if "\t" in line else (";" if line.count(";") > line.count(",") else ",")
    return [cell.strip().strip("\ufeff").strip() for cell in next(csv.reader([line], delimiter=delimiter), [])]


def _header(cells: list[str]) -> tuple[str, dict[str, int]] | None:
    folded = [" ".join(cell.casefold().split()) for cell in cells]
    for platform, columns in _COLUMNS.items():
        found = {}
        for role, names in columns.items():
            index = next((folded.index(name) for name in names if name in folded), None)
            if index is not None:
                found[role] = index
        if all(role in found for role in _REQUIRED) and (platform != WEBEX or "email" in found):
            if platform == ZOOM and "email" not in found:
                continue
            return platform, found
    return None


def parse_duration(value: str) -> int | None:
    """Seconds in ``62`` / ``62.5`` (minutes), ``1h 2m 3s``, ``45 min``, ``01:02:03`` or ``62:03``; None if not one."""
    value = value.strip().casefold()
    if not value:
        return None
    if re.fullmatch(r"\d+(?:[.,]\d+)?", value):
        return round(float(value.replace(",", ".")) * 60)
    if re.fullmatch(r"\d+:\d{1,2}(?::\d{1,2})?", value):
        parts = [int(part) for part in value.split(":")]
        hours, minutes, seconds = parts if len(parts) == 3 else [0, *parts]
        return hours * 3600 + minutes * 60 + seconds
    match = _HMS.fullmatch(value)
    if match and any(match.groupdict().values()):
        return sum(int(match[unit] or 0) * size for unit, size in (("h", 3600), ("m", 60), ("s", 1)))
    return None


def parse_time(value: str) -> datetime | None:
    """A join or leave time in the organiser's locale or ISO, as written (naive); None if not one."""
    value = " ".join(value.split())
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        pass
    for form in _TIME_FORMATS:
        try:
            return datetime.strptime(value, form)  # noqa: DTZ007 (as written, in the organiser's zone)
        except ValueError:
            continue
    return None


def _cell(cells: list[str], columns: dict[str, int], role: str) -> str:
    index = columns.get(role)
    return cells[index] if index is not None and index < len(cells) else ""


def _split_zoom_name(name: str) -> tuple[str, list[str]]:
    """Zoom shows a renamed participant as "Current (Original)"; both can match a registration."""
    match = re.fullmatch(r"(.+?)\s*\(([^()]+)\)", name)
    if match:
        return match[1].strip(), [match[2].strip()]
    return name, []


def parse_meeting_report(data: bytes) -> MeetingReport:
    """The platform and participants of an uploaded report; ``MeetingReportError`` if it is not one."""
    text = decode_report(data)
    lines = text.splitlines()
    found = None
    number = 0
    for number, line in enumerate(lines):  # noqa: B007 (the header's line number is read after)
        if line.strip():
            found = _header(_split(line))
            if found:
                break
    if found is None:
        raise MeetingReportError(_("No participant list was found in this file. %(expected)s") % {"expected": EXPECTED})
    platform, columns = found
    people: dict[str, Participant] = {}
    for offset, line in enumerate(lines[number + 1 :], start=number + 2):
        cells = _split(line) if line.strip() else []
        if not any(cells):
            if people:
                break  # the end of the participant block (Teams' "3. In-Meeting Activities" follows)
            continue
        if len(cells) == 1 and re.match(r"^\d+\.\s", cells[0]):
            break  # the next numbered section of a Teams report
        name = " ".join(_cell(cells, columns, "name").split())
        email = _cell(cells, columns, "email").strip().lower()
        if not name and not email:
            continue
        raw = _cell(cells, columns, "duration")
        seconds = parse_duration(raw)
        if seconds is None:
            joined = parse_time(_cell(cells, columns, "join"))
            left = parse_time(_cell(cells, columns, "leave"))
            if joined is None or left is None or left < joined:
                raise MeetingReportError(
                    _(
                        "Line %(line)d: the duration “%(value)s” is neither minutes nor hours, minutes and "
                        "seconds, and the join and leave times cannot be read."
                    )
                    % {"line": offset, "value": raw}
                )
            seconds = int((left - joined).total_seconds())
        other_names: list[str] = []
        if platform == ZOOM:
            name, other_names = _split_zoom_name(name)
        participant = Participant(name=name or email, email=email, seconds=seconds, other_names=other_names)
        known = people.get(participant.key)
        if known is None:
            people[participant.key] = participant
        else:
            known.seconds += seconds
            known.joins += 1
            known.other_names.extend(other for other in other_names if other not in known.other_names)
    if not people:
        raise MeetingReportError(_("The report lists no participants. %(expected)s") % {"expected": EXPECTED})
    return MeetingReport(platform=platform, participants=list(people.values()))
