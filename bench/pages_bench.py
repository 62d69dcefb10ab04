"""Slow pages against their floors: five pages, each beside a bare view serving the same data.

| page | floor (routed with BENCH_FLOOR_VIEW) |
|---|---|
| `GET /api/v1/sessions/{id}/attendance/`, 200 attendees, as a manager | `.values()` of the same lines + `JsonResponse` |
| portal `/sessions/` (12 cards, filter form), as an officer | the same 12 sessions via `.values()`, bare template |
| portal `/` (6 cards), as an officer | the same 6 sessions via `.values()`, bare template |
| `GET /api/v1/sessions/?page_size=50` as an officer | 50 sessions via `.values()` + `JsonResponse` |
| `GET /api/v1/sessions/?page_size=50` as a manager | the same floor |

Runs gunicorn (2 sync workers, DEBUG off, persistent PostgreSQL connections) and wrk (installed with
apt-get when missing, see api_bench.ensure_wrk) on loopback with 8 connections; page and floor are
alternated, each pair ``--rounds`` times, and the median ratio is reported. Writes the figures under
"Pages against their floors" in docs/benchmarks.md.

    .venv/bin/python bench/pages_bench.py [--duration 5] [--rounds 3] [--database-url postgres://…] [--only NAME]
"""

import argparse
import os
import statistics
import sys
from datetime import UTC, datetime

from api_bench import SESSIONS_SEED, run_wrk, seed_database, serving, write_section

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/trainingops_pages_bench"
SECTION = "## Pages against their floors"

SEED = (
    SESSIONS_SEED
    + """
from django.test import Client
from knox.models import AuthToken
from tests.factories import AttendanceFactory, ManagerFactory, OfficerFactory, RegistrationFactory
from sessions.models import Registration
from accounts.models import User
from agencies.models import Officer
sheet = TrainingSession.objects.filter(title="Bench attendance sheet").first()
if sheet is None:
    sheet = TrainingSessionFactory(
        title="Bench attendance sheet", capacity=None, timezone="America/Mexico_City",
        starts_at=timezone.now() - timedelta(days=2),
    )
    for n in range(200):
        registration = RegistrationFactory(session=sheet)
        if n % 4:
            AttendanceFactory(registration=registration, checked_in_at=sheet.starts_at, note="on time" if n % 3 else "")
officer = Officer.objects.filter(user__email="bench-officer@policia.gob.mx").first() or OfficerFactory(
    user__email="bench-officer@policia.gob.mx"
)
if not Registration.objects.filter(officer=officer).exists():
    for session in TrainingSession.objects.exclude(pk=sheet.pk).order_by("starts_at")[:3]:
        RegistrationFactory(session=session, officer=officer)
manager = User.objects.filter(email="bench-manager@trainingops.example").first() or ManagerFactory(
    email="bench-manager@trainingops.example"
)
AuthToken.objects.filter(user__in=[manager, officer.user]).delete()
client = Client()
client.force_login(officer.user)
print(sheet.pk, AuthToken.objects.create(user=manager)[1], AuthToken.objects.create(user=officer.user)[1],
      client.cookies["sessionid"].value)
"""
)

# (name, what the page is, its path, who calls it, the floor's path, the goal as a share of the floor)
PAGES = [
    ("attendance", "`GET /api/v1/sessions/{id}/attendance/` (200 attendees, manager)", "/api/v1/sessions/{sheet}/attendance/",
     "manager", "/bench/floor/attendance/{sheet}", 0.6),
    ("portal-list", "portal `/sessions/` (12 cards and the filter form, officer)", "/sessions/", "cookie",
     "/bench/floor/portal/12", 0.5),
    ("portal-landing", "portal `/` (6 cards, officer)", "/", "cookie", "/bench/floor/portal/6", 0.6),
    ("list-officer", "`GET /api/v1/sessions/?page_size=50` as an officer", "/api/v1/sessions/?page_size=50",
     "officer", "/bench/floor/sessions", 0.7),
    ("list-manager", "`GET /api/v1/sessions/?page_size=50` as a manager", "/api/v1/sessions/?page_size=50",
     "manager", "/bench/floor/sessions", 0.7),
]  # fmt: skip


def prepare(env: dict) -> dict:
    sheet, manager, officer, cookie = seed_database(env, SEED).split()
    return {"sheet": sheet, "manager": manager, "officer": officer, "cookie": cookie}


def headers_for(caller: str, seed: dict) -> tuple[str, ...]:
    if caller == "cookie":
        return (f"Cookie: sessionid={seed['cookie']}",)
    return (f"Authorization: Token {seed[caller]}",)


def write_report(results: dict, duration: int, rounds: int, load: float) -> str:
    lines = [
        SECTION,
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `bench/pages_bench.py`: gunicorn, 2 sync workers, "
        "DEBUG off, PostgreSQL with persistent connections, wrk on loopback, 8 connections, "
        f"{duration} s per run, each page and its floor alternated {rounds} times; {os.cpu_count()} CPUs shared "
        f"with other work, load average {load:.1f} when the run started. Figures are the round with the median ratio; "
        "the floor passes the same middleware and authentication (the portal's floors get the same session cookie) "
        "but no DRF, no serializer, no layout and no form.",
        "",
        "| page | floor req/s | page req/s | page / floor | goal | page p99 | every round |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, what, _path, _caller, _floor, goal in PAGES:
        if name not in results:
            continue
        pairs = results[name]
        ratios = [page["rps"] / floor["rps"] for floor, page in pairs]
        floor, page = sorted(pairs, key=lambda pair: pair[1]["rps"] / pair[0]["rps"])[len(pairs) // 2]
        ratio = statistics.median(ratios)
        lines.append(
            f"| {what} | {floor['rps']:.0f} | {page['rps']:.0f} | **{ratio:.2f}** | ≥ {goal:.2f} "
            f"| {page['p99']:.0f} ms | {', '.join(f'{r:.2f}' for r in ratios)} |"
        )
    return write_section(SECTION, "\n".join([*lines, ""]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3, help="page and floor runs, alternated")
    parser.add_argument("--only", default="", help="measure only the pages whose name contains this")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    args = parser.parse_args()
    pages = [page for page in PAGES if args.only in page[0]]
    results: dict[str, list] = {name: [] for name, *_ in pages}
    with serving(args.database_url, prepare) as (wrk, seed, base):
        for _name, _what, path, caller, _floor, _goal in pages:
            run_wrk(wrk, base + path.format(**seed), 1, headers=headers_for(caller, seed))  # warm both workers
        load = os.getloadavg()[0]
        for _ in range(args.rounds):
            for name, _what, path, caller, floor_path, _goal in pages:
                headers = headers_for(caller, seed)
                floor = run_wrk(wrk, base + floor_path.format(**seed), args.duration, headers=headers)
                page = run_wrk(wrk, base + path.format(**seed), args.duration, headers=headers)
                if page["errors"] or floor["errors"]:
                    sys.exit(f"{name}: non-2xx responses (page {page['errors']}, floor {floor['errors']})")
                print(f"{name}: floor {floor['rps']:.0f} req/s, page {page['rps']:.0f} req/s: "
                      f"{page['rps'] / floor['rps']:.2f}", flush=True)  # fmt: skip
                results[name].append((floor, page))
    print(write_report(results, args.duration, args.rounds, load))


if __name__ == "__main__":
    main()
