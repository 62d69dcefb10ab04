"""Files made from the yearly report: CSV, XLSX and JSON of the figures, and the attendance-level CSV.

Every text cell goes through :func:`escape_cell`, so a value such as an agency called
``=HYPERLINK(...)`` opens in a spreadsheet as text, never as a formula.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from agencies.models import Agency, Country
from reports.learning import LEARNING_COLUMN_LABELS, LEARNING_COLUMNS
from reports.selectors import (
    BREAKDOWN_COLUMN_LABELS,
    BREAKDOWN_COLUMNS,
    BREAKDOWN_LABELS,
    FUNNEL_COLUMN_LABELS,
    FUNNEL_COLUMNS,
    ReportFilters,
    YearlyReport,
    counted_attendances,
    held_sessions,
    session_timezones,
    validate_year,
    without_jit,
)
from sessions.models import TrainingSession

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ATTENDANCE_COLUMNS = (
    "date",
    "session_id",
    "session",
    "format",
    "topics",
    "country",
    "country_name",
    "region",
    "agency",
    "attendance",
    "source",
)
IDENTITY_COLUMNS = ("officer_key", "officer_name", "officer_email")
_ROWS_PER_CHUNK = 500


def escape_cell(value):
    """Neutralise spreadsheet formulas: a text starting with = + - @ tab or CR gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _escaped(row: Iterable) -> list:
    return [escape_cell(value) for value in row]


# --- Figures ---------------------------------------------------------------------------------


def summary_table(report: YearlyReport) -> tuple[list[str], list[list]]:
    header = ["metric", "label", str(report.year), str(report.year - 1), "change"]
    rows = [[row.metric, row.label, row.value, row.previous, row.change] for row in report.summary_rows()]
    return header, rows


def breakdown_table(report: YearlyReport, by: str) -> tuple[list[str], list[list]]:
    header = ["key", "label", *BREAKDOWN_COLUMNS]
    rows = [
        [row.key, row.label, *(getattr(row, column) for column in BREAKDOWN_COLUMNS)] for row in report.breakdowns[by]
    ]
    return header, rows


FUNNEL_PART = "funnel"


def funnel_table(report: YearlyReport) -> tuple[list[str], list[list]]:
    """The training-request funnel: the total row, then one per region and per country (``scope``)."""
    header = ["scope", "key", "label", *FUNNEL_COLUMNS]
    rows = [
        [scope, row.key, row.label, *(getattr(row, column) for column in FUNNEL_COLUMNS)]
        for scope, row in report.funnel.rows()
    ]
    return header, rows


LEARNING_PART = "learning"


def learning_table(report: YearlyReport) -> tuple[list[str], list[list]]:
    """The learning gain per topic, then per trainer (``scope``), from ``reports.learning``."""
    header = ["scope", "key", "label", *LEARNING_COLUMNS]
    rows = [
        [row.scope, row.key, row.label, *(getattr(row, column) for column in LEARNING_COLUMNS)]
        for row in report.learning
    ]
    return header, rows


# Downloads start with a byte-order mark: without it Excel reads UTF-8 as the local code page
# and shows "PolicÃ­a" for "Policía". Text for a pipe (the command's standard output) has none.
CSV_BOM = "\ufeff"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def report_csv(report: YearlyReport, *, by: str | None = None) -> str:
    """The summary (``by`` empty), one breakdown, the training-request funnel (``by="funnel"``) or the
    learning gain per topic and trainer (``by="learning"``) as CSV text."""
    if by == FUNNEL_PART:
        header, rows = funnel_table(report)
    elif by == LEARNING_PART:
        header, rows = learning_table(report)
    else:
        header, rows = breakdown_table(report, by) if by else summary_table(report)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(_escaped(row) for row in rows)
    return buffer.getvalue()


def report_json(report: YearlyReport) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"


_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")


def _write_sheet(sheet, header: list[str], rows: list[list]) -> None:
    sheet.append(_escaped(header))
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        sheet.append(_escaped(row))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, title in enumerate(header, start=1):
        widest = max([len(str(title)), *(len(str(row[index - 1] or "")) for row in rows)])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(widest + 2, 10), 60)


