"""A focal point in Chromium: the agency page on a desktop and a phone, and approving a pending officer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Officer
from sessions.models import TrainingSession
from tests.browser.helpers import emails_to, sign_in, verified_officer
from tests.factories import (
    AgencyFactory,
    AttendanceFactory,
    CountryFactory,
    FocalPointFactory,
    OfficerFactory,
    RegistrationFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def agency():
    """The Mexican police with its focal point, a colleague with one seat and one attendance, and
    a sign-up waiting for a decision; an officer of another agency that must not show."""
    agency = AgencyFactory(name="Policía Federal Ministerial", acronym="PFM", country=CountryFactory(code="MX"))
    coordinator = verified_officer("rocio@policia.gob.mx", first_name="Rocío", last_name="Villanueva", agency=agency)
    FocalPointFactory(officer=coordinator)
    colleague = OfficerFactory(agency=agency, user=UserFactory(first_name="Marta", last_name="Vidal"))
    RegistrationFactory(
        officer=colleague,
        session=TrainingSessionFactory(
            title="Cryptocurrency fundamentals for investigators", starts_at=timezone.now() + timedelta(days=12)
        ),
    )
    held = TrainingSessionFactory(
        title="Tracing illicit funds",
        status=TrainingSession.Status.COMPLETED,
        starts_at=timezone.now() - timedelta(days=20),
    )
    AttendanceFactory(registration=RegistrationFactory(officer=colleague, session=held))
    OfficerFactory(
        agency=agency,
        verification_status=Officer.Verification.PENDING,
        verified_at=None,
        user=UserFactory(email="jorge.salinas@correo.example", first_name="Jorge", last_name="Salinas"),
    )
    OfficerFactory(user=UserFactory(first_name="Outsider", last_name="Elsewhere"))
    return agency


def _rows(page, table: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in page.locator(f"#{table} tbody tr").all()
    ]


def test_focal_point_opens_agency_page_and_approves_a_pending_officer(page, screenshot, agency):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "rocio@policia.gob.mx")
    page.get_by_role("link", name="My agency").click()
    page.wait_for_url("**/agency/")

    assert page.inner_text("h1") == "Policía Federal Ministerial (PFM)"
    assert [row[0] for row in _rows(page, "agency-upcoming")] == ["Cryptocurrency fundamentals for investigators"]
    assert [[row[0], row[2], row[3]] for row in _rows(page, "agency-attendance")] == [
        ["Tracing illicit funds", "Marta Vidal", "Present"]
    ]
    assert "Outsider" not in page.inner_text("main")
    assert [row[0] for row in _rows(page, "pending-officers")] == ["Jorge Salinas"]
    screenshot(page, "agency_page_desktop")

    page.locator("#pending-officers").get_by_role("button", name="Approve").click()
    page.wait_for_selector(".alert-success")

    assert page.inner_text(".alert-success") == (
        "Jorge Salinas is now a verified officer of your agency and was told by email."
    )
    assert page.inner_text("#pending").endswith("Nobody is waiting for a decision.")
    officers = {row[0]: row[3] for row in _rows(page, "agency-officers")}
    assert officers["Jorge Salinas"] == "Verified"
    [message] = emails_to("jorge.salinas@correo.example")
    assert message.subject == "Your affiliation is confirmed: you can now register for trainings"
    screenshot(page, "agency_page_approved")


def test_agency_page_on_a_phone_has_no_sideways_scroll(page, screenshot, agency):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "rocio@policia.gob.mx", next_url="/agency/")
    page.wait_for_url("**/agency/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("#reason-" + str(Officer.objects.get(user__email="jorge.salinas@correo.example").pk)).fill(
        "No consta en nuestra plantilla."
    )
    page.locator("#pending-officers").get_by_role("button", name="Reject").click()
    page.wait_for_selector(".alert-success")

    assert Officer.objects.get(user__email="jorge.salinas@correo.example").rejection_reason == (
        "No consta en nuestra plantilla."
    )
    assert [message.subject for message in emails_to("jorge.salinas@correo.example")] == [
        "We could not confirm your affiliation"
    ]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "agency_page_phone")
