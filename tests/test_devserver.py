"""`make run`'s runner prints the demo logins it seeded (bin/devserver.py)."""

import importlib.util
from pathlib import Path

import pytest

DEVSERVER = Path(__file__).resolve().parents[1] / "bin" / "devserver.py"


def test_devserver_banner_names_the_demo_logins(capsys):
    spec = importlib.util.spec_from_file_location("devserver", DEVSERVER)
    devserver = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(devserver)

    devserver._print_banner()

    printed = capsys.readouterr().out
    assert "Demo logins (password: demo-password-2026):" in printed
    assert "manager@trainingops.example" in printed


def load_devserver():
    spec = importlib.util.spec_from_file_location("devserver", DEVSERVER)
    devserver = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(devserver)
    return devserver


def test_devserver_address_takes_port():
    assert load_devserver().run_address({"PORT": "8001"}) == "127.0.0.1:8001"


def test_devserver_address_defaults_to_port_8000():
    assert load_devserver().run_address({}) == "127.0.0.1:8000"


def test_devserver_address_run_address_wins_over_port():
    assert load_devserver().run_address({"RUN_ADDRESS": "0.0.0.0:9000", "PORT": "8001"}) == "0.0.0.0:9000"


@pytest.mark.parametrize("port", ["abc", "0", "70000"])
def test_devserver_address_refuses_a_bad_port(port):
    with pytest.raises(SystemExit, match="PORT must be a number from 1 to 65535"):
        load_devserver().run_address({"PORT": port})


def test_devserver_links_point_at_its_port(monkeypatch):
    monkeypatch.setenv("PORT", "8001")
    monkeypatch.delenv("RUN_ADDRESS", raising=False)
    monkeypatch.delenv("SITE_URL", raising=False)

    devserver = load_devserver()

    assert (devserver.ADDRESS, devserver.CHILD_ENVIRONMENT["SITE_URL"]) == ("127.0.0.1:8001", "http://127.0.0.1:8001")
    assert devserver.PROCESSES["web"][3] == "127.0.0.1:8001"


def test_make_run_passes_port_to_the_runner():
    makefile = (DEVSERVER.parents[1] / "Makefile").read_text()

    assert "PORT ?= 8000" in makefile
    assert "DEBUG=true PORT=$(PORT) $(BIN)/python bin/devserver.py" in makefile


def test_devserver_prints_emails_as_summaries_by_default(monkeypatch):
    monkeypatch.delenv("EMAIL_URL", raising=False)
    assert load_devserver().CHILD_ENVIRONMENT["EMAIL_URL"] == "summarymail://"


def test_devserver_keeps_an_email_url_that_is_set(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp://127.0.0.1:1025")
    assert load_devserver().CHILD_ENVIRONMENT["EMAIL_URL"] == "smtp://127.0.0.1:1025"
