"""An officer on a phone (390 x 844): finds a session open to Mexican officers, registers, answers a survey."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.models import Registration, TrainingSession
from tests.browser.accessibility import PHONE, assert_fits_width, assert_no_serious_violations
from tests.browser.helpers import sign_in, verified_officer
from tests.factories import (
    AgencyFactory,
    AttendanceFactory,
    CountryFactory,
    RegistrationFactory,
    SurveyResponseFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mexican_officer():
    """An officer of a Mexican agency, with a held session whose survey is open."""
    mexico = CountryFactory(code="MX")
    agency = AgencyFactory(name="Policía Federal Ministerial", acronym="PFM", country=mexico)
    officer = verified_officer("ana.lopez@policia.gob.mx", agency=agency)
    virtual = TrainingSessionFactory(
        title="Tracing stablecoins: a virtual session for Mexican agencies",
        audience=TrainingSession.Audience.RESTRICTED,
    )
    virtual.audience_agencies.add(agency)
    TrainingSessionFactory(  # held in Mexico, but open to Argentine officers only
        title="AML workshop in Monterrey",
        format=TrainingSession.Format.IN_PERSON,
        city="Monterrey",
        country=mexico,
        audience=TrainingSession.Audience.RESTRICTED,
    ).audience_countries.add(CountryFactory(code="AR"))
    TrainingSessionFactory(
        title="Blockchain fundamentals for everyone",
        format=TrainingSession.Format.IN_PERSON,
        starts_at=timezone.now() + timedelta(days=20),
    )
    start = timezone.now() - timedelta(days=6)
    held = TrainingSessionFactory(
        title="Digital-asset seizures", status=TrainingSession.Status.COMPLETED, starts_at=start
    )
    attendance = AttendanceFactory(registration=RegistrationFactory(session=held, officer=officer))
    survey = SurveyResponseFactory(registration=attendance.registration, survey__session=held)
    return {"officer": officer, "virtual": virtual, "survey": survey}


def test_officer_on_a_phone_registers_and_finds_the_survey_in_my_trainings(page, screenshot, mexican_officer):
    page.set_viewport_size(PHONE)
    sign_in(page, "ana.lopez@policia.gob.mx")

    # The session list: the filters are folded behind "Filters" on a phone.
    page.locator(".nav-toggle-label").click()
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Sessions").click()
    page.wait_for_url("**/sessions/")
    assert page.locator("details.filters-disclosure").get_attribute("open") is None
    assert not page.get_by_label("Open to officers from").is_visible()
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Open to officers from").select_option("MX")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/sessions/?*open_to=MX*")
    assert page.locator(".session-card h3").all_inner_texts() == [
        "Tracing stablecoins: a virtual session for Mexican agencies",
        "Blockchain fundamentals for everyone",
    ]
    assert page.get_by_label("Held in").input_value() == ""
    assert_fits_width(page)
    assert_no_serious_violations(page)
    screenshot(page, "phone_session_list_open_to_mexico")

    # Register from the session's page.
    page.get_by_role("link", name="Tracing stablecoins: a virtual session for Mexican agencies").click()
    page.wait_for_url(f"**/sessions/{mexican_officer['virtual'].pk}/")
    page.get_by_role("button", name="Register").click()
    page.wait_for_selector("#registration-status")
    assert page.inner_text("#registration-status") == "You are registered: your seat is confirmed."
    assert Registration.objects.get(session=mexican_officer["virtual"]).status == Registration.Status.CONFIRMED
    assert_fits_width(page)

    # My trainings: cards, not a table, with the held session's survey link.
    page.locator(".nav-toggle-label").click()
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="My trainings").click()
    page.wait_for_url("**/my-trainings/")
    upcoming_card = page.locator("#upcoming tbody tr")
    assert upcoming_card.inner_text().splitlines()[0] == "Tracing stablecoins: a virtual session for Mexican agencies"
    assert upcoming_card.evaluate("row => getComputedStyle(row).display") == "block"
    assert not page.locator("#past thead").is_visible() or page.locator("#past thead").bounding_box()["height"] <= 1
    past_card = page.locator("#past tbody tr", has_text="Digital-asset seizures")
    survey_link = past_card.get_by_role("link", name="Answer the survey")
    assert survey_link.is_visible()
    assert_fits_width(page)
    assert_no_serious_violations(page)
    screenshot(page, "phone_my_trainings")

    survey_link.click()
    page.wait_for_url(f"**/surveys/{mexican_officer['survey'].token}/")
    assert page.inner_text("h1") == "Your feedback"
    assert page.inner_text("main h1 + p") == "Digital-asset seizures"
    assert_fits_width(page)
