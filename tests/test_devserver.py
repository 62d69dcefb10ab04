"""`make run`'s runner prints the demo logins it seeded (bin/devserver.py)."""

import importlib.util
from pathlib import Path

DEVSERVER = Path(__file__).resolve().parents[1] / "bin" / "devserver.py"


def test_devserver_banner_names_the_demo_logins(capsys):
    spec = importlib.util.spec_from_file_location("devserver", DEVSERVER)
    devserver = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(devserver)

    devserver._print_banner()

    printed = capsys.readouterr().out
    assert "Demo logins (password: demo-password-2026):" in printed
    assert "manager@trainingops.example" in printed
