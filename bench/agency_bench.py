"""The agency page (`/agency/`) of an agency of INTERPOL's size against a floor serving the same data.

The agency has 5,000 officers and ten years of history: 12 sessions a year attended by 30 of its
officers each (3,600 attendances and certificates), 5 training requests a year, 100 officers waiting
for a decision, 300 upcoming registrations and 5 sessions by nomination. A focal point opens the page
with their session cookie; the floor (``trainingops.views.bench_floor_agency``, routed with
BENCH_FLOOR_VIEW) computes the year's figures with two bare aggregates and reads each list's count and
first page of 25 with ``.values()`` into a bare template. Same server, measurement and alternation as
bench/pages_bench.py; writes "The agency page against its floor" in docs/benchmarks.md.

    .venv/bin/python bench/agency_bench.py [--duration 5] [--rounds 3] [--database-url postgres://…]
"""

import argparse
import os
import statistics
import subprocess
import sys
from datetime import UTC, datetime

from api_bench import run_wrk, seed_database, serving, write_section

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/trainingops_agency_bench"
SECTION = "## The agency page against its floor"
GOAL = 0.5

SEED = """
import uuid
from datetime import date, timedelta
from decimal import Decimal
from django.test import Client
from django.utils import timezone
from allauth.account.models import EmailAddress
from accounts.models import PrivacyConsent, PrivacyNotice, User
from agencies.models import Agency, Country, FocalPoint, Officer, TrainingRequest
from sessions.models import Attendance, Certificate, Registration, TrainingSession
from tests.factories import SessionTrainerFactory, TopicFactory, TrainingSessionFactory

agency = Agency.objects.filter(acronym="INTERPOL-BENCH").first()
if agency is None:
    country = Country.objects.get(code="FR")
    agency = Agency.objects.create(name="INTERPOL (bench)", acronym="INTERPOL-BENCH", country=country)
    users = User.objects.bulk_create(
        [User(email=f"officer{n}@interpol.bench", first_name="Ana", last_name=f"Lopez {n}") for n in range(5000)],
        batch_size=2000,
    )
    officers = Officer.objects.bulk_create(
        [Officer(user=user, agency=agency, verification_status="verified", job_title="Analyst") for user in users],
        batch_size=2000,
    )
    pending_users = User.objects.bulk_create(
        [User(email=f"pending{n}@interpol.bench", first_name="Ben", last_name=f"Sol {n}") for n in range(100)]
    )
    Officer.objects.bulk_create([Officer(user=user, agency=agency, verification_status="pending") for user in pending_users])
    topic = TopicFactory(slug="bench-agency-topic")
    now = timezone.now()
    registrations, attendance, certificates = [], [], []
    for month in range(120):
        starts = now - timedelta(days=30 * month + 3)
        session = TrainingSessionFactory(
            title=f"Past session {month}", starts_at=starts, ends_at=starts + timedelta(hours=3), timezone="Europe/Paris"
        )
        session.topics.add(topic)
        SessionTrainerFactory(session=session)
        for n in range(30):
            officer = officers[(month * 30 + n) % 5000]
            registrations.append(Registration(
                session=session, officer=officer, officer_key=uuid.uuid4(), agency=agency, country=agency.country
            ))
    Registration.objects.bulk_create(registrations, batch_size=2000)
    for registration in registrations:
        attendance.append(Attendance(
            registration=registration, status="present", session_id=registration.session_id,
            officer_key=registration.officer_key, agency=agency, country=agency.country,
        ))
        certificates.append(Certificate(
            registration=registration, code=uuid.uuid4().hex[:20], officer_name="Ana Lopez", agency_name=agency.name,
            session_title="Past session", session_date=date(2020, 1, 1), hours=Decimal("3.0"), attendance_status="present",
        ))
    Attendance.objects.bulk_create(attendance, batch_size=2000)
    Certificate.objects.bulk_create(certificates, batch_size=2000)
    TrainingSession.objects.filter(title__startswith="Past session").update(status="completed")
    upcoming = []
    for n in range(10):
        session = TrainingSessionFactory(title=f"Upcoming {n}", starts_at=now + timedelta(days=10 + n), capacity=100)
        upcoming += [
            Registration(session=session, officer=officers[n * 30 + k], officer_key=uuid.uuid4(), agency=agency,
                         country=agency.country)
            for k in range(30)
        ]
    Registration.objects.bulk_create(upcoming)
    for n in range(5):
        TrainingSessionFactory(title=f"By nomination {n}", starts_at=now + timedelta(days=40 + n), registration_mode="nomination")
    for n in range(50):
        request = TrainingRequest.objects.create(
            agency=agency, requested_by=users[0], format="virtual", language="en", expected_officers=20,
            period_start=date.today() + timedelta(days=30), period_end=date.today() + timedelta(days=60),
            state=["submitted", "accepted", "declined", "delivered", "withdrawn"][n % 5],
        )
        request.topics.add(topic)
    FocalPoint.objects.create(officer=officers[0], agency=agency, appointed_at=now)
focal = Officer.objects.get(user__email="officer0@interpol.bench")
# The focal point signed up through the portal: a confirmed address and the privacy notice accepted
# (without them the page redirects, and wrk would count the redirects as pages).
EmailAddress.objects.get_or_create(user=focal.user, email=focal.user.email, defaults={"verified": True, "primary": True})
notice = PrivacyNotice.objects.order_by("-version").first()
if notice is not None:
    PrivacyConsent.objects.get_or_create(user=focal.user, notice=notice, defaults={"consented_at": timezone.now()})
client = Client()
client.force_login(focal.user)
print(agency.pk, client.cookies["sessionid"].value)
"""


