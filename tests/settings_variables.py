"""The environment variables that ``trainingops/settings.py`` reads, found in its source."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = ROOT / "trainingops" / "settings.py"
# env.str("X", ...), env.db("X"), env("X"), environ.Env().str("X"), os.environ.get("X"), os.environ["X"]
_PATTERN = re.compile(r"""(?:[Ee]nv(?:\(\))?(?:\.\w+)?\(|os\.environ(?:\.get\(|\[))\s*["']([A-Z][A-Z0-9_]*)["']""")


def variables_read_by_settings() -> set[str]:
    return set(_PATTERN.findall(SETTINGS_FILE.read_text()))
