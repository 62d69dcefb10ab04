"""A check-in page's sync: one batch of 500 scans posted to ``POST /api/v1/sessions/{id}/check-ins/``.

    python bench/check_in_bench.py [--rounds 5]                       # SQLite in a scratch folder
    DATABASE_URL=postgres://.../scratch python bench/check_in_bench.py  # PostgreSQL (migrated here)

Each round is a new session happening now with 500 confirmed seats; a trainer's token client posts
the 500 personal codes (each verified with Ed25519, each marking attendance through the roll call's
service) in one request, in process (Django's test client, DEBUG off). Then the same batch is sent
again (a replay after a lost answer: nothing new is recorded). Target (issue 15, section 8): the
batch synced in under 1 s. Exits 1 when the median misses it. Figures are printed and written to
``var/bench/check_in_bench.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

from common import CHECKIN_SIGNING_KEY, ROOT, use_project

use_project(
    CHECKIN_SIGNING_KEY=CHECKIN_SIGNING_KEY,
    DEBUG="false",
    SECURE_SSL_REDIRECT="false",
    STAFF_MFA_REQUIRED="false",
    ALLOWED_HOSTS="testserver",
    LOG_LEVEL="WARNING",
    API_THROTTLE_USER="100000000/minute",
)
if "DATABASE_URL" not in os.environ:
    os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="check-in-bench-"))

SCANS = 500
TARGET_SECONDS = 1.0


def _setup():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _round_data():
    """A session happening now, its trainer's token client, and a batch of 500 scans of its seats."""
    from datetime import timedelta

    from django.utils import timezone
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    from sessions.checkin_codes import sign_code
    from tests.factories import (
        AgencyFactory,
        OfficerFactory,
        RegistrationFactory,
        SessionTrainerFactory,
        TrainerFactory,
        TrainingSessionFactory,
    )

    now = timezone.now()
    session = TrainingSessionFactory(starts_at=now - timedelta(hours=1), capacity=SCANS)
    trainer = TrainerFactory()
    SessionTrainerFactory(session=session, trainer=trainer)
    agency = AgencyFactory()
    registrations = [
        RegistrationFactory(session=session, officer=OfficerFactory(agency=agency, user__password=None))
        for _ in range(SCANS)
    ]
    items = [
        {
            "nonce": f"bench-{session.pk}-{index:05d}",
            "code": sign_code(registration=registration),
            "scanned_at": (now - timedelta(minutes=30) + timedelta(seconds=index)).isoformat(),
        }
        for index, registration in enumerate(registrations)
    ]
    _, token = AuthToken.objects.create(user=trainer.user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return session, client, {"check_ins": items}


def _timed_post(client, session, body) -> tuple[float, dict]:
    started = time.perf_counter()
    response = client.post(f"/api/v1/sessions/{session.pk}/check-ins/", body, format="json")
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"Unexpected {response.status_code}: {response.content[:300]!r}")
    return elapsed, response.json()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    _setup()
    from django.db import connection

    from sessions.models import CheckIn

    first, replay = [], []
    # A served process has its modules imported and URLs resolved already: warm up with one roster read.
    session, client, _body = _round_data()
    client.get(f"/api/v1/sessions/{session.pk}/check-ins/roster/")
    for _ in range(rounds):
        session, client, body = _round_data()
        elapsed, answer = _timed_post(client, session, body)
        statuses = {result["status"] for result in answer["results"]}
        if statuses != {"checked_in"} or CheckIn.objects.filter(session=session).count() != SCANS:
            raise SystemExit(f"Not every scan was checked in: {statuses}")
        first.append(elapsed)
        elapsed, answer = _timed_post(client, session, body)
        if CheckIn.objects.filter(session=session).count() != SCANS:
            raise SystemExit("The replay recorded something new.")
        replay.append(elapsed)
    figures = {
        "database": connection.vendor,
        "scans_per_batch": SCANS,
        "rounds": rounds,
        "first_sync_seconds": {"median": statistics.median(first), "max": max(first), "all": first},
        "replay_seconds": {"median": statistics.median(replay), "max": max(replay), "all": replay},
        "target_seconds": TARGET_SECONDS,
        "load_average": os.getloadavg()[0],
    }
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "check_in_bench.json").write_text(json.dumps(figures, indent=2))
    print(
        f"{connection.vendor}: batch of {SCANS} scans, first sync median {statistics.median(first) * 1000:.0f} ms "
        f"(max {max(first) * 1000:.0f} ms), replay median {statistics.median(replay) * 1000:.0f} ms "
        f"(max {max(replay) * 1000:.0f} ms); target < {TARGET_SECONDS * 1000:.0f} ms; "
        f"load average {figures['load_average']:.1f}"
    )
    met = statistics.median(first) < TARGET_SECONDS
    print("Target met." if met else "Target MISSED.")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
