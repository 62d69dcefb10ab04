"""axe-core on the back office (dashboard, roll call, calendar, invitations), the privacy pages and the agency page.

Each page is checked at a desktop width and at 390 px: no serious or critical axe-core violation.
The dashboard, the roll call, the calendar and the portal-side pages must also fit 390 px without
scrolling sideways; the invitation page is a stock admin form and is only checked with axe.
All pages are walked and every finding is reported at once.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.models import SessionTrainer, TrainingSession
from tests.browser.accessibility import DESKTOP, PHONE, assert_fits_width, assert_no_serious_violations
from tests.browser.helpers import sign_in, verified_officer, verified_user
from tests.factories import (
    AgencyFactory,
    AttendanceFactory,
    CountryFactory,
    FocalPointFactory,
    ManagerFactory,
    OfficerFactory,
    PrivacyNoticeFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TrainerFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

LONG_TITLE = "Investigaciones de criptoactivos: rastreo-de-fondos-ilícitos-en-cadenas-de-bloques-interoperables"


def check(page, path: str, findings: list[str], *, fits: bool = True) -> None:
    """Open the path at both widths and note every failure instead of stopping at the first."""
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        response = page.goto(path)
        if response.status != 200:
            findings.append(f"{path} ({name}): HTTP {response.status}")
            continue
        assertions = (assert_no_serious_violations, assert_fits_width) if fits else (assert_no_serious_violations,)
        for assertion in assertions:
            try:
                assertion(page)
            except AssertionError as error:
                findings.append(f"{path} ({name}): {error}")


@pytest.fixture
def program(countries, roles):
    """A trainer's session under way (roll call), one coming (calendar, invitations), one held, and a focal point."""
    mexico = CountryFactory(code="MX")
    agency = AgencyFactory(name="Fiscalía General de la República", acronym="FGR", country=mexico)
    trainer = TrainerFactory(user__email="lena@trainingops.example", user__first_name="Lena")
    verified_user(trainer.user)
    manager = verified_user(ManagerFactory(email="lead@trainingops.example"))
    now = timezone.now()
    running = TrainingSessionFactory(
        title=LONG_TITLE,
        format=TrainingSession.Format.IN_PERSON,
        city="Ciudad de México",
        country=mexico,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        timezone="America/Mexico_City",
    )
    coming = TrainingSessionFactory(title="Tracing illicit funds", starts_at=now + timedelta(days=2))
    held = TrainingSessionFactory(
        title="Blockchain fundamentals", status=TrainingSession.Status.COMPLETED, starts_at=now - timedelta(days=3)
    )
    for session in (running, coming, held):
        SessionTrainerFactory(session=session, trainer=trainer, role=SessionTrainer.Role.LEAD)
    for index in range(6):
        officer = OfficerFactory(agency=agency, user__email=f"officer{index}@fgr.example")
        RegistrationFactory(session=running, officer=officer)
        AttendanceFactory(registration=RegistrationFactory(session=held, officer=officer))
    TrainingSessionFactory(
        title="Draft for next month", status=TrainingSession.Status.DRAFT, starts_at=now + timedelta(days=30)
    )
    focal = verified_officer("coordinadora@fgr.example", agency=agency)
    FocalPointFactory(officer=focal)
    officer = verified_officer("ana.lopez@fgr.example", agency=agency)
    PrivacyNoticeFactory()
    return {"trainer": trainer, "manager": manager, "running": running, "coming": coming, "officer": officer}


def back_office_paths(program) -> list[tuple[str, bool]]:
    calendar = reverse("admin:training_trainingsession_calendar")
    return [
        (reverse("admin:index"), True),
        (reverse("admin:training_trainingsession_roll_call", args=[program["running"].pk]), True),
        (calendar, True),
        (f"{calendar}?view=week", True),
        (reverse("admin:training_invitation_invite", args=[program["coming"].pk]), False),
    ]


def test_back_office_as_a_trainer_has_no_serious_violation(page, program):
    sign_in(page, "lena@trainingops.example")
    findings: list[str] = []
    for path, fits in back_office_paths(program):
        check(page, path, findings, fits=fits)

    assert findings == [], "\n\n".join(findings)


def test_back_office_as_a_manager_has_no_serious_violation(page, program):
    sign_in(page, "lead@trainingops.example")
    findings: list[str] = []
    for path, fits in back_office_paths(program):
        check(page, path, findings, fits=fits)

    assert findings == [], "\n\n".join(findings)


def test_privacy_notice_and_its_accept_page_have_no_serious_violation(page, program):
    sign_in(page, "ana.lopez@fgr.example")
    findings: list[str] = []
    page.goto("/privacy/accept/")
    assert page.url.endswith("/privacy/accept/")  # a notice the officer has not accepted yet
    for path in ("/privacy/", "/privacy/accept/"):
        check(page, path, findings)

    assert findings == [], "\n\n".join(findings)


def test_agency_page_of_a_focal_point_has_no_serious_violation(page, program):
    sign_in(page, "coordinadora@fgr.example")
    findings: list[str] = []
    check(page, "/agency/", findings)

    assert findings == [], "\n\n".join(findings)


def test_stock_admin_exception_ignores_only_the_listed_element(page):
    """The one exception (Django's filter icon) is ignored; the same fault on any other element still fails."""
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><h1>t</h1>'
        '<label for="q">Filter <span class="help-tooltip search-label-icon" aria-label="Type to filter"></span>'
        '</label><input id="q"></main></body></html>'
    )
    assert_no_serious_violations(page)

    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><h1>t</h1>'
        '<label for="q">Filter <span class="our-icon" aria-label="Type to filter"></span></label><input id="q">'
        "</main></body></html>"
    )
    with pytest.raises(AssertionError, match="aria-prohibited-attr"):
        assert_no_serious_violations(page)
