import pytest
from allauth.account.models import EmailAddress

from sessions.models import Attendance, TrainingSession
from tests.factories import AgencyFactory, CountryFactory, ManagerFactory, OfficerFactory
from tests.reports.conftest import attend, held_session, local


@pytest.mark.django_db(transaction=True)
def test_manager_opens_yearly_report_and_switches_year(page, countries, screenshot):
    manager = ManagerFactory(email="lead@trainingops.example")
    mexico, france = CountryFactory(code="MX"), CountryFactory(code="FR")
    policia, gendarmerie = AgencyFactory(country=mexico), AgencyFactory(country=france)
    for month in (1, 3, 3, 6, 9, 11):
        session = held_session(local(2024, month, 12, 9, zone="America/Mexico_City"), zone="America/Mexico_City")
        for agency in (policia, policia, gendarmerie):
            attend(session, OfficerFactory(agency=agency))
        attend(session, OfficerFactory(agency=policia), status=Attendance.Status.ABSENT)
    attend(held_session(local(2023, 5, 2), format=TrainingSession.Format.IN_PERSON), OfficerFactory(agency=policia))

    # The admin login hands over to allauth's sign-in page, which wants a verified address.
    EmailAddress.objects.create(user=manager, email=manager.email, verified=True, primary=True)
    page.goto("/admin/login/?next=/reports/yearly/%3Fyear%3D2024")
    page.fill("input[name=login]", manager.email)
    page.fill("input[name=password]", "correct-horse-battery")
    page.press("input[name=password]", "Enter")

    page.wait_for_selector("h1:has-text('Yearly report 2024')")
    assert page.inner_text("[data-metric=officers_trained] .figure-value") == "18"
    assert page.inner_text("[data-metric=sessions_held] .figure-value") == "6"
    assert page.locator("svg.report-chart").count() == 4
    screenshot(page, "reports-yearly-2024")

    page.select_option("#id_year", "2023")
    page.wait_for_selector("h1:has-text('Yearly report 2023')")
    assert page.inner_text("[data-metric=officers_trained] .figure-value") == "1"
    screenshot(page, "reports-yearly-2023")
