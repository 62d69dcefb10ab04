"""Impact summary benchmark (PostgreSQL): the one-page PDF and the PNG images of a year, from the
stored report, at a hundred times the real program.

    DATABASE_URL=postgres://... python bench/impact_bench.py [--year 2026] [--runs 5]

Fill the database first as for the report benchmark (``bench/report_bench.py``):
``python manage.py generate_load_data --attendances 1600000 --years 2`` (about 12,000 sessions a
year), then ``VACUUM ANALYZE``. The year's stored report is computed once (untimed, as the
background refresh would); then each run is what a manager's download costs: the summary read from
the stored figures (with the consented quotes' query) and drawn as PDF (A4), map PNG and card PNG.
A few hundred answers are marked as consented quotes inside a transaction that is rolled back.

Target: each download under 2 s. The figures are written to the "Impact summary" section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from common import CHECKIN_SIGNING_KEY, use_project

use_project(DEBUG="false", LOG_LEVEL="WARNING", CHECKIN_SIGNING_KEY=CHECKIN_SIGNING_KEY)

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import CharField, Value  # noqa: E402
from django.db.models.functions import Cast, Concat  # noqa: E402
from django.utils import timezone  # noqa: E402

from reports.impact import impact_summary  # noqa: E402
from reports.impact_files import impact_file  # noqa: E402
from reports.selectors import ReportFilters, held_sessions, session_timezones  # noqa: E402
from reports.store import refresh_year, served_report  # noqa: E402
from sessions.models import SurveyResponse  # noqa: E402

TARGET_SECONDS = 2.0
KINDS = ("summary.pdf", "map.png", "card.png")


class Rollback(Exception):
    pass


def _consent_some_answers(year: int) -> int:
    """Mark one answer in a hundred of the year's held sessions as a consented quote."""
    zones = session_timezones(first_year=year, last_year=year)
    sessions = held_sessions(year=year, filters=ReportFilters(), zones=zones, now=timezone.now())
    answers = SurveyResponse.objects.filter(survey__session__in=sessions.values("pk"), submitted_at__isnull=False)
    chosen = list(answers.order_by("pk").values_list("pk", flat=True)[::100])
    comments = Concat(Value("Very practical: we traced a wallet the week after the session. "), Cast("pk", CharField()))
    return SurveyResponse.objects.filter(pk__in=chosen).update(comments=comments, quote_consent=True)


def _time(year: int, kind: str, runs: int) -> list[float]:
    timings = []
    for _run in range(runs):
        started = time.perf_counter()
        summary = impact_summary(year=year)
        impact_file(summary, kind=kind)
        timings.append(time.perf_counter() - started)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=timezone.localdate().year - 1)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        print("impact_bench needs PostgreSQL: set DATABASE_URL (see the docstring).")
        return 0
    failed = False
    try:
        with transaction.atomic():
            consented = _consent_some_answers(options.year)
            if served_report(year=options.year) is None:
                refresh_year(year=options.year)
            summary = impact_summary(year=options.year)
            print(
                f"year {options.year}: {summary.figures.sessions_held} sessions, "
                f"{summary.figures.attendances} attendances, {len(summary.countries)} countries, "
                f"{consented} consented answers, {len(summary.quotes)} quotes"
            )
            started = time.perf_counter()
            impact_file(summary, kind="summary.pdf")  # fonts and the map's shapes are read once per process
            print(f"first PDF of the process (fonts and shapes read): {time.perf_counter() - started:.2f} s")
            for kind in KINDS:
                timings = _time(options.year, kind, options.runs)
                median, worst = statistics.median(timings), max(timings)
                verdict = "ok" if worst < TARGET_SECONDS else "SLOWER THAN TARGET"
                failed = failed or worst >= TARGET_SECONDS
                print(f"{kind:12} median {median:.2f} s, worst {worst:.2f} s over {options.runs} runs: {verdict}")
            raise Rollback
    except Rollback:
        pass
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
