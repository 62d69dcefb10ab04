"""Run the web server, a Celery worker and Celery beat together for `make run`.

A worker or beat that exits (Celery can give up on a broker that went away) is started again, as
docker-compose's `restart: unless-stopped` does; when the web server exits, or on Ctrl-C / SIGTERM,
all three are stopped, so nothing is left running. Once
the web server answers, prints where it is and the demo logins again (the worker's and beat's start
banners would otherwise have scrolled them away).
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CELERY = str(Path(PYTHON).with_name("celery"))
VAR = ROOT / "var"


def run_address(environ) -> str:
    """Where the web server listens: ``RUN_ADDRESS`` as given, else 127.0.0.1 on ``PORT`` (8000)."""
    if environ.get("RUN_ADDRESS"):
        return environ["RUN_ADDRESS"]
    port = environ.get("PORT") or "8000"
    if not (port.isdigit() and 0 < int(port) < 65536):
        raise SystemExit(f"PORT must be a number from 1 to 65535, not {port!r}.")
    return f"127.0.0.1:{port}"


ADDRESS = run_address(os.environ)
# Links in emails, calendar files and certificates point at this server unless SITE_URL says otherwise.
# Emails are printed as a summary (recipient, subject, links; messaging/backends.py) unless EMAIL_URL says otherwise.
CHILD_ENVIRONMENT = {
    **os.environ,
    "SITE_URL": os.environ.get("SITE_URL") or f"http://{ADDRESS}",
    "EMAIL_URL": os.environ.get("EMAIL_URL") or "summarymail://",
}

PROCESSES = {
    "web": [PYTHON, "manage.py", "runserver", ADDRESS, "--noreload"],
    "worker": [CELERY, "-A", "trainingops", "worker", "--loglevel=INFO", "--concurrency=2"],
    "beat": [CELERY, "-A", "trainingops", "beat", "--loglevel=INFO", "--schedule", str(VAR / "celerybeat-schedule")],
}

# Restarted when they exit; the web server is not: its exit ends `make run`.
RESTARTED = ("worker", "beat")

stop_requested = False


def _request_stop(signum, frame):
    global stop_requested
    stop_requested = True


def _wait_for_web(timeout: float = 30.0) -> bool:
    host, port = ADDRESS.rsplit(":", 1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not stop_requested:
        try:
            with socket.create_connection((host, int(port)), timeout=1):
                return True
        except OSError:
            time.sleep(0.5)
    return False


def _print_banner() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trainingops.settings")
    import django

    django.setup()
    from demo.program import DEMO_PASSWORD, demo_logins

    url = f"http://{ADDRESS}"
    lines = [f"TrainingOps is running on {url} (health: {url}/healthz), with a Celery worker and beat."]
    lines.append(f"Demo logins (password: {DEMO_PASSWORD}):")
    lines += [f"  {role:<8} {email:<32} {url}{path}" for role, email, path in demo_logins()]
    lines.append("Ctrl-C stops all three.")
    print("\n".join(["", "=" * 78, *lines, "=" * 78, ""]), flush=True)


def _stop(children) -> None:
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children.values():
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()


def main() -> int:
    VAR.mkdir(exist_ok=True)
    signal.signal(signal.SIGINT, _request_stop)
    signal.signal(signal.SIGTERM, _request_stop)
    children = {
        name: subprocess.Popen(command, cwd=ROOT, env=CHILD_ENVIRONMENT)  # noqa: S603
        for name, command in PROCESSES.items()
    }
    exit_code = 0
    try:
        if _wait_for_web():
            _print_banner()
        while not stop_requested:
            if children["web"].poll() is not None:
                print(f"web exited with {children['web'].returncode}; stopping the others.", flush=True)
                exit_code = children["web"].returncode or 1
                break
            for name in RESTARTED:
                if children[name].poll() is not None:
                    print(f"{name} exited with {children[name].returncode}; starting it again.", flush=True)
                    children[name] = subprocess.Popen(PROCESSES[name], cwd=ROOT, env=CHILD_ENVIRONMENT)  # noqa: S603
            time.sleep(1)
    finally:
        _stop(children)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
