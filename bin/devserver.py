"""Run the web server, a Celery worker and Celery beat together for `make run`.

Stops all three when any of them exits or on Ctrl-C, so nothing is left running.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CELERY = str(Path(PYTHON).with_name("celery"))
VAR = ROOT / "var"

PROCESSES = {
    "web": [PYTHON, "manage.py", "runserver", os.environ.get("RUN_ADDRESS", "127.0.0.1:8000"), "--noreload"],
    "worker": [CELERY, "-A", "trainingops", "worker", "--loglevel=INFO", "--concurrency=2"],
    "beat": [CELERY, "-A", "trainingops", "beat", "--loglevel=INFO", "--schedule", str(VAR / "celerybeat-schedule")],
}


def main() -> int:
    VAR.mkdir(exist_ok=True)
    children = {name: subprocess.Popen(command, cwd=ROOT) for name, command in PROCESSES.items()}  # noqa: S603
    print("Serving on http://127.0.0.1:8000 with a Celery worker and beat. Ctrl-C stops all three.", flush=True)
    exit_code = 0
    try:
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    print(f"{name} exited with {child.returncode}; stopping the others.", flush=True)
                    exit_code = child.returncode or 1
                    raise KeyboardInterrupt
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children.values():
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
