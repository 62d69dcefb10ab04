import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import django
django.setup()
from messaging.services import enqueue_delivery
enqueue_delivery([1, 2, 3])
print("returned")
"""


def test_enqueue_delivery_dead_redis_fails_fast_without_raising(tmp_path):
    # A broker on a closed port: publishing must give up quickly and leave rows to the sweep.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "trainingops.settings",
        "DEBUG": "true",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)

    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "returned"
    assert "Broker unavailable: messaging.tasks.deliver_messages left for the periodic sweep" in result.stderr
