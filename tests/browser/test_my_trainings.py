"""An officer's history in Chromium: My trainings, certificates and their public verification."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.models import Attendance, Certificate, TrainingSession
from tests.browser.helpers import sign_in, verified_officer
from tests.factories import (
    AgencyFactory,
    AttendanceFactory,
    CountryFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    SurveyFactory,
    SurveyResponseFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def past_session(title: str, days_ago: int) -> TrainingSession:
    starts = timezone.now() - timedelta(days=days_ago)
    return TrainingSessionFactory(
        title=title,
        starts_at=starts,
        ends_at=starts + timedelta(hours=6),
        status=TrainingSession.Status.COMPLETED,
        completed_at=starts + timedelta(hours=6),
    )


@pytest.fixture
def history():
    """An officer with one upcoming seat and three held sessions: present, partial (surveyed), absent."""
    agency = AgencyFactory(name="Policía Federal Ministerial", acronym="PFM", country=CountryFactory(code="MX"))
    officer = verified_officer("ana@policia.gob.mx", agency=agency)
    upcoming = TrainingSessionFactory(title="Cryptocurrency fundamentals")
    RegistrationFactory(session=upcoming, officer=officer)
    tracing = past_session("Tracing illicit funds", days_ago=10)
    SessionTrainerFactory(
        session=tracing, trainer=TrainerFactory(user=UserFactory(first_name="Lena", last_name="Okonkwo"))
    )
    present = AttendanceFactory(registration=RegistrationFactory(session=tracing, officer=officer))
    pending_survey = SurveyResponseFactory(survey=SurveyFactory(session=tracing), registration=present.registration)
    aml = past_session("Anti-money-laundering case studies", days_ago=40)
    partial = AttendanceFactory(
        registration=RegistrationFactory(session=aml, officer=officer), status=Attendance.Status.PARTIAL
    )
    SurveyResponseFactory(
        survey=SurveyFactory(session=aml), registration=partial.registration, submitted_at=timezone.now()
    )
    legal = past_session("Legal issues of seizures", days_ago=70)
    AttendanceFactory(registration=RegistrationFactory(session=legal, officer=officer), status=Attendance.Status.ABSENT)
    return {"officer": officer, "present": present, "pending_survey": pending_survey}


def rows(page, table: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in page.locator(f"#{table} tbody tr").all()
    ]


def test_my_trainings_past_attendance_certificate_and_survey_link(page, screenshot, downloads, history):
    sign_in(page, "ana@policia.gob.mx")
    page.get_by_role("link", name="My trainings").first.click()
    page.wait_for_url("**/my-trainings/")

    assert [row[0] for row in rows(page, "upcoming")] == ["Cryptocurrency fundamentals"]
    assert [[row[0], row[2], row[3], row[4]] for row in rows(page, "past")] == [
        ["Tracing illicit funds", "Present", "Download (PDF)", "Answer the survey"],
        ["Anti-money-laundering case studies", "Partial", "Download (PDF)", "Answered, thank you"],
        ["Legal issues of seizures", "Absent", "—", "—"],
    ]
    screenshot(page, "portal_my_trainings")

    tracing_row = page.locator("#past tbody tr", has_text="Tracing illicit funds")
    name, content = downloads(page, tracing_row.get_by_role("link", name="Download (PDF)").click)
    certificate = Certificate.objects.get(registration=history["present"].registration)
    assert name == f"certificate-{certificate.code}.pdf"
    assert content.startswith(b"%PDF-")
    assert certificate.officer_name == "Ana López"
    assert certificate.trainer_names == "Lena Okonkwo"

    tracing_row.get_by_role("link", name="Answer the survey").click()
    page.wait_for_url(f"**/surveys/{history['pending_survey'].token}/")
    assert page.inner_text("h1") == "Your feedback"
    assert page.inner_text("main h1 + p") == "Tracing illicit funds"


def test_certificate_verification_page_genuine_and_unknown(page, screenshot, history):
    certificate = Certificate.objects.create(
        registration=history["present"].registration,
        officer_name="Ana López",
        agency_name="Policía Federal Ministerial (PFM)",
        session_title="Tracing illicit funds",
        session_date=timezone.now().date() - timedelta(days=10),
        hours=6,
        trainer_names="Lena Okonkwo",
        attendance_status=Attendance.Status.PRESENT,
    )

    # Anyone holding the printed code can check it, without an account (typed in lower case too).
    page.goto(f"/certificates/{certificate.code.lower()}/")
    assert page.inner_text(".alert-success") == "This certificate is genuine: it was issued by TrainingOps."
    card = page.inner_text(".certificate")
    for printed in ("Ana López", "Policía Federal Ministerial (PFM)", "Tracing illicit funds", "6 hours"):
        assert printed in card
    assert f"Verification code: {certificate.code}" in card
    assert "ana@policia.gob.mx" not in page.content()
    screenshot(page, "portal_certificate_genuine")

    response = page.goto("/certificates/ZZZZ-0000-0000/")
    assert response.status == 404
    assert page.inner_text("h1") == "Certificate verification"
    assert page.inner_text("#certificate-unknown").startswith("No certificate has this code.")
    assert page.locator(".alert-success, .certificate").count() == 0
    screenshot(page, "portal_certificate_unknown")

    response = page.goto("/certificates/not a code!/")
    assert response.status == 404
    assert page.inner_text("#certificate-unknown").startswith("No certificate has this code.")
