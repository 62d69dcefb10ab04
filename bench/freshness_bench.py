"""Report freshness end to end: from a committed change to the stored report that counts it, through a
running Celery worker and beat.

    .venv/bin/python bench/freshness_bench.py [--database-url postgres://…] [--redis-url redis://…/N] [--rounds 3]

Starts a worker (2 processes) and beat with the project's schedule (``REPORT_REFRESH_SECONDS``, 30 s by
default) on the given PostgreSQL database and Redis (broker and cache), makes sure the current year's
report is stored, then each round: (1) registers an officer for a session of this year through
``register_officer`` (the refresh is queued when the transaction commits), (2) rewrites a registration
with raw SQL (only beat's check of the database's write counters sees it); and times from the
commit until the stored report's ``computed_at`` is later than the commit. Prints every latency and the
median. Any data will do: run it on the pages benchmark's database, or on ``generate_load_data``'s.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from api_bench import bench_env, ensure_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/trainingops_freshness_bench"
TIMEOUT_SECONDS = 180


def start(command: list[str], env: dict) -> subprocess.Popen:
    celery = str(Path(sys.executable).parent / "celery")
    return subprocess.Popen(
        [celery, "-A", "trainingops", *command, "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_until_counted(year: int, committed_at) -> float:
    """Seconds from now (just after the commit at ``committed_at``) until the year's stored report is one
    computed after that commit, as a manager would see it (polled every 0.2 s)."""
    from reports.models import StoredReport

    started = time.monotonic()
    while time.monotonic() < started + TIMEOUT_SECONDS:
        computed_at = StoredReport.objects.filter(year=year, filters="").values_list("computed_at", flat=True).first()
        if computed_at is not None and computed_at > committed_at:
            return time.monotonic() - started
        time.sleep(0.2)
    sys.exit(f"the {year} report was not refreshed within {TIMEOUT_SECONDS} s")


def session_open_for_registration():
    """A published session open to all whose registration is open: the latest of this year, or a new one."""
    from datetime import UTC, datetime

    from django.utils import timezone

    from sessions.models import TrainingSession
    from sessions.selectors import RegistrationState, registration_state
    from tests.factories import TrainingSessionFactory

    now = timezone.now()
    candidates = TrainingSession.objects.filter(
        status=TrainingSession.Status.PUBLISHED,
        audience=TrainingSession.Audience.OPEN,
        timezone="UTC",
        starts_at__gt=now,
        starts_at__lt=datetime(now.year + 1, 1, 1, tzinfo=UTC),
    ).order_by("-starts_at")
    found = next((s for s in candidates if registration_state(s) == RegistrationState.OPEN), None)
    return found or TrainingSessionFactory(title="Freshness bench", starts_at=now + timedelta(hours=2), capacity=None)


def registered_through_the_service(session):
    from uuid import uuid4

    from django.utils import timezone

    from agencies.models import Agency
    from sessions.models import Registration
    from sessions.services import register_officer
    from tests.factories import AgencyFactory, OfficerFactory

    # An existing agency and a fresh address: the factories' sequences restart in each process.
    agency = Agency.objects.first() or AgencyFactory()
    officer = OfficerFactory(agency=agency, user__email=f"freshness-{uuid4().hex[:12]}@policia.gob.mx")
    register_officer(session=session, officer=officer, source=Registration.Source.PORTAL)
    return timezone.now()


def changed_with_raw_sql():
    from django.db import connection
    from django.utils import timezone

    from sessions.models import Registration

    table = Registration._meta.db_table
    with connection.cursor() as cursor:  # around the models: no signal, no queued refresh
        # A write the database counts (the figures stay the same): enough for beat's check to refresh.
        cursor.execute(f"UPDATE {table} SET source = source WHERE id = (SELECT max(id) FROM {table})")  # noqa: S608
    return timezone.now()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    env = {**bench_env(args.database_url), "REDIS_URL": args.redis_url}
    ensure_database(args.database_url)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env, DJANGO_SETTINGS_MODULE="trainingops.settings")
    import django

    django.setup()
    from django.utils import timezone

    from reports.store import served_report

    session = session_open_for_registration()
    year = session.starts_at.year
    served_report(year=year)  # stores it (or queues its first computation)
    processes = [start(["worker", "--concurrency=2"], env), start(["beat"], env)]
    latencies: dict[str, list[float]] = {"service": [], "raw SQL": []}
    try:
        wait_until_counted(year, timezone.now() - timedelta(days=3650))  # the first figures
        for number in range(args.rounds):
            for kind, change in (
                ("service", lambda: registered_through_the_service(session)),
                ("raw SQL", changed_with_raw_sql),
            ):
                seconds = wait_until_counted(year, change())
                latencies[kind].append(seconds)
                print(f"round {number + 1}: {kind} change counted after {seconds:.1f} s", flush=True)
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    for kind, values in latencies.items():
        print(f"{kind}: median {statistics.median(values):.1f} s, every round {', '.join(f'{v:.1f}' for v in values)}")


if __name__ == "__main__":
    main()
