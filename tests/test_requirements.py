import re

from tests.settings_variables import ROOT


def _locked_requirements() -> dict[str, list[str]]:
    """Each requirement of requirements.txt with the hashes listed under it."""
    entries: dict[str, list[str]] = {}
    text = (ROOT / "requirements.txt").read_text()
    for entry in re.split(r"\n(?=[^\s#])", text):
        lines = [line.strip() for line in entry.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        if lines:
            entries[lines[0].rstrip(" \\")] = [h for line in lines[1:] for h in re.findall(r"--hash=sha256:\w+", line)]
    return entries


def test_requirements_pin_every_package_with_its_hashes():
    entries = _locked_requirements()

    assert [name for name, hashes in entries.items() if "==" not in name or not hashes] == []


def test_requirements_lock_every_direct_dependency():
    direct = {
        line.split("==")[0].split("[")[0].lower()
        for line in (ROOT / "requirements.in").read_text().splitlines()
        if "==" in line
    }
    locked = {name.split("==")[0] for name in _locked_requirements()}

    assert direct - locked == set()


def test_make_and_docker_install_only_hashed_packages():
    makefile = (ROOT / "Makefile").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert [line.strip() for line in makefile.splitlines() if "pip install" in line] == [
        "$(BIN)/pip install --quiet --require-hashes -r requirements.txt"
    ]
    assert [line for line in dockerfile.splitlines() if "pip install" in line] == [
        "RUN pip install --require-hashes -r requirements.txt"
    ]
