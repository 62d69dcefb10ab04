import csv
import io

import openpyxl
import pytest
from allauth.account.models import EmailAddress

from sessions.models import Attendance, TrainingSession
from tests.factories import AgencyFactory, CountryFactory, ManagerFactory, OfficerFactory, UserFactory
from tests.reports.conftest import attend, held_session, local

pytestmark = pytest.mark.django_db(transaction=True)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def program(countries):
    """2024: six sessions in Mexico City time, 18 officers trained (Mexico and France); 2023: one."""
    manager = ManagerFactory(email="lead@trainingops.example")
    # The admin login hands over to allauth's sign-in page, which wants a verified address.
    EmailAddress.objects.update_or_create(
        user=manager, email=manager.email, defaults={"verified": True, "primary": True}
    )
    mexico, france = CountryFactory(code="MX"), CountryFactory(code="FR")
    policia, gendarmerie = AgencyFactory(country=mexico), AgencyFactory(country=france)
    for month in (1, 3, 3, 6, 9, 11):
        session = held_session(local(2024, month, 12, 9, zone="America/Mexico_City"), zone="America/Mexico_City")
        for agency in (policia, policia, gendarmerie):
            attend(session, OfficerFactory(agency=agency))
        attend(session, OfficerFactory(agency=policia), status=Attendance.Status.ABSENT)
    attend(
        held_session(local(2023, 5, 2), format=TrainingSession.Format.IN_PERSON),
        OfficerFactory(agency=policia, user=UserFactory(email="ana@policia.gob.mx", first_name="Ana")),
    )
    return manager


def open_report(page, manager, year: int) -> None:
    page.goto(f"/admin/login/?next=/reports/yearly/%3Fyear%3D{year}")
    page.fill("input[name=login]", manager.email)
    page.fill("input[name=password]", "correct-horse-battery")
    page.press("input[name=password]", "Enter")
    page.wait_for_selector(f"h1:has-text('Yearly report {year}')")


def test_manager_opens_yearly_report_and_switches_year(page, screenshot, program):
    open_report(page, program, 2024)
    assert page.title() == "Yearly report 2024 · TrainingOps"
    assert page.inner_text("[data-metric=officers_trained] .figure-value") == "18"
    assert page.inner_text("[data-metric=sessions_held] .figure-value") == "6"
    assert page.locator("svg.report-chart").count() == 4
    screenshot(page, "reports-yearly-2024")

    page.select_option("#id_year", "2023")
    page.wait_for_selector("h1:has-text('Yearly report 2023')")
    assert page.inner_text("[data-metric=officers_trained] .figure-value") == "1"
    screenshot(page, "reports-yearly-2023")


def test_report_downloads_have_their_names_types_and_figures(page, screenshot, downloads, program):
    open_report(page, program, 2024)

    def download(link_name: str) -> tuple[str, str, bytes]:
        link = page.get_by_role("link", name=link_name, exact=True)
        name, content = downloads(page, link.click)
        # A download's response is not shown to the page: ask for the link's headers with the same cookies.
        content_type = page.request.get(link.get_attribute("href")).headers["content-type"]
        return name, content_type, content

    name, content_type, content = download("Summary (CSV)")
    assert (name, content_type) == ("yearly-counts-2024-summary.csv", "text/csv; charset=utf-8")
    assert content.startswith("\ufeff".encode())  # Excel reads the file as UTF-8
    summary = {row[1]: row[2:] for row in csv.reader(io.StringIO(content.decode("utf-8-sig")))}
    assert summary["Officers trained"][:2] == ["18", "1"]

    name, content_type, content = download("Everything (XLSX)")
    assert (name, content_type) == ("yearly-counts-2024-all.xlsx", XLSX)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames[0] == "Summary"
    assert "Country" in workbook.sheetnames

    name, content_type, content = download("Attendances (CSV)")
    assert (name, content_type) == ("yearly-counts-2024-attendances.csv", "text/csv; charset=utf-8")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) == 18
    assert "officer_email" not in rows[0]

    name, content_type, content = download("Attendances with officer identity (CSV)")
    assert name == "yearly-counts-2024-attendances.csv"
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) == 18
    assert all(row["officer_email"].endswith("@policia.gob.mx") for row in rows)

    breakdown = page.locator("#breakdown-country").get_by_role("link", name="CSV")
    name, content = downloads(page, breakdown.click)
    assert name == "yearly-counts-2024-country.csv"
    countries = {row[0]: row for row in csv.reader(io.StringIO(content.decode("utf-8-sig")))}
    assert set(countries) >= {"MX", "FR"}
    screenshot(page, "reports-downloads")


def test_report_filters_apply_to_figures_and_downloads(page, downloads, program):
    open_report(page, program, 2024)

    page.select_option("#id_region", label="Europe")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**region=**")
    assert page.inner_text("[data-metric=officers_trained] .figure-value") == "6"

    name, content = downloads(page, page.get_by_role("link", name="Summary (CSV)", exact=True).click)
    summary = {row[1]: row[2:] for row in csv.reader(io.StringIO(content.decode("utf-8-sig")))}
    assert summary["Officers trained"][0] == "6"
