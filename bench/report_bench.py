"""Yearly report benchmark (PostgreSQL): the full report against a hand-written SQL floor, and the
attendance-level CSV export's time and peak memory.

    DATABASE_URL=postgres://... python bench/report_bench.py [--year 2025] [--repeat 5]

Fill the database first with ``python manage.py generate_load_data --attendances 1000000``.
The floor computes the same figures in one round trip: held sessions and counted attendances are
materialised once (CTEs) and every breakdown is grouped from them. The report's figures are
checked against the floor's before anything is timed. The CSV export runs in a subprocess (the
same streaming view a manager downloads from, every year in turn) whose peak RSS is read from
``getrusage(RUSAGE_CHILDREN)``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trainingops.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DEBUG", "false")

FLOOR_SQL = """
WITH held AS MATERIALIZED (
    SELECT s.id, s.format,
           EXTRACT(YEAR FROM s.starts_at AT TIME ZONE s.timezone)::int AS year,
           EXTRACT(MONTH FROM s.starts_at AT TIME ZONE s.timezone)::int AS month
    FROM training_trainingsession s
    WHERE (s.status = 'completed' OR (s.status = 'published' AND s.starts_at < %(now)s))
      AND s.starts_at >= %(window_start)s AND s.starts_at < %(window_end)s
      AND EXTRACT(YEAR FROM s.starts_at AT TIME ZONE s.timezone) IN (%(year)s, %(year)s - 1)
),
counted AS MATERIALIZED (
    SELECT h.year, r.session_id, r.officer_key, r.agency_id, r.country_id
    FROM held h
    JOIN training_registration r ON r.session_id = h.id
    JOIN training_attendance a ON a.registration_id = r.id
    WHERE a.status IN ('present', 'partial')
),
cur AS (SELECT * FROM counted WHERE year = %(year)s),
cur_held AS (SELECT * FROM held WHERE year = %(year)s)
SELECT 'summary', year::text, 0, count(*), count(DISTINCT officer_key), count(DISTINCT agency_id),
       count(DISTINCT country_id)
  FROM counted GROUP BY year
UNION ALL
SELECT 'sessions', year::text || ':' || format, count(*), 0, 0, 0, 0 FROM held GROUP BY year, format
UNION ALL
SELECT 'region', c.region, count(DISTINCT session_id), count(*), count(DISTINCT officer_key),
       count(DISTINCT agency_id), count(DISTINCT country_id)
  FROM cur JOIN agencies_country c ON c.code = cur.country_id GROUP BY c.region
UNION ALL
SELECT 'country', country_id, count(DISTINCT session_id), count(*), count(DISTINCT officer_key),
       count(DISTINCT agency_id), count(DISTINCT country_id)
  FROM cur GROUP BY country_id
UNION ALL
SELECT 'agency', agency_id::text, count(DISTINCT session_id), count(*), count(DISTINCT officer_key),
       count(DISTINCT agency_id), count(DISTINCT country_id)
  FROM cur GROUP BY agency_id
UNION ALL
SELECT 'format', h.format, count(DISTINCT h.id), count(cur.session_id), count(DISTINCT cur.officer_key),
       count(DISTINCT cur.agency_id), count(DISTINCT cur.country_id)
  FROM cur_held h LEFT JOIN cur ON cur.session_id = h.id GROUP BY h.format
UNION ALL
SELECT 'month', h.month::text, count(DISTINCT h.id), count(cur.session_id), count(DISTINCT cur.officer_key),
       count(DISTINCT cur.agency_id), count(DISTINCT cur.country_id)
  FROM cur_held h LEFT JOIN cur ON cur.session_id = h.id GROUP BY h.month
UNION ALL
SELECT 'topic', coalesce(t.slug, ''), count(DISTINCT h.id), count(cur.session_id), count(DISTINCT cur.officer_key),
       count(DISTINCT cur.agency_id), count(DISTINCT cur.country_id)
  FROM cur_held h
  LEFT JOIN training_trainingsession_topics st ON st.trainingsession_id = h.id
  LEFT JOIN training_topic t ON t.id = st.topic_id
  LEFT JOIN cur ON cur.session_id = h.id GROUP BY t.slug
UNION ALL
SELECT 'trainer', coalesce(st.trainer_id::text, ''), count(DISTINCT h.id), count(cur.session_id),
       count(DISTINCT cur.officer_key), count(DISTINCT cur.agency_id), count(DISTINCT cur.country_id)
  FROM cur_held h
  LEFT JOIN training_sessiontrainer st ON st.session_id = h.id
  LEFT JOIN cur ON cur.session_id = h.id GROUP BY st.trainer_id
UNION ALL
SELECT 'survey:' || h.year, count(*)::text, round(avg(sr.overall_rating) * 100)::int,
       round(avg(sr.usefulness_rating) * 100)::int, round(avg(sr.trainer_rating) * 100)::int,
       round(avg(sr.recommend_score) * 100)::int,
       count(*) FILTER (WHERE sr.recommend_score >= 9) - count(*) FILTER (WHERE sr.recommend_score <= 6)
  FROM training_surveyresponse sr
  JOIN training_registration r ON r.id = sr.registration_id
  JOIN held h ON h.id = r.session_id
  WHERE sr.submitted_at IS NOT NULL GROUP BY h.year