def report_xlsx(report: YearlyReport) -> bytes:
    """A workbook with a "Summary" sheet, one sheet per computed breakdown, the training-request
    funnel ("Training requests") and the learning gain per topic and trainer, headers formatted."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Summary")[:31]
    header, rows = summary_table(report)
    header[:2] = [_("Metric"), _("Label")]
    header[4] = _("Change")
    _write_sheet(summary, header, rows)
    for by in report.breakdowns:
        sheet = workbook.create_sheet(str(BREAKDOWN_LABELS[by])[:31])
        header, rows = breakdown_table(report, by)
        header = [_("Key"), str(BREAKDOWN_LABELS[by]), *(str(BREAKDOWN_COLUMN_LABELS[c]) for c in BREAKDOWN_COLUMNS)]
        _write_sheet(sheet, header, rows)
    sheet = workbook.create_sheet(_("Training requests")[:31])
    header, rows = funnel_table(report)
    header = [_("Scope"), _("Key"), _("Label"), *(str(FUNNEL_COLUMN_LABELS[c]) for c in FUNNEL_COLUMNS)]
    _write_sheet(sheet, header, rows)
    sheet = workbook.create_sheet(_("Learning gain")[:31])
    header, rows = learning_table(report)
    header = [_("Scope"), _("Key"), _("Label"), *(str(LEARNING_COLUMN_LABELS[c]) for c in LEARNING_COLUMNS)]
    _write_sheet(sheet, header, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Attendance level ------------------------------------------------------------------------


def _session_details(sessions) -> dict[int, list]:
    """Per held session, escaped once: local start date, id, title, format and topic names.

    The title is the English one, as the topic names are: the rows are the same whichever language
    the export is requested in (page, API or command), so files can be compared line by line.
    """
    topics = defaultdict(list)
    links = TrainingSession.topics.through.objects.filter(trainingsession_id__in=sessions.values("pk"))
    for session_id, name in links.order_by("topic__name").values_list("trainingsession_id", "topic__name"):
        topics[session_id].append(name)
    details = {}
    for pk, starts_at, zone, title, session_format in sessions.values_list(
        "pk", "starts_at", "timezone", "title_en", "format"
    ):
        local_date = timezone.localtime(starts_at, zone).date().isoformat()
        details[pk] = _escaped([local_date, pk, title, session_format, "; ".join(topics[pk])])
    return details


def _place_details() -> tuple[dict[str, list], dict[int, str]]:
    """Escaped country (code, name, region) and agency names, looked up per row instead of joined."""
    countries = {
        code: _escaped([code, name, region])
        for code, name, region in Country.objects.values_list("code", "name", "region")
    }
    agencies = {pk: escape_cell(name) for pk, name in Agency.objects.values_list("pk", "name")}
    return countries, agencies


def attendance_rows(
    *,
    year: int,
    filters: ReportFilters | None = None,
    include_identity: bool = False,
    now: datetime | None = None,
    chunk_size: int = 5000,
) -> Iterator[list]:
    """The header, then one row per counted attendance of the year, read from a database cursor in chunks.

    Rows come out already escaped against formulas. Only the year's sessions and the country and
    agency names are held in memory; attendance rows stream through. Officer identity columns are
    added only when ``include_identity`` is asked for.
    """
    year = validate_year(year)
    filters = filters or ReportFilters()
    zones = session_timezones(first_year=year, last_year=year)
    sessions = held_sessions(year=year, filters=filters, zones=zones, now=now or timezone.now())
    details = _session_details(sessions)
    countries, agencies = _place_details()
    # Session, country, agency and officer key are the attendance's copies of its registration's
    # (see Attendance); the officer key comes as text, not as a UUID object to format again.
    fields = ["session_id", "country_id", "agency_id", "status", "registration__source"]
    if include_identity:
        fields += [Cast("officer_key", CharField()), "registration__officer__user__first_name"]
        fields += ["registration__officer__user__last_name", "registration__officer__user__email"]
    yield list(ATTENDANCE_COLUMNS + (IDENTITY_COLUMNS if include_identity else ()))
    records = (
        counted_attendances(sessions=sessions, filters=filters)
        .order_by("session__starts_at", "session_id", "pk")
        .values_list(*fields)
    )
    with without_jit():
        for session_id, country, agency, status, source, *identity in records.iterator(chunk_size=chunk_size):
            row = [*details[session_id], *countries[country], agencies[agency], status, source]
            if identity:
                key, first_name, last_name, email = identity
                row += [key, *_escaped([f"{first_name or ''} {last_name or ''}".strip(), email or ""])]
            yield row


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def stream_csv(rows: Iterable[list]) -> Iterator[str]:
    """CSV text in chunks of a few hundred rows, for a StreamingHttpResponse or a file.

    The rows must be escaped already (:func:`attendance_rows` escapes each value once).
    """
    writer = csv.writer(_Echo())
    chunk = []
    for row in rows:
        chunk.append(writer.writerow(row))
        if len(chunk) >= _ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)
