import importlib.util
import json
import sys

import pytest

from tests.settings_variables import ROOT

# Stands in for pip-audit and the registry: writes the report given for the file it audits
# (the whole requirements file, or the one-line probe), or none when the audit "did not finish".
FAKE_PIP_AUDIT = """
import json, sys
from pathlib import Path
arguments = sys.argv[1:]
requirements = Path(arguments[arguments.index("--requirement") + 1])
kind = "probe" if len(requirements.read_text().splitlines()) == 1 else "full"
report = json.loads(Path(sys.argv[0]).with_name("reports.json").read_text())[kind]
if report is None:
    sys.exit("requests.exceptions.ConnectionError: Max retries exceeded")
Path(arguments[arguments.index("--output") + 1]).write_text(json.dumps(report))
sys.exit(1 if any(package.get("vulns") for package in report["dependencies"]) else 0)
"""
ANSWERED = {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}], "fixes": []}
NO_DATA = {"dependencies": [{"name": "django", "skip_reason": "Dependency not found on PyPI"}], "fixes": []}


@pytest.fixture
def audit_requirements(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("audit_requirements", ROOT / "bin" / "audit_requirements.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (tmp_path / "fake_pip_audit.py").write_text(FAKE_PIP_AUDIT)
    monkeypatch.setattr(module, "PIP_AUDIT", [sys.executable, str(tmp_path / "fake_pip_audit.py")])
    return module


@pytest.fixture
def requirements(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text("django==5.2.19 \\\n    --hash=sha256:00\ncelery==5.7.0 \\\n    --hash=sha256:11\n")
    return path


def _registry(tmp_path, *, full, probe):
    (tmp_path / "reports.json").write_text(json.dumps({"full": full, "probe": probe}))


def test_audit_requirements_no_vulnerability_passes(audit_requirements, requirements, tmp_path, capsys):
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.19", "vulns": []},
            {"name": "celery", "version": "5.7.0", "vulns": []},
        ],
        "fixes": [],
    }
    _registry(tmp_path, full=report, probe=ANSWERED)

    status = audit_requirements.audit(requirements)

    assert (status, capsys.readouterr().out) == (0, "No known vulnerability in the 2 pinned packages.\n")


def test_audit_requirements_known_vulnerability_fails(audit_requirements, requirements, tmp_path, capsys):
    vulnerability = {"id": "PYSEC-2026-1", "fix_versions": ["5.2.20"]}
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.19", "vulns": [vulnerability]},
            {"name": "celery", "version": "5.7.0", "vulns": []},
        ],
        "fixes": [],
    }
    _registry(tmp_path, full=report, probe=ANSWERED)

    status = audit_requirements.audit(requirements)

    assert (status, capsys.readouterr().out) == (
        1,
        "Known vulnerabilities in the pinned requirements:\n  django 5.2.19: PYSEC-2026-1 (fixed in 5.2.20)\n",
    )


def test_audit_requirements_registry_without_vulnerability_data_warns(
    audit_requirements, requirements, tmp_path, capsys
):
    report = {
        "dependencies": [
            {"name": "django", "skip_reason": "Dependency not found on PyPI"},
            {"name": "celery", "version": "5.7.0", "vulns": []},
        ],
        "fixes": [],
    }
    _registry(tmp_path, full=report, probe=NO_DATA)

    status = audit_requirements.audit(requirements)

    assert (status, capsys.readouterr().out) == (
        0,
        "WARNING: the registry gave no vulnerability data for 1 of 2 pinned packages: django\n",
    )


def test_audit_requirements_registry_not_answering_warns(audit_requirements, requirements, tmp_path, capsys):
    _registry(tmp_path, full=None, probe=None)

    status = audit_requirements.audit(requirements)

    assert (status, capsys.readouterr().out) == (
        0,
        "WARNING: the registry's vulnerability feed did not answer; nothing was audited.\n",
    )


def test_audit_requirements_failure_while_registry_answers_fails(audit_requirements, requirements, tmp_path):
    _registry(tmp_path, full=None, probe=ANSWERED)

    status = audit_requirements.audit(requirements)

    assert status == 1
