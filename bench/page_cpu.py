"""CPU time per request, measured in-process: each of pages_bench's pages against its floor view.

wrk's requests per second on a machine shared with other work mostly measure the neighbours. This
script measures what a saturated worker spends: ``time.process_time()`` of this process per request,
through Django's WSGI handler (the test ``Client``: every middleware, authentication, the view and the
renderer; DEBUG off), with the number of queries and the wall time spent inside the database driver
(``connection.execute_wrapper``). The page and its floor are alternated, ``--requests`` calls each per
round, ``--rounds`` rounds; the figures are the medians over the rounds. ``floor CPU / page CPU``
approximates ``page req/s / floor req/s`` when the CPU is saturated (the database shares the CPU in
production too: its wall time is printed beside, not included in the CPU figure, since PostgreSQL runs in
another process).

Same seed and floor views as bench/pages_bench.py (same database by default).

    .venv/bin/python bench/page_cpu.py [--requests 30] [--rounds 5] [--only NAME] [--profile NAME] [--markdown]

``--profile NAME`` runs the page NAME ``--requests`` times under cProfile and prints the top functions by
cumulative and by own time instead.
"""

import argparse
import cProfile
import functools
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api_bench import bench_env, ensure_database  # noqa: E402
from pages_bench import DEFAULT_DATABASE_URL, PAGES, prepare  # noqa: E402


class DatabaseClock:
    """Counts queries and the wall time spent in the driver."""

    def __init__(self):
        self.queries = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


@functools.cache
def _client(caller: str, token: str):
    from django.test import Client

    if caller == "cookie":
        client = Client()
        client.cookies["sessionid"] = token
        return client
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def client_for(caller: str, seed: dict):
    """One client per caller, reused: its handler loads the middleware (WhiteNoise scans files) once."""
    return _client(caller, seed[caller])


def measure(client, path: str, requests: int) -> dict:
    from django.db import connection

    clock = DatabaseClock()
    with connection.execute_wrapper(clock):
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(requests):
            response = client.get(path)
            if response.status_code != 200:
                sys.exit(f"{path}: HTTP {response.status_code}")
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "cpu_ms": cpu * 1000 / requests,
        "wall_ms": wall * 1000 / requests,
        "db_ms": clock.seconds * 1000 / requests,
        "queries": clock.queries / requests,
    }


def median_of(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="calls per page per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default="", help="measure only the pages whose name contains this")
    parser.add_argument("--profile", default="", help="profile this page instead of measuring")
    parser.add_argument("--no-seed", action="store_true", help="the database is already seeded (reuse its tokens)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table row per page")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    args = parser.parse_args()

    env = bench_env(args.database_url)
    env["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    ensure_database(args.database_url)
    seed_file = Path(__file__).resolve().parent.parent / "var" / f"page_cpu_seed_{args.database_url.rsplit('/', 1)[1]}"
    if args.no_seed and seed_file.exists():
        seed = dict(zip(("sheet", "manager", "officer", "cookie"), seed_file.read_text().split(), strict=True))
    else:
        seed = prepare(env)
        seed_file.write_text(" ".join(seed[key] for key in ("sheet", "manager", "officer", "cookie")))
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "trainingops.settings"
    import django

    django.setup()

    pages = [page for page in PAGES if args.only in page[0] and (not args.profile or page[0] == args.profile)]
    for _name, _what, path, caller, floor_path, _goal in pages:  # warm caches, templates, connections
        client = client_for(caller, seed)
        measure(client, path.format(**seed), 3)
        measure(client, floor_path.format(**seed), 3)

    if args.profile:
        name, _what, path, caller, _floor, _goal = pages[0]
        client = client_for(caller, seed)
        profiler = cProfile.Profile(time.process_time)  # CPU time: wall time mostly measures the neighbours
        profiler.enable()
        for _ in range(args.requests):
            client.get(path.format(**seed))
        profiler.disable()
        profiler.dump_stats(str(seed_file.parent / f"page_cpu_{name}.prof"))
        stats = pstats.Stats(profiler).strip_dirs()
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
        return

    load = os.getloadavg()[0]
    rows = []
    for name, what, path, caller, floor_path, goal in pages:
        client = client_for(caller, seed)
        page_runs, floor_runs = [], []
        for round_ in range(args.rounds):
            order = [(floor_runs, floor_path), (page_runs, path)]
            for runs, url in order if round_ % 2 == 0 else reversed(order):
                runs.append(measure(client, url.format(**seed), args.requests))
        page, floor = median_of(page_runs), median_of(floor_runs)
        ratios = [f["cpu_ms"] / p["cpu_ms"] for f, p in zip(floor_runs, page_runs, strict=True)]
        ratio = floor["cpu_ms"] / page["cpu_ms"]
        rows.append((what, goal, floor, page, ratio, ratios))
        print(
            f"{name}: floor {floor['cpu_ms']:.2f} ms CPU ({floor['queries']:.0f} q, db {floor['db_ms']:.2f} ms), "
            f"page {page['cpu_ms']:.2f} ms CPU ({page['queries']:.0f} q, db {page['db_ms']:.2f} ms, "
            f"wall {page['wall_ms']:.2f} ms): floor/page {ratio:.2f} (goal {goal:.2f}); rounds "
            + ", ".join(f"{r:.2f}" for r in ratios),
            flush=True,
        )
    print(f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    if args.markdown:
        for what, goal, floor, page, ratio, ratios in rows:
            print(
                f"| {what} | ≥ {goal:.2f} | {floor['cpu_ms']:.1f} ms, {floor['queries']:.0f} q | "
                f"{page['cpu_ms']:.1f} ms, {page['queries']:.0f} q, db {page['db_ms']:.1f} ms | **{ratio:.2f}** | "
                + ", ".join(f"{r:.2f}" for r in ratios)
                + " |"
            )


if __name__ == "__main__":
    main()
