"""Container health checks for docker-compose.yml: ``healthcheck.py web`` or ``healthcheck.py beat``.

``web`` asks gunicorn for /healthz the way the TLS proxy would (an allowed Host, X-Forwarded-Proto:
https), so neither ALLOWED_HOSTS nor the HTTPS redirect turns a healthy server into a failure.
``beat`` checks that the scheduler has sent the pending-message sweep (every 2 minutes) recently.
Exit status 0 means healthy.
"""

import os
import sys
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _probe_host() -> str:
    hosts = [host.strip().lstrip(".") for host in os.environ.get("ALLOWED_HOSTS", "").split(",")]
    return next((host for host in hosts if host and "*" not in host), "localhost")


def check_web(url: str = "http://127.0.0.1:8000/healthz") -> int:
    request = urllib.request.Request(url, headers={"Host": _probe_host(), "X-Forwarded-Proto": "https"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 — a fixed local URL
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"web unhealthy: {error}", file=sys.stderr)
        return 1


def check_beat(max_age: timedelta = timedelta(minutes=10)) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trainingops.settings")
    import django

    django.setup()
    from django.utils import timezone
    from django_celery_beat.models import PeriodicTask

    last_run = (
        PeriodicTask.objects.filter(task="messaging.tasks.requeue_pending_messages")
        .values_list("last_run_at", flat=True)
        .first()
    )
    if last_run is None or timezone.now() - last_run > max_age:
        print(f"beat unhealthy: pending-message sweep last sent at {last_run}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    checks = {"web": check_web, "beat": check_beat}
    if len(sys.argv) != 2 or sys.argv[1] not in checks:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(checks)}}}")
    sys.exit(checks[sys.argv[1]]())
