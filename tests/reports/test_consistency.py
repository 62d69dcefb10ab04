"""The page, the CSV, the XLSX, the JSON, the command and the API give identical numbers on the same data."""

import csv
import html
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from reports.selectors import BREAKDOWN_COLUMNS, BREAKDOWNS, yearly_report


def text(value) -> str:
    """One spelling for every output: numbers as Python prints them, nothing as empty."""
    if value is None or value == "—":
        return ""
    if isinstance(value, str) and value.startswith("'"):
        value = value[1:]  # the formula-injection guard is not part of the value
    try:
        number = float(value)
    except ValueError:
        return str(value)
    # XLSX keeps 4.0 as the number 4: compare numbers by value.
    return str(int(number)) if number.is_integer() else str(number)


def expected_tables(report):
    summary = {row.metric: text(row.value) for row in report.summary_rows()}
    breakdowns = {
        by: [[text(row.key), row.label, *(text(getattr(row, column)) for column in BREAKDOWN_COLUMNS)] for row in rows]
        for by, rows in report.breakdowns.items()
    }
    return summary, breakdowns


def from_page(content: str):
    summary = {
        metric: text(html.unescape(value.strip()))
        for metric, value in re.findall(
            r'<tr data-metric="(\w+)"><th scope="row">[^<]*</th>\s*<td>([^<]*)</td>', content
        )
    }
    breakdowns = {}
    for by in BREAKDOWNS:
        section = content.split(f'id="breakdown-{by}"', 1)[1].split("</section>", 1)[0]
        breakdowns[by] = [
            [html.unescape(key), html.unescape(label), *cells.replace("<td>", "").split("</td>")[:-1]]
            for key, label, cells in re.findall(
                r'<tr data-key="([^"]*)"><th scope="row">([^<]*)</th>((?:<td>[^<]*</td>)+)</tr>', section
            )
        ]
    return summary, breakdowns


def from_csv(content: str):
    return [[text(cell) for cell in row] for row in csv.reader(io.StringIO(content))][1:]


def from_json(data: dict):
    summary = {"sessions_held": text(data["summary"]["sessions_held"])}
    summary.update({f"sessions_{key}": text(value) for key, value in data["summary"]["sessions_by_format"].items()})
    summary.update(
        {
            key: text(value)
            for key, value in data["summary"].items()
            if key not in summary and key != "sessions_by_format"
        }
    )
    breakdowns = {
        by: [[text(row["key"]), row["label"], *(text(row[column]) for column in BREAKDOWN_COLUMNS)] for row in rows]
        for by, rows in data["breakdowns"].items()
    }
    return summary, breakdowns


@pytest.fixture
def expected(program):
    return expected_tables(yearly_report(year=2024))


def test_page_numbers_match_report(client, manager_user, expected):
    client.force_login(manager_user)

    content = client.get(reverse("reports:yearly"), {"year": 2024}).content.decode()

    assert from_page(content) == expected


def test_csv_numbers_match_report(client, manager_user, expected):
    client.force_login(manager_user)
    url = reverse("reports:yearly-csv")

    summary = {row[0]: row[2] for row in from_csv(client.get(url, {"year": 2024}).content.decode())}
    breakdowns = {by: from_csv(client.get(url, {"year": 2024, "part": by}).content.decode()) for by in BREAKDOWNS}

    assert (summary, breakdowns) == expected


def test_xlsx_numbers_match_report(client, manager_user, expected):
    client.force_login(manager_user)

    workbook = load_workbook(io.BytesIO(client.get(reverse("reports:yearly-xlsx"), {"year": 2024}).content))

    sheets = [
        [[text(value) for value in row] for row in sheet.iter_rows(min_row=2, values_only=True)] for sheet in workbook
    ]
    summary = {row[0]: row[2] for row in sheets[0]}
    assert (summary, dict(zip(BREAKDOWNS, sheets[1:-2], strict=True))) == expected


def test_command_json_csv_and_api_numbers_match_report(manager_user, expected):
    out = io.StringIO()
    call_command("export_yearly_counts", "--year", "2024", "--format", "json", stdout=out)
    command_json = from_json(json.loads(out.getvalue()))
    out = io.StringIO()
    call_command("export_yearly_counts", "--year", "2024", "--by", "trainer", stdout=out)
    command_csv = from_csv(out.getvalue())
    api = APIClient()
    api.force_authenticate(manager_user)
    api_json = from_json(api.get("/api/v1/reports/yearly", {"year": 2024}).json())

    assert command_json == expected
    assert api_json == expected
    assert command_csv == expected[1]["trainer"]
