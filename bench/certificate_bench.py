"""Certificate benchmark: the time to draw one PDF certificate, by the scripts on it.

    python bench/certificate_bench.py [--runs 15] [--no-doc]

A certificate loads only the fonts its text needs, so its cost depends on the scripts in the
officer's name, agency and session title. For each case below this measures, in one process,
the first certificate (fonts' character maps read from disk) and then the median of ``--runs``
more. No database is needed: the certificates are not saved.

Targets: a Latin-only certificate under 100 ms, the mixed-script one under 1 s. The figures
are written to the "Certificates" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal

from common import CHECKIN_SIGNING_KEY, ROOT, use_project

use_project(CHECKIN_SIGNING_KEY=CHECKIN_SIGNING_KEY, LOG_LEVEL="WARNING")

import django  # noqa: E402

django.setup()

from sessions.models import Certificate  # noqa: E402
from sessions.services.certificates import render_certificate_pdf  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
CASES = {
    "Latin only": ("José Núñez", "Policía Federal Ministerial", "Tracing illicit funds", "Lena Berg"),
    "Arabic": ("محمد عبد الله", "شرطة دبي", "تتبع الأموال غير المشروعة", "Lena Berg"),
    "Korean (Noto Sans CJK)": ("김민준", "경찰청 사이버수사국", "가상자산 추적", "Lena Berg"),
    "mixed: Hangul, Arabic, Hebrew, Han, Thai, Devanagari, Georgian, Armenian": (
        "김민준 (Kim Min-jun)",
        "شرطة دبي — Dubai Police",
        "ניתוח מטבעות קריפטוגרפיים · 加密货币调查 · การสืบสวน",
        "Lena Berg, राजेश कुमार शर्मा, ნინო ბერიძე, Արամ Պետրոսյան",
    ),
}


def certificate(name: str, agency: str, title: str, trainers: str) -> Certificate:
    return Certificate(
        code="ABCD-EFGH-JKLM",
        officer_name=name,
        agency_name=agency,
        session_title=title,
        session_date=date(2025, 3, 14),
        hours=Decimal("3.5"),
        trainer_names=trainers,
        attendance_status="present",
        language="en",
    )


def measure(fields: tuple[str, str, str, str], runs: int) -> tuple[float, float, int]:
    cert = certificate(*fields)
    started = time.perf_counter()
    size = len(render_certificate_pdf(certificate=cert))
    first = time.perf_counter() - started
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        render_certificate_pdf(certificate=cert)
        times.append(time.perf_counter() - started)
    return first, statistics.median(times), size


def write_doc(lines: list[str]) -> None:
    section = "## Certificates\n\n" + "\n".join(lines) + "\n"
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    pattern = re.compile(r"^## Certificates\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-doc", action="store_true", help="print only, leave docs/benchmarks.md alone")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    results = {label: measure(fields, args.runs) for label, fields in CASES.items()}
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Measured {when} by `bench/certificate_bench.py`: one process, cases in the order below, "
        f"median of {args.runs} certificates after the first; {os.cpu_count()} CPUs, load average "
        f"{load:.1f} when the run started.",
        "",
        "| certificate | first in process | then (median) | PDF size |",
        "|---|---:|---:|---:|",
    ]
    for label, (first, median, size) in results.items():
        lines.append(f"| {label} | {first * 1000:.0f} ms | {median * 1000:.0f} ms | {size / 1024:.0f} KiB |")
    lines += [
        "",
        "The first certificate of a process also reads each font's character map (Noto Sans CJK's "
        "takes ~0.1 s); those are kept for the process. Every certificate then parses and subsets the "
        "fonts its text needs: Source Sans Pro always, Noto Sans CJK (16 MB) only when there is Chinese, "
        "Japanese or Korean text, which is most of the cost of the last two rows.",
    ]
    print("\n".join(lines))
    if not args.no_doc:
        write_doc(lines)
    latin, mixed = results["Latin only"][1], list(results.values())[-1][1]
    ok = latin < 0.1 and mixed < 1
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