"""


def setup_django():
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("report_bench skipped: it measures PostgreSQL, set DATABASE_URL=postgres://...")
        sys.exit(0)


def floor(year: int, now: datetime, *, jit: bool = False) -> list[tuple]:
    """The hand-written SQL, with the same JIT setting as the report (off) unless asked."""
    from django.db import connection, transaction

    params = {
        "year": year,
        "now": now,
        "window_start": datetime(year - 1, 1, 1, tzinfo=UTC) - timedelta(hours=15),
        "window_end": datetime(year + 1, 1, 1, tzinfo=UTC) + timedelta(hours=15),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        if not jit:
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(FLOOR_SQL, params)
        return cursor.fetchall()


def check_same_figures(report, rows: list[tuple]) -> None:
    """The report and the floor must agree on every figure, or the timing means nothing."""
    by_part: dict[str, dict[str, tuple]] = {}
    for part, key, *values in rows:
        by_part.setdefault(part, {})[key] = tuple(values)
    for label, figures in ((str(report.year), report.current), (str(report.year - 1), report.previous)):
        summary = by_part["summary"].get(label, (0, 0, 0, 0, 0))
        expected = (figures.attendances, figures.officers_trained, figures.agencies_reached, figures.countries_reached)
        assert summary[1:] == expected, (label, summary, expected)
        for session_format, count in figures.sessions_by_format.items():
            assert by_part["sessions"].get(f"{label}:{session_format}", (0,))[0] == count
        survey = by_part.get(f"survey:{label}", {})
        assert sum(int(key) for key in survey) == figures.survey_responses
    for name, report_rows in report.breakdowns.items():
        floor_rows = by_part.get(name, {})
        for row in report_rows:
            key = str(int(row.key[5:])) if name == "month" else row.key
            if name == "region" and row.label == "No region":
                key = None
            values = (row.sessions, row.attendances, row.officers_trained, row.agencies_reached, row.countries_reached)
            assert floor_rows.get(key, (0, 0, 0, 0, 0)) == values, (name, key, floor_rows.get(key), values)
        assert len([row for row in report_rows if row.sessions]) == len(floor_rows), name


def interleaved(repeat: int, *functions) -> list[tuple[float, float]]:
    """(best, median) seconds of each function, run in turn so that a busy machine slows them alike."""
    timings = [[] for _ in functions]
    for _ in range(repeat):
        for index, function in enumerate(functions):
            started = time.perf_counter()
            function()
            timings[index].append(time.perf_counter() - started)
    return [(min(values), statistics.median(values)) for values in timings]


def busiest_year() -> int:
    from django.db.models import Count
    from django.db.models.functions import ExtractYear

    from sessions.models import TrainingSession

    row = (
        TrainingSession.objects.filter(status="completed")
        .annotate(year=ExtractYear("starts_at"))
        .values("year")
        .annotate(count=Count("pk"))
        .order_by("-count")
        .first()
    )
    if row is None:
        sys.exit("No sessions to report on: run python manage.py generate_load_data --attendances 1000000 first.")
    return row["year"]


def export_all_years() -> None:
    """Run in the subprocess: download every year's attendance CSV through the manager's view."""
    setup_django()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import User
    from sessions.models import TrainingSession

    setup_test_environment()
    manager, _ = User.objects.get_or_create(email="bench-manager@trainingops.example", defaults={"is_superuser": True})
    client = Client()
    client.force_login(manager)
    years = sorted({moment.year for moment in TrainingSession.objects.dates("starts_at", "year")})
    rows = size = 0
    for year in years:
        response = client.get("/reports/yearly/attendances.csv", {"year": year, "identity": "1"}, secure=True)
        assert response.status_code == 200, response.status_code
        for chunk in response.streaming_content:
            size += len(chunk)
            rows += chunk.count(b"\n")
        rows -= 1  # header
    print(f"{rows} {size}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--year", type=int, default=0, help="Year to report (default: the busiest).")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--skip-export", action="store_true", help="Time the report only, not the CSV export.")
    parser.add_argument("--export-child", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.export_child:
        export_all_years()
        return
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from reports.selectors import yearly_report

    now = timezone.now()
    year = arguments.year or busiest_year()
    report = yearly_report(year=year, now=now)
    check_same_figures(report, floor(year, now))
    yearly_report(year=year, now=now)  # warm caches and the connection
    (report_best, report_median), (floor_best, floor_median) = interleaved(
        arguments.repeat, lambda: yearly_report(year=year, now=now), lambda: floor(year, now)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM training_attendance")
        total_attendances = cursor.fetchone()[0]
    load = os.getloadavg()[0]
    connection.close()

    print(f"Yearly report — {total_attendances} attendance records in the database, year {year}")
    print(f"  machine: {os.cpu_count()} CPUs, load average {load:.1f} at the end of the timed runs")
    print(
        f"  sessions held {report.current.sessions_held}, attendances {report.current.attendances}, "
        f"officers trained {report.current.officers_trained} (figures identical to the SQL floor)"
    )
    print(
        f"  full report (ORM, {arguments.repeat} runs): best {report_best * 1000:.0f} ms, median {report_median * 1000:.0f} ms"
    )
    print(f"  hand-written SQL floor: best {floor_best * 1000:.0f} ms, median {floor_median * 1000:.0f} ms")
    print(f"  ratio report/floor: best {report_best / floor_best:.2f}x, median {report_median / floor_median:.2f}x")
    if arguments.skip_export:
        return
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, __file__, "--export-child"], capture_output=True, text=True, check=True, cwd=ROOT
    )
    export_seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    exported_rows, exported_bytes = (int(value) for value in child.stdout.split()[-2:])
    print(
        f"  attendance CSV: {exported_rows} rows, {exported_bytes / 1e6:.0f} MB in {export_seconds:.1f} s "
        f"(subprocess incl. start-up), peak RSS {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
