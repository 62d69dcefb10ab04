"""Run every benchmark in this folder (``bench/*_bench.py``), one subprocess each, and report failures.

python bench/run.py [name ...]     # e.g. python bench/run.py invite
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(selected: list[str]) -> int:
    scripts = sorted(HERE.glob("*_bench.py"))
    if selected:
        scripts = [script for script in scripts if any(name in script.stem for name in selected)]
    failed = []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        if subprocess.run([sys.executable, str(script)], check=False).returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
