"""What the stored reports cost writers (PostgreSQL): a burst of concurrent registrations.

    DATABASE_URL=postgres://... REDIS_URL=redis://.../N python bench/registration_bench.py [--rounds 2]

Registers 500 officers over 50 sessions, all at once from 50 threads (each its own database
connection), through ``sessions.services.register_officer``, timing each registration, under
three variants run in turn (``--rounds`` times, interleaved, so that a busy machine slows them alike):

- ``triggers``: the previous design's data-revision triggers installed (a statement trigger on
  the ten tables the report reads, and a deferred trigger that bumps one revision row at commit);
- ``none``: no report machinery at all (the reports app's model-signal receivers disconnected);
- ``new``: the current design, with this year's report stored, so that every registration's
  commit asks for a refresh (a ``RefreshRequest`` row per year, the task queued once).

Sessions are new for each round and variant, 10 seats each (every registration is confirmed).
The database needs only ``migrate``; the script creates its officers and sessions. Figures are
printed and written to ``var/bench/registration_bench.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from common import CHECKIN_SIGNING_KEY, ROOT, use_project

use_project(CHECKIN_SIGNING_KEY=CHECKIN_SIGNING_KEY, DEBUG="false")

OFFICERS = 500
SESSIONS = 50
THREADS = 50
VARIANTS = ("triggers", "none", "new")

# The previous design (until this change): every write to these columns noted its transaction, and
# a deferred constraint trigger bumped a single revision row when the transaction committed.
OLD_TRACKED = {
    "training_trainingsession": ("id", "status", "starts_at", "timezone", "format"),
    "training_trainingsession_topics": ("id", "trainingsession_id", "topic_id"),
    "training_sessiontrainer": ("id", "session_id", "trainer_id"),
    "training_attendance": ("id", "session_id", "status", "officer_key", "agency_id", "country_id"),
    "training_registration": ("id", "country_id"),
    "training_survey": ("id", "session_id"),
    "training_surveyresponse": (
        "id",
        "survey_id",
        "registration_id",
        "submitted_at",
        "overall_rating",
        "usefulness_rating",
        "trainer_rating",
        "recommend_score",
    ),
    "agencies_country": ("code", "name", "region"),
    "agencies_agency": ("id", "name"),
    "training_topic": ("id", "slug", "name"),
}
OLD_INSTALL = [
    "CREATE TABLE IF NOT EXISTS bench_datarevision (id bigint PRIMARY KEY, value bigint NOT NULL)",
    "CREATE TABLE IF NOT EXISTS bench_pendingchange (txid bigint PRIMARY KEY)",
    """CREATE OR REPLACE FUNCTION bench_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO bench_pendingchange (txid) VALUES (txid_current()) ON CONFLICT (txid) DO NOTHING;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION bench_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO bench_datarevision (id, value) VALUES (1, 1)
            ON CONFLICT (id) DO UPDATE SET value = bench_datarevision.value + 1;
        DELETE FROM bench_pendingchange WHERE txid = NEW.txid;
        RETURN NULL;
    END $$""",
    "DROP TRIGGER IF EXISTS bench_count_change ON bench_pendingchange",
    """CREATE CONSTRAINT TRIGGER bench_count_change AFTER INSERT ON bench_pendingchange
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bench_count_change()""",
    *(
        f"CREATE TRIGGER bench_note_change AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF {', '.join(columns)} "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bench_note_change()"
        for table, columns in OLD_TRACKED.items()
    ),
]
OLD_UNINSTALL = [
    "DROP FUNCTION IF EXISTS bench_note_change() CASCADE",
    "DROP FUNCTION IF EXISTS bench_count_change() CASCADE",
    "DROP TABLE IF EXISTS bench_pendingchange, bench_datarevision",
]


def setup_django():
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("registration_bench skipped: it measures PostgreSQL, set DATABASE_URL=postgres://...")
        sys.exit(0)


def execute(statements: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def officers() -> list:
    """The bench's officers (created once, verified, with a confirmed address)."""
    from agencies.models import Officer
    from tests.factories import AgencyFactory, CountryFactory, OfficerFactory

    found = list(Officer.objects.filter(user__email__startswith="bench-officer").select_related("agency__country"))
    if len(found) >= OFFICERS:
        return found[:OFFICERS]
    agencies = [AgencyFactory(country=CountryFactory(code=code)) for code in ("MX", "FR", "BR", "DE", "PH")]
    for index in range(len(found), OFFICERS):
        OfficerFactory(agency=agencies[index % len(agencies)], user__email=f"bench-officer{index}@policia.gob.mx")
    return officers()


