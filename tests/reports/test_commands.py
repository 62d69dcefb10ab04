import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook


def run(*args) -> str:
    out = io.StringIO()
    call_command("export_yearly_counts", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_export_yearly_counts_csv_summary(program):
    rows = list(csv.reader(io.StringIO(run("--year", "2024"))))

    assert rows[0] == ["metric", "label", "2024", "2023", "change"]
    assert {row[0]: row[2] for row in rows[1:]}["officers_trained"] == "4"


def test_export_yearly_counts_csv_by_agency_escapes_formulas(program):
    rows = list(csv.reader(io.StringIO(run("--year", "2024", "--by", "agency"))))

    assert [row[1] for row in rows[1:]] == ["Gendarmerie", "Policía Federal", "'=Fiscalía"]


def test_export_yearly_counts_csv_file_has_a_byte_order_mark_and_standard_output_none(program, tmp_path):
    output = tmp_path / "counts.csv"

    printed = run("--year", "2024", "--by", "agency")
    run("--year", "2024", "--by", "agency", "--output", str(output))

    assert output.read_bytes() == b"\xef\xbb\xbf" + printed.encode()
    assert printed.startswith("key,")


def test_export_yearly_counts_json_to_file(program, tmp_path):
    output = tmp_path / "counts.json"

    run("--year", "2024", "--format", "json", "--output", str(output))

    data = json.loads(output.read_text())
    assert data["summary"]["attendances"] == 5
    assert list(data["breakdowns"]) == ["region", "country", "agency", "topic", "trainer", "format", "month"]


def test_export_yearly_counts_xlsx_by_month(program, tmp_path):
    output = tmp_path / "counts.xlsx"

    run("--year", "2024", "--by", "month", "--format", "xlsx", "--output", str(output))

    workbook = load_workbook(output)
    assert workbook.sheetnames == ["Summary", "Month", "Training requests", "Learning gain"]
    assert workbook["Month"].max_row == 13


def test_export_yearly_counts_filters(program):
    data = json.loads(run("--year", "2024", "--format", "json", "--region", "Europe", "--by", "region"))

    assert data["summary"]["officers_trained"] == 2
    assert [row["key"] for row in data["breakdowns"]["region"]] == ["Europe"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "twenty"], "The year must be a number such as 2024."),
        (["--year", "1999"], "The year must be between 2000 and 2100."),
        (["--year", "2024", "--by", "weekday"], "Unknown grouping 'weekday'"),
        (["--year", "2024", "--format", "pdf"], "Unknown format 'pdf': choose one of csv, xlsx, json."),
        (["--year", "2024", "--format", "xlsx"], "XLSX is a binary file: give --output FILE."),
        (["--year", "2024", "--session-format", "webinar"], "Unknown format 'webinar'"),
        (["--year", "2024", "--output", "/nonexistent/dir/x.csv"], "Cannot write /nonexistent/dir/x.csv"),
    ],
)
def test_export_yearly_counts_bad_arguments_raise_command_error(db, args, message):
    with pytest.raises(CommandError) as error:
        run(*args)

    assert str(error.value).startswith(message)


def test_export_yearly_counts_missing_year_is_an_error(db):
    with pytest.raises(CommandError, match="--year"):
        run()


def test_generate_load_data_creates_exactly_the_attendances_asked(db):
    from sessions.models import Attendance, Registration, TrainingSession

    out = io.StringIO()
    call_command("generate_load_data", "--attendances", "600", "--years", "3", stdout=out)

    assert Attendance.objects.count() == 600
    assert TrainingSession.objects.count() == 10
    assert Registration.objects.count() > 600  # future and cancelled sessions have registrations too
    assert out.getvalue().startswith("Generated ")


def test_generate_load_data_bad_count_is_an_error(db):
    with pytest.raises(CommandError, match="must be positive"):
        call_command("generate_load_data", "--attendances", "0")


def test_generate_load_data_rows_take_their_factory_defaults(db):
    from sessions.models import Trainer, TrainingSession
    from tests.factories import TrainerFactory, TrainingSessionFactory

    call_command("generate_load_data", "--attendances", "600", "--years", "3", stdout=io.StringIO())

    assert set(TrainingSession.objects.values_list("description", flat=True)) == {
        TrainingSessionFactory.build().description
    }
    assert {trainer.bio for trainer in Trainer.objects.all()} == {TrainerFactory.build().bio}