def prepare(env: dict) -> dict:
    agency, cookie = seed_database(env, SEED).split()
    return {"agency": agency, "cookie": cookie}


def check_pages(page_url: str, floor_url: str, cookie: str) -> None:
    """Both answer 200 with the agency's data: wrk counts a redirect (to sign in) as a served page."""
    for url in (page_url, floor_url):
        result = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", f"Cookie: sessionid={cookie}", url],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.stdout != "200":
            sys.exit(f"{url} answered {result.stdout}, not 200: the figures would be meaningless")


def write_report(pairs: list, duration: int, rounds: int, load: float) -> str:
    ratios = [page["rps"] / floor["rps"] for floor, page in pairs]
    floor, page = sorted(pairs, key=lambda pair: pair[1]["rps"] / pair[0]["rps"])[len(pairs) // 2]
    lines = [
        SECTION,
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `bench/agency_bench.py`: an agency of 5,000 officers "
        "with ten years of history (120 past sessions, 3,600 attendances and certificates, 50 requests, 100 pending "
        "officers, 300 upcoming registrations), its focal point's `/agency/` against the floor "
        "(`trainingops.views.bench_floor_agency`: the year's figures by two bare aggregates, each list's count "
        "and first 25 rows by `.values()`, a bare template; same middleware and session cookie). gunicorn, 2 sync "
        f"workers, DEBUG off, PostgreSQL with persistent connections, wrk on loopback, 8 connections, {duration} s "
        f"per run, page and floor alternated {rounds} times; {os.cpu_count()} CPUs shared with other work, load "
        f"average {load:.1f} when the run started. Figures are the round with the median ratio.",
        "",
        "| page | floor req/s | page req/s | page / floor | goal | page p99 | every round |",
        "|---|---:|---:|---:|---:|---:|---|",
        f"| `/agency/` (5,000 officers, 10 years) | {floor['rps']:.0f} | {page['rps']:.0f} "
        f"| **{statistics.median(ratios):.2f}** | ≥ {GOAL:.2f} | {page['p99']:.0f} ms "
        f"| {', '.join(f'{r:.2f}' for r in ratios)} |",
    ]
    return write_section(SECTION, "\n".join([*lines, ""]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3, help="page and floor runs, alternated")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    args = parser.parse_args()
    pairs = []
    with serving(args.database_url, prepare) as (wrk, seed, base):
        headers = (f"Cookie: sessionid={seed['cookie']}",)
        page_url, floor_url = f"{base}/agency/", f"{base}/bench/floor/agency/{seed['agency']}"
        check_pages(page_url, floor_url, seed["cookie"])
        for url in (page_url, floor_url):
            run_wrk(wrk, url, 1, headers=headers)  # warm both workers
        load = os.getloadavg()[0]
        for _ in range(args.rounds):
            floor = run_wrk(wrk, floor_url, args.duration, headers=headers)
            page = run_wrk(wrk, page_url, args.duration, headers=headers)
            if page["errors"] or floor["errors"]:
                sys.exit(f"agency: non-2xx responses (page {page['errors']}, floor {floor['errors']})")
            print(f"agency: floor {floor['rps']:.0f} req/s, page {page['rps']:.0f} req/s: "
                  f"{page['rps'] / floor['rps']:.2f}", flush=True)  # fmt: skip
            pairs.append((floor, page))
    print(write_report(pairs, args.duration, args.rounds, load))


if __name__ == "__main__":
    main()
