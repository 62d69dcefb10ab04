"""python manage.py export_impact --year 2024 --format pdf|png|svg|json --output FILE [--picture map|card]
[--paper a4|letter] [--language en|es|fr]"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from reports.impact import impact_summary
from reports.impact_files import impact_file
from reports.impact_pdf import PAPERS
from reports.selectors import ReportError, validate_year
from reports.store import refresh_year, served_report

FORMATS = ("pdf", "png", "svg", "json")
PICTURES = ("map", "card")


class Command(BaseCommand):
    help = (
        "Export the year's impact summary (the same stored figures as /reports/impact/ and the API): the "
        "one-page PDF, the map or the headline card as PNG or SVG, or every figure as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="Calendar year, e.g. 2024.")
        parser.add_argument("--format", required=True, dest="output_format", help="pdf, png, svg or json.")
        parser.add_argument("--output", required=True, help="File to write.")
        parser.add_argument("--picture", default="map", help="For png and svg: map (default) or card.")
        parser.add_argument("--paper", default="a4", help="For pdf: a4 (default) or letter.")
        parser.add_argument("--language", default="en", help="en (default), es or fr.")

    def handle(self, *args, year, output_format, output, picture, paper, language, **options):
        if output_format not in FORMATS:
            raise CommandError(f"Unknown format {output_format!r}: choose one of {', '.join(FORMATS)}.")
        if picture not in PICTURES:
            raise CommandError(f"Unknown picture {picture!r}: choose one of {', '.join(PICTURES)}.")
        if paper not in PAPERS:
            raise CommandError(f"Unknown paper {paper!r}: choose one of {', '.join(PAPERS)}.")
        if language not in dict(settings.LANGUAGES):
            choices = ", ".join(code for code, _name in settings.LANGUAGES)
            raise CommandError(f"Unknown language {language!r}: choose one of {choices}.")
        try:
            year = validate_year(year)
        except ReportError as error:
            raise CommandError(str(error)) from error
        if served_report(year=year) is None:
            # Too many sessions to count in a request: a placeholder is stored; compute it here and now.
            refresh_year(year=year)
        summary = impact_summary(year=year)
        if summary is None:
            raise CommandError(f"The figures of {year} are still being prepared: try again in a minute.")
        kind = {"pdf": "summary.pdf", "json": "summary.json"}.get(output_format, f"{picture}.{output_format}")
        with translation.override(language):
            file = impact_file(summary, kind=kind, paper=paper)
        try:
            Path(output).write_bytes(file.content)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
        self.stderr.write(f"Wrote {output}")