def new_sessions() -> list:
    from tests.factories import TrainingSessionFactory

    return [TrainingSessionFactory(capacity=10) for _ in range(SESSIONS)]


def set_variant(variant: str) -> None:
    from django.utils import timezone

    from reports import changes, store

    execute(OLD_UNINSTALL)
    changes.disconnect()
    if variant == "triggers":
        execute(OLD_INSTALL)
    elif variant == "new":
        changes.connect()
        store.served_report(year=timezone.now().year)  # a stored report: commits ask for its refresh


def burst(sessions: list, people: list) -> tuple[list[float], float, dict]:
    """Every officer registers for one session (10 per session), all threads released at once."""
    from django.db import connections
    from django.db.models import Count

    from sessions.models import Registration
    from sessions.services import register_officer

    start = threading.Barrier(THREADS)
    pairs = [(sessions[index % SESSIONS], officer) for index, officer in enumerate(people)]

    def register_many(chunk):
        timings = []
        try:
            start.wait()
            for session, officer in chunk:
                started = time.perf_counter()
                register_officer(session=session, officer=officer, source=Registration.Source.PORTAL)
                timings.append(time.perf_counter() - started)
        finally:
            connections.close_all()
        return timings

    chunks = [pairs[index::THREADS] for index in range(THREADS)]
    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        timings = [value for result in pool.map(register_many, chunks) for value in result]
    wall = time.perf_counter() - started
    statuses = dict(
        Registration.objects.filter(session__in=sessions).order_by().values_list("status").annotate(Count("pk"))
    )
    return timings, wall, statuses


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summary(timings: list[float], wall: float) -> dict:
    return {
        "registrations": len(timings),
        "wall_s": round(wall, 3),
        "p50_ms": round(statistics.median(timings) * 1000, 1),
        "p95_ms": round(percentile(timings, 0.95) * 1000, 1),
        "p99_ms": round(percentile(timings, 0.99) * 1000, 1),
        "max_ms": round(max(timings) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    arguments = parser.parse_args()
    setup_django()
    from reports.models import RefreshRequest
    from sessions.models import Registration

    people = officers()
    results: dict[str, list] = {variant: [] for variant in VARIANTS}
    try:
        for round_number in range(arguments.rounds):
            for variant in VARIANTS:
                set_variant(variant)
                sessions = new_sessions()
                RefreshRequest.objects.all().delete()
                timings, wall, statuses = burst(sessions, people)
                assert sum(statuses.values()) == OFFICERS, statuses
                figures = summary(timings, wall)
                results[variant].append(figures)
                print(f"round {round_number + 1} {variant:8} {figures} {statuses}", flush=True)
                Registration.objects.filter(session__in=sessions).delete()
    finally:
        execute(OLD_UNINSTALL)
    load = os.getloadavg()[0]
    overall = {}
    for variant, rounds in results.items():
        overall[variant] = {
            name: max(figures[name] for figures in rounds)
            if name == "max_ms"
            else statistics.median(figures[name] for figures in rounds)
            for name in rounds[0]
        }
    print(f"\nRegistration burst — {OFFICERS} officers over {SESSIONS} sessions from {THREADS} threads, PostgreSQL")
    print(f"  machine: {os.cpu_count()} CPUs, load average {load:.1f} at the end")
    for variant in VARIANTS:
        print(f"  {variant:8} (median of {arguments.rounds} rounds): {overall[variant]}")
    ratio = overall["new"]["p99_ms"] / overall["none"]["p99_ms"]
    print(f"  p99 new / none: {ratio:.2f}x (target: p99 < 1 s and at most 1.10x)")
    output = ROOT / "var" / "bench" / "registration_bench.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"rounds": results, "overall": overall, "load": load}, indent=2) + "\n")
    print(f"  written to {output.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
