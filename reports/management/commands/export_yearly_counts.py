"""python manage.py export_yearly_counts --year 2024 [--by country] [--format csv|xlsx|json] [--output FILE]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports import exports
from reports.selectors import (
    BREAKDOWNS,
    ReportError,
    validate_breakdown,
    validate_filters,
    validate_year,
    yearly_report,
)
from reports.store import served_report

FORMATS = ("csv", "xlsx", "json")


class Command(BaseCommand):
    help = (
        "Export the managers' yearly counts (the same stored figures as the report page and the API; "
        "the JSON says when they were computed). "
        "CSV: the summary, or one breakdown (or the training-request funnel) with --by. JSON and XLSX: the "
        "summary, the funnel and every breakdown, or only the one given with --by."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="Calendar year, e.g. 2024.")
        parser.add_argument(
            "--by",
            default="",
            help=f"One breakdown: {', '.join(BREAKDOWNS)}; or funnel (the training requests); or learning "
            "(the learning gain per topic and trainer).",
        )
        parser.add_argument("--format", default="csv", dest="output_format", help="csv (default), xlsx or json.")
        parser.add_argument("--output", default="", help="File to write; standard output when omitted (not for xlsx).")
        parser.add_argument("--region", default="", help="Only officers from this M49 region, e.g. Americas.")
        parser.add_argument(
            "--session-format", default="", help="Only sessions of this format: virtual, in_person, hybrid."
        )
        parser.add_argument("--topic", default="", help="Only sessions with this topic (slug).")

    def handle(self, *args, year, by, output_format, output, region, session_format, topic, **options):
        if output_format not in FORMATS:
            raise CommandError(f"Unknown format {output_format!r}: choose one of {', '.join(FORMATS)}.")
        if output_format == "xlsx" and not output:
            raise CommandError("XLSX is a binary file: give --output FILE.")
        try:
            year = validate_year(year)
            sections = (exports.FUNNEL_PART, exports.LEARNING_PART)
            breakdowns = (validate_breakdown(by),) if by and by not in sections else BREAKDOWNS
            if by in sections:
                breakdowns = ()
            filters = validate_filters(region=region, format=session_format, topic=topic)
            if output_format == "csv" and not by:
                breakdowns = ()
            # The figures the page and the API show; computed here when none are stored yet.
            report = served_report(year=year, filters=filters, breakdowns=breakdowns) or yearly_report(
                year=year, filters=filters, breakdowns=breakdowns
            )
        except ReportError as error:
            raise CommandError(str(error)) from error
        if output_format == "xlsx":
            content = exports.report_xlsx(report)
        elif output_format == "json":
            content = exports.report_json(report)
        else:
            content = exports.report_csv(report, by=by or None)
        self._write(content, output, output_format)

    def _write(self, content, output: str, output_format: str) -> None:
        if not output:
            self.stdout.write(content, ending="")
            return
        path = Path(output)
        try:
            if isinstance(content, bytes):
                path.write_bytes(content)
            elif output_format == "csv":
                # A CSV file is opened in Excel like a download: with the byte-order mark (see exports).
                path.write_text(exports.CSV_BOM + content, encoding="utf-8", newline="")
            else:
                path.write_text(content, encoding="utf-8", newline="")
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
        self.stderr.write(f"Wrote {path}")
