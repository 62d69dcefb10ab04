"""What the benchmarks that run Django in their own process share: the project on the import path and
the environment Django starts with.

    from common import CHECKIN_SIGNING_KEY, ROOT, use_project

    use_project(DEBUG="false", CHECKIN_SIGNING_KEY=CHECKIN_SIGNING_KEY)
    import django  # noqa: E402
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The test settings' check-in key: a bench signs its own codes, never a deployment's.
CHECKIN_SIGNING_KEY = "dGVzdC1vbmx5LWNoZWNrLWluLWtleS0zMi1ieXRlcyE="


def use_project(**environment: str) -> None:
    """Make the project importable and set the settings module, a throwaway secret key and
    ``environment``'s values, each only where the environment does not already say otherwise."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trainingops.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    for name, value in environment.items():
        os.environ.setdefault(name, value)
