"""Yearly report benchmark (PostgreSQL): the full report against a hand-written SQL floor, and the
attendance-level CSV export's time and peak memory.

    DATABASE_URL=postgres://... python bench/report_bench.py [--year 2025] [--repeat 5]

Fill the database first with ``python manage.py generate_load_data --attendances 1000000``.
Timings: the report computed from the attendance records against the floor; the background
refresh of the stored report after a change (what bounds the figures' freshness, with beat's
period); what a manager waits for: the stored figures, the report page and the API (median and
p99, in-process test client). The floor computes the same figures in one round trip: held sessions
and counted attendances are materialised once (CTEs) and every breakdown is grouped from them. The report's figures are
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
from datetime import datetime

from common import CHECKIN_SIGNING_KEY, ROOT, use_project

# No second factor: the bench manager has none to enrol.
use_project(CHECKIN_SIGNING_KEY=CHECKIN_SIGNING_KEY, DEBUG="false", STAFF_MFA_REQUIRED="false")

# The best hand-written SQL found for the same figures, on the same schema (each attendance carries
# its registration's session and snapshot; see docs/benchmarks.md for the variants measured).
# ``{held_current}``/``{held_previous}`` are the local-year conditions, one range on starts_at per time
# zone (see ``local_year_condition``): an expression such as EXTRACT(YEAR FROM starts_at AT TIME
# ZONE timezone) = 2026 is estimated at a few rows, and the planner then probes the topics index
# once per attendance instead of hashing.
FLOOR_SQL = """
WITH held_cur AS MATERIALIZED (
    SELECT s.id, s.format COLLATE "C" AS format,
           EXTRACT(MONTH FROM s.starts_at AT TIME ZONE s.timezone)::int AS month
    FROM training_trainingsession s
    WHERE (s.status = 'completed' OR (s.status = 'published' AND s.starts_at < %(now)s)) AND ({held_current})
),
held_prev AS MATERIALIZED (
    SELECT s.id, s.format FROM training_trainingsession s
    WHERE (s.status = 'completed' OR (s.status = 'published' AND s.starts_at < %(now)s)) AND ({held_previous})
),
countries AS MATERIALIZED (
    SELECT code, region COLLATE "C" AS region, ROW_NUMBER() OVER (ORDER BY code) AS number FROM agencies_country
),
cur AS MATERIALIZED (
    SELECT a.session_id, a.officer_key, a.agency_id, a.country_id COLLATE "C" AS country_id,
           c.number AS country_number, c.region, h.format, h.month
    FROM held_cur h
    JOIN training_attendance a ON a.session_id = h.id AND a.status IN ('present', 'partial')
    JOIN countries c ON c.code = a.country_id
),
prev AS (
    SELECT a.officer_key, a.agency_id, c.number AS country_number
    FROM held_prev h JOIN training_attendance a ON a.session_id = h.id AND a.status IN ('present', 'partial')
    JOIN countries c ON c.code = a.country_id
)
SELECT 'summary', %(year)s::text, 0, count(*), count(DISTINCT officer_key), count(DISTINCT agency_id),
       count(DISTINCT country_number) FROM cur
UNION ALL
SELECT 'summary', (%(year)s - 1)::text, 0, count(*), count(DISTINCT officer_key), count(DISTINCT agency_id),
       count(DISTINCT country_number) FROM prev
UNION ALL
SELECT 'sessions', %(year)s || ':' || format, count(*), 0, 0, 0, 0 FROM held_cur GROUP BY format
UNION ALL
SELECT 'sessions', (%(year)s - 1) || ':' || format, count(*), 0, 0, 0, 0 FROM held_prev GROUP BY format
UNION ALL
SELECT 'region', region, count(DISTINCT session_id), count(*), count(DISTINCT officer_key),
       count(DISTINCT agency_id), count(DISTINCT country_number) FROM cur GROUP BY region
UNION ALL
SELECT 'country', country_id, count(DISTINCT session_id), count(*), count(DISTINCT officer_key),
       count(DISTINCT agency_id), 1 FROM cur GROUP BY country_id
UNION ALL
SELECT 'agency', agency_id::text, count(DISTINCT session_id), count(*), count(DISTINCT officer_key),
       1, count(DISTINCT country_number) FROM cur GROUP BY agency_id
UNION ALL
SELECT 'format', format, count(*), 0, 0, 0, 0 FROM held_cur GROUP BY format
UNION ALL
SELECT 'format', format, 0, count(*), count(DISTINCT officer_key), count(DISTINCT agency_id),
       count(DISTINCT country_number) FROM cur GROUP BY format
UNION ALL
SELECT 'month', month::text, count(*), 0, 0, 0, 0 FROM held_cur GROUP BY month
UNION ALL
SELECT 'month', month::text, 0, count(*), count(DISTINCT officer_key), count(DISTINCT agency_id),
       count(DISTINCT country_number) FROM cur GROUP BY month
