from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.certificates import CertificateError, issue_certificate, printable, render_certificate_pdf
from sessions.models import Attendance, Certificate, TrainingSession
from tests.factories import AttendanceFactory, RegistrationFactory, SessionTrainerFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def completed_registration(attendance=Attendance.Status.PRESENT, **officer):
    start = timezone.now() - timedelta(days=2)
    session = TrainingSessionFactory(
        title="Tracing illicit funds",
        status=TrainingSession.Status.COMPLETED,
        starts_at=start,
        ends_at=start + timedelta(hours=3, minutes=30),
        timezone="America/Mexico_City",
    )
    SessionTrainerFactory(session=session, trainer__user__first_name="Lena", trainer__user__last_name="Berg")
    registration = RegistrationFactory(
        session=session, officer__user__first_name="José", officer__user__last_name="Núñez", **officer
    )
    if attendance:
        AttendanceFactory(registration=registration, status=attendance)
    return registration


def test_issue_certificate_snapshots_printed_fields():
    registration = completed_registration(officer__preferred_language="es")

    certificate = issue_certificate(registration=registration)

    local_date = registration.session.starts_at.astimezone(registration.session.timezone).date()
    assert (certificate.officer_name, certificate.session_title, certificate.hours) == (
        "José Núñez",
        "Tracing illicit funds",
        Decimal("3.5"),
    )
    assert (certificate.trainer_names, certificate.language, certificate.session_date) == (
        "Lena Berg",
        "es",
        local_date,
    )
    assert certificate.agency_name == str(registration.agency)
    assert len(certificate.code) == 14


def test_issue_certificate_twice_returns_same():
    registration = completed_registration()

    assert issue_certificate(registration=registration) == issue_certificate(registration=registration)
    assert Certificate.objects.count() == 1


@pytest.mark.parametrize("attendance", [Attendance.Status.ABSENT, Attendance.Status.EXCUSED, None])
def test_issue_certificate_without_attendance_is_refused(attendance):
    registration = completed_registration(attendance=attendance)

    with pytest.raises(CertificateError, match="only to officers who attended"):
        issue_certificate(registration=registration)
    assert Certificate.objects.count() == 0


def test_issue_certificate_for_session_not_completed_is_refused():
    registration = RegistrationFactory()
    AttendanceFactory(registration=registration)

    with pytest.raises(CertificateError, match="once the session is completed"):
        issue_certificate(registration=registration)


def test_render_certificate_pdf_is_a_pdf_in_each_language():
    registration = completed_registration(attendance=Attendance.Status.PARTIAL)
    certificate = issue_certificate(registration=registration)

    for language in ("en", "es", "fr"):
        certificate.language = language
        pdf = render_certificate_pdf(certificate=certificate)
        assert pdf.startswith(b"%PDF-")
        assert len(pdf) > 5000


def test_printable_keeps_accents_and_replaces_unknown_script():
    assert printable("José Núñez — François Lœw") == "José Núñez — François Lœw"
    assert printable("김민준") == "???"


def test_certificate_pdf_view_downloads_own_certificate(client):
    registration = completed_registration()
    client.force_login(registration.officer.user)

    response = client.get(reverse("sessions:certificate_pdf", args=[registration.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_certificate_pdf_view_other_officers_registration_is_404(client):
    registration = completed_registration()
    other = RegistrationFactory()
    client.force_login(other.officer.user)

    assert client.get(reverse("sessions:certificate_pdf", args=[registration.pk])).status_code == 404
    assert Certificate.objects.count() == 0


def test_certificate_pdf_view_not_eligible_redirects_with_message(client):
    registration = completed_registration(attendance=Attendance.Status.ABSENT)
    client.force_login(registration.officer.user)

    response = client.get(reverse("sessions:certificate_pdf", args=[registration.pk]), follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Certificates are issued only to officers who attended the session."
    ]


def test_certificate_verify_page_shows_only_printed_fields(client):
    registration = completed_registration()
    certificate = issue_certificate(registration=registration)

    response = client.get(reverse("sessions:certificate_verify", args=[certificate.code.lower()]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "José Núñez" in content
    assert certificate.code in content
    assert registration.officer.user.email not in content
    assert registration.officer.job_title not in content


@pytest.mark.parametrize("code", ["NOPE-NOPE-NOPE", "x" * 200, "%20"])
def test_certificate_verify_unknown_code_is_404(client, code):
    assert client.get(f"/certificates/{code}/").status_code == 404


def test_certificate_verify_code_with_nul_is_400(client):
    # Refused before any lookup: PostgreSQL cannot compare text containing NUL.
    assert client.get("/certificates/AB%00CD/").status_code == 400
