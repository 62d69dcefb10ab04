"""The outbox knows nothing of sessions: sessions use messaging, never the other way round."""

import ast
from pathlib import Path

MESSAGING = Path(__file__).resolve().parents[2] / "messaging"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_messaging_imports_no_app_that_uses_it():
    offenders = {
        f"{path.relative_to(MESSAGING)}: {module}"
        for path in MESSAGING.rglob("*.py")
        if "migrations" not in path.parts
        for module in _imported_modules(path)
        if module.split(".")[0] in {"sessions", "agencies", "reports"}
    }

    assert offenders == set()