UNION ALL
SELECT 'topic', coalesce(t.slug, ''), count(*), 0, 0, 0, 0
  FROM held_cur h LEFT JOIN training_trainingsession_topics st ON st.trainingsession_id = h.id
  LEFT JOIN training_topic t ON t.id = st.topic_id GROUP BY t.slug
UNION ALL
SELECT 'topic', coalesce(t.slug, ''), 0, count(*), count(DISTINCT officer_key), count(DISTINCT agency_id),
       count(DISTINCT country_number)
  FROM cur LEFT JOIN training_trainingsession_topics st ON st.trainingsession_id = cur.session_id
  LEFT JOIN training_topic t ON t.id = st.topic_id GROUP BY t.slug
UNION ALL
SELECT 'trainer', coalesce(st.trainer_id::text, ''), count(*), 0, 0, 0, 0
  FROM held_cur h LEFT JOIN training_sessiontrainer st ON st.session_id = h.id GROUP BY st.trainer_id
UNION ALL
SELECT 'trainer', coalesce(st.trainer_id::text, ''), 0, count(*), count(DISTINCT officer_key),
       count(DISTINCT agency_id), count(DISTINCT country_number)
  FROM cur LEFT JOIN training_sessiontrainer st ON st.session_id = cur.session_id GROUP BY st.trainer_id
UNION ALL
SELECT 'survey', y.year::text, count(*), round(avg(sr.overall_rating) * 100)::int,
       round(avg(sr.usefulness_rating) * 100)::int, round(avg(sr.trainer_rating) * 100)::int,
       round(avg(sr.recommend_score) * 100)::int
  FROM (SELECT id, %(year)s AS year FROM held_cur UNION ALL SELECT id, %(year)s - 1 FROM held_prev) y
  JOIN training_survey sv ON sv.session_id = y.id
  JOIN training_surveyresponse sr ON sr.survey_id = sv.id
  WHERE sr.submitted_at IS NOT NULL GROUP BY y.year
