"""Run every benchmark in bench/: each ``bench/*_bench.py`` in turn, in its own process.

    make bench            # or: .venv/bin/python bench/run.py [name-filter]

Benchmarks that need PostgreSQL read DATABASE_URL (and exit with a message without it). Exits
non-zero when any benchmark failed, after running them all.
"""

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def main() -> int:
    wanted = sys.argv[1] if len(sys.argv) > 1 else ""
    scripts = sorted(path for path in BENCH_DIR.glob("*_bench.py") if wanted in path.stem)
    if not scripts:
        print(f"No bench/*_bench.py matches {wanted!r}")
        return 1
    failed = []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=BENCH_DIR.parent, check=False)
        print(f"=== {script.name}: exit {result.returncode} in {time.perf_counter() - started:.1f} s ===", flush=True)
        if result.returncode:
            failed.append(script.name)
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
