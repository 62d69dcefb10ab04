"""axe-core and a phone's width on every portal page, signed out and as an officer, and the yearly report.

Each page is checked at a desktop width and at 390 px: no serious or critical axe-core violation, no
sideways scrolling. All pages are walked and every finding is reported at once.
"""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from sessions.models import Attendance, TrainingSession
from sessions.services.certificates import issue_certificate
from tests.browser.accessibility import DESKTOP, PHONE, assert_fits_width, assert_no_serious_violations
from tests.browser.helpers import sign_in, verified_officer
from tests.factories import (
    AgencyFactory,
    AttendanceFactory,
    CountryFactory,
    InvitationFactory,
    ManagerFactory,
    OfficerFactory,
    RegistrationFactory,
    SurveyResponseFactory,
    TopicFactory,
    TrainingSessionFactory,
)
from tests.reports.conftest import attend, held_session, local

pytestmark = pytest.mark.django_db(transaction=True)

# Long unbroken words and addresses, as real data has them: they must wrap, not widen the page.
LONG_TITLE = "Investigaciones de criptoactivos: rastreo-de-fondos-ilícitos-en-cadenas-de-bloques-interoperables"
LONG_EMAIL = "ana.lopez.hernandez.investigaciones-financieras@unidad-de-inteligencia-financiera.gob.mx"


def check(page, path: str, findings: list[str]) -> None:
    """Open the path at both widths and note every failure instead of stopping at the first."""
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.goto(path)
        for assertion in (assert_no_serious_violations, assert_fits_width):
            try:
                assertion(page)
            except AssertionError as error:
                findings.append(f"{path} ({name}): {error}")


@pytest.fixture
def portal():
    """An officer from Mexico with an upcoming, a restricted and a past session (survey, certificate)."""
    mexico = CountryFactory(code="MX")
    agency = AgencyFactory(name="Unidad de Inteligencia Financiera", acronym="UIF", country=mexico)
    officer = verified_officer(LONG_EMAIL, agency=agency)
    topic = TopicFactory(slug="tracing", name="Tracing illicit funds")
    upcoming = TrainingSessionFactory(
        title=LONG_TITLE,
        format=TrainingSession.Format.IN_PERSON,
        venue="Centro de Capacitación de la Fiscalía General",
        city="Monterrey",
        country=mexico,
        timezone="America/Monterrey",
    )
    upcoming.topics.add(topic)
    restricted = TrainingSessionFactory(
        title="Virtual session for Mexican agencies", audience=TrainingSession.Audience.RESTRICTED
    )
    restricted.audience_agencies.add(agency)
    RegistrationFactory(session=upcoming, officer=officer)
    start = timezone.now() - timedelta(days=5)
    past = TrainingSessionFactory(
        title="Blockchain fundamentals", status=TrainingSession.Status.COMPLETED, starts_at=start
    )
    registration = RegistrationFactory(session=past, officer=officer)
    AttendanceFactory(registration=registration, status=Attendance.Status.PRESENT)
    survey = SurveyResponseFactory(registration=registration, survey__session=past)
    certificate = issue_certificate(registration=registration)
    invitation = InvitationFactory(session=upcoming, email="luis@policia.gob.mx")
    answered = SurveyResponseFactory(survey__closes_at=timezone.now() + timedelta(days=3), submitted_at=timezone.now())
    closed = SurveyResponseFactory(survey__closes_at=timezone.now() - timedelta(days=1))
    return {
        "officer": officer,
        "session": upcoming,
        "survey_token": survey.token,
        "certificate_code": certificate.code,
        "invitation_token": invitation.token,
        "answered_survey_token": answered.token,
        "closed_survey_token": closed.token,
    }


def test_portal_pages_signed_out_have_no_serious_violation_and_fit_a_phone(page, portal):
    findings: list[str] = []
    for path in (
        "/",
        "/sessions/",
        "/sessions/?country=ZZ&open_to=MX",
        f"/sessions/{portal['session'].pk}/",
        f"/certificates/{portal['certificate_code']}/",
        "/certificates/NOPE-NOPE-NOPE/",
        f"/invitations/{portal['invitation_token']}/",
        f"/surveys/{portal['survey_token']}/",
        f"/surveys/{portal['answered_survey_token']}/",
        f"/surveys/{portal['closed_survey_token']}/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/confirm-email/",
    ):
        check(page, path, findings)

    assert findings == [], "\n\n".join(findings)


def test_portal_pages_signed_in_have_no_serious_violation_and_fit_a_phone(page, portal):
    sign_in(page, LONG_EMAIL)
    findings: list[str] = []
    for path in (
        "/",
        "/sessions/",
        f"/sessions/{portal['session'].pk}/",
        "/my-trainings/",
        "/profile/",
        "/profile/delete/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/logout/",
    ):
        check(page, path, findings)

    assert findings == [], "\n\n".join(findings)


def test_yearly_report_has_no_serious_violation_and_fits_a_phone(page, screenshot, countries):
    manager = ManagerFactory(email="lead@trainingops.example")
    EmailAddress.objects.update_or_create(
        user=manager, email=manager.email, defaults={"verified": True, "primary": True}
    )
    agency = AgencyFactory(
        name="Policía Federal Ministerial de los Estados Unidos Mexicanos", country=CountryFactory(code="MX")
    )
    for month in (2, 6, 10):
        session = held_session(local(2024, month, 12, 9, zone="America/Mexico_City"), zone="America/Mexico_City")
        for _ in range(3):
            attend(session, OfficerFactory(agency=agency))
    sign_in(page, manager.email, next_url="/reports/yearly/?year=2024")
    findings: list[str] = []

    check(page, "/reports/yearly/?year=2024", findings)
    screenshot(page, "reports_yearly_phone")

    assert findings == [], "\n\n".join(findings)