"""


def local_year_condition(zones: list[str], year: int, params: dict) -> str:
    """``starts_at`` within the local year of its session's time zone: one range per zone, ORed."""
    from zoneinfo import ZoneInfo

    ranges = []
    for index, zone in enumerate(zones):
        name = f"z{year}_{index}"
        params[f"{name}_zone"] = zone
        params[f"{name}_from"] = datetime(year, 1, 1, tzinfo=ZoneInfo(zone))
        params[f"{name}_to"] = datetime(year + 1, 1, 1, tzinfo=ZoneInfo(zone))
        ranges.append(
            f"(s.timezone = %({name}_zone)s AND s.starts_at >= %({name}_from)s AND s.starts_at < %({name}_to)s)"
        )
    return " OR ".join(ranges) or "FALSE"


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

    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT timezone FROM training_trainingsession")
        zones = sorted(zone for (zone,) in cursor.fetchall())
    params = {"year": year, "now": now}
    statement = FLOOR_SQL.format(
        held_current=local_year_condition(zones, year, params),
        held_previous=local_year_condition(zones, year - 1, params),
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if not jit:
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(statement, params)
        return cursor.fetchall()


def check_same_figures(report, rows: list[tuple]) -> None:
    """The report and the floor must agree on every figure, or the timing means nothing."""
    by_part: dict[str, dict[str, list]] = {}
    for part, key, *values in rows:  # a session-side key has a row of sessions and one of attendance
        found = by_part.setdefault(part, {}).setdefault(key, [0] * len(values))
        found[:] = [before + value for before, value in zip(found, values, strict=True)]
    for label, figures in ((str(report.year), report.current), (str(report.year - 1), report.previous)):
        summary = by_part["summary"][label]
        expected = [0, figures.attendances, figures.officers_trained, figures.agencies_reached]
        assert summary == [*expected, figures.countries_reached], (label, summary, expected)
        for session_format, count in figures.sessions_by_format.items():
            assert by_part["sessions"].get(f"{label}:{session_format}", [0])[0] == count
        survey = by_part["survey"].get(label, [0, None, None, None, None])
        averages = (figures.average_overall_rating, figures.average_usefulness_rating)
        averages += (figures.average_trainer_rating, figures.average_recommend_score)
        assert survey[0] == figures.survey_responses, (label, survey)
        assert all(abs(mine * 100 - theirs) <= 1 for mine, theirs in zip(averages, survey[1:], strict=True))
    for name, report_rows in report.breakdowns.items():
        floor_rows = by_part.get(name, {})
        for row in report_rows:
            key = str(int(row.key[5:])) if name == "month" else row.key
            values = [row.sessions, row.attendances, row.officers_trained, row.agencies_reached, row.countries_reached]
            assert floor_rows.get(key, [0] * 5) == values, (name, key, floor_rows.get(key), values)
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


def touch_report_data() -> None:
    """Commit a write to a table the report reads (a country renamed to its own name), as any
    attendance taken or session edited would: the stored report is then out of date."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE agencies_country SET name = name WHERE code = 'FR'")


def served_timings(year: int, repeat: int):
    """The background refresh after a change, then what a manager waits for: the stored figures,
    the page and the API (milliseconds: count, median, p99, max)."""
    from django.test import Client
    from django.test.utils import setup_test_environment

    import trainingops.wsgi  # noqa: F401 — as gunicorn loads it: what starting made is frozen (no full GC walks it)
    from reports import store
    from reports.models import StoredReport

    StoredReport.objects.get_or_create(year=year, filters="", defaults={"viewed_at": timezone_now()})
    refreshes = []
    for _ in range(repeat):
        touch_report_data()
        started = time.perf_counter()
        store.refresh_year(year=year)
        refreshes.append(time.perf_counter() - started)
    stored = StoredReport.objects.get(year=year, filters="")
    assert stored.data is not None
    setup_test_environment()
    manager = bench_manager()
    client = Client()
    client.force_login(manager)

    def page():
        response = client.get("/reports/yearly/", {"year": year}, secure=True)
        assert response.status_code == 200, response.status_code

    def api():
        response = client.get("/api/v1/reports/yearly", {"year": year}, secure=True)
        assert response.status_code == 200, response.status_code

    runs = repeat * 40
    return (
        refreshes,
        spread(lambda: store.served_report(year=year), runs),
        spread(page, runs),
        spread(api, runs),
    )


def print_served(year, refreshes, served_stats, page_stats, api_stats, *, repeat: int) -> None:
    print(f"  year {year}, load average {os.getloadavg()[0]:.1f} after the served runs")
    for label, (count, median, p99, worst, cpu_median, cpu_p99) in (
        ("stored figures (served_report)", served_stats),
        ("report page, in-process client", page_stats),
        ("API reports/yearly, in-process client", api_stats),
    ):
        print(
            f"  {label} ({count} runs): median {median:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms; "
            f"CPU of this process median {cpu_median:.1f} ms, p99 {cpu_p99:.1f} ms"
        )
    print(
        f"  background refresh of the year's stored report after a change ({repeat} runs): "
        f"best {min(refreshes) * 1000:.0f} ms, median {statistics.median(refreshes) * 1000:.0f} ms"
    )


def bench_manager():
    """A manager as the back office has them: staff (the privacy notice is asked of officers only)."""
    from accounts.models import User

    manager, _ = User.objects.update_or_create(
        email="bench-manager@trainingops.example", defaults={"is_superuser": True, "is_staff": True}
    )
    return manager


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def spread(function, runs: int) -> tuple[int, float, float, float, float, float]:
    """Wall milliseconds (count, median, p99, max), then this process's CPU milliseconds (median, p99):
    on a machine shared with other work the wall time mostly measures the neighbours."""
    function()  # warm
    values, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        values.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    values.sort()
    cpu.sort()
    p99 = min(runs - 1, round(0.99 * (runs - 1)))
    return runs, statistics.median(values), values[p99], values[-1], statistics.median(cpu), cpu[p99]


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

    from sessions.models import TrainingSession

    setup_test_environment()
    manager = bench_manager()
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
    parser.add_argument(
        "--served-only",
        action="store_true",
        help="Time only what a manager waits for (stored figures, page, API) and the refresh; skip the floor.",
    )
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
    if arguments.served_only:
        print_served(year, *served_timings(year, arguments.repeat), repeat=arguments.repeat)
        return
    computed = yearly_report(year=year, now=now)
    check_same_figures(computed, floor(year, now))
    yearly_report(year=year, now=now)  # warm caches and the connection
    (report_best, report_median), (floor_best, floor_median) = interleaved(
        arguments.repeat, lambda: yearly_report(year=year, now=now), lambda: floor(year, now)
    )
    refreshes, served_stats, page_stats, api_stats = served_timings(year, arguments.repeat)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM training_attendance")
        total_attendances = cursor.fetchone()[0]
    load = os.getloadavg()[0]
    connection.close()

    print(f"Yearly report — {total_attendances} attendance records in the database, year {year}")
    print(f"  machine: {os.cpu_count()} CPUs, load average {load:.1f} at the end of the timed runs")
    print(
        f"  sessions held {computed.current.sessions_held}, attendances {computed.current.attendances}, "
        f"officers trained {computed.current.officers_trained} (figures identical to the SQL floor)"
    )
    print(
        f"  report computed (ORM, {arguments.repeat} runs): best {report_best * 1000:.0f} ms, "
        f"median {report_median * 1000:.0f} ms"
    )
    print(f"  hand-written SQL floor: best {floor_best * 1000:.0f} ms, median {floor_median * 1000:.0f} ms")
    print(f"  ratio computed/floor: best {report_best / floor_best:.2f}x, median {report_median / floor_median:.2f}x")
    print_served(year, refreshes, served_stats, page_stats, api_stats, repeat=arguments.repeat)
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
