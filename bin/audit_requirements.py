"""Check the pinned requirements against the registry's vulnerability data: ``audit_requirements.py [FILE]``.

pip-audit exits 1 both when a package has a known vulnerability and when the registry did not
answer, so its JSON report tells them apart: pip-audit writes it only when the audit finished,
and a package the registry gave no data for is listed there as skipped. When no report comes,
the same audit of one pinned package tells whether the registry answers at all (an outage) or
the failure is ours (a malformed requirements file).

Exit status 1 means a pinned package has a known vulnerability, or pip-audit failed while the
registry answered. A registry that does not answer is a warning with status 0: an outage of the
vulnerability feed must not hold back a change that is unrelated to it.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIP_AUDIT = [sys.executable, "-m", "pip_audit"]


def run_pip_audit(requirements: Path) -> dict | None:
    """pip-audit's JSON report on ``requirements``, or None when the audit did not finish."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        # --disable-pip audits the pinned versions as written, without installing them anew.
        command = [*PIP_AUDIT, "--requirement", str(requirements), "--disable-pip", "--no-deps"]
        command += ["--progress-spinner", "off", "--format", "json", "--output", str(report)]
        completed = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if not report.exists():
            print(completed.stderr.strip()[-2000:], file=sys.stderr)
            return None
        return json.loads(report.read_text())


def vulnerable(report: dict) -> list[str]:
    return [
        f"{package['name']} {package['version']}: {vulnerability['id']} (fixed in {', '.join(vulnerability['fix_versions']) or 'no release yet'})"
        for package in report["dependencies"]
        for vulnerability in package.get("vulns", [])
    ]


def unanswered(report: dict) -> list[str]:
    return [package["name"] for package in report["dependencies"] if "skip_reason" in package]


def registry_answers(requirements: Path) -> bool:
    """Whether the registry gives vulnerability data for the first package pinned in ``requirements``."""
    first_pin = next(line.split()[0] for line in requirements.read_text().splitlines() if "==" in line)
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "probe.txt"
        probe.write_text(first_pin + "\n")
        report = run_pip_audit(probe)
    return report is not None and not unanswered(report)


def audit(requirements: Path) -> int:
    report = run_pip_audit(requirements)
    if report is None:
        if registry_answers(requirements):
            print(f"pip-audit failed on {requirements} although the registry answers.", file=sys.stderr)
            return 1
        print("WARNING: the registry's vulnerability feed did not answer; nothing was audited.")
        return 0
    if findings := vulnerable(report):
        print("Known vulnerabilities in the pinned requirements:", *findings, sep="\n  ")
        return 1
    if skipped := unanswered(report):
        print(
            f"WARNING: the registry gave no vulnerability data for {len(skipped)} of "
            f"{len(report['dependencies'])} pinned packages: {', '.join(skipped)}"
        )
        return 0
    print(f"No known vulnerability in the {len(report['dependencies'])} pinned packages.")
    return 0


if __name__ == "__main__":
    sys.exit(audit(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "requirements.txt"))
