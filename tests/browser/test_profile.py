"""An officer's own account in Chromium: profile, personal data download, account deletion."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from agencies.models import Officer
from reports.selectors import yearly_report
from sessions.models import Attendance, Registration, TrainingSession
from tests.browser.helpers import sign_in, verified_officer
from tests.factories import (
    AgencyEmailDomainFactory,
    AgencyFactory,
    AttendanceFactory,
    CountryFactory,
    RegistrationFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ana():
    """A Mexican officer verified by her agency's email domain."""
    agency = AgencyFactory(name="Policía Federal Ministerial", acronym="PFM", country=CountryFactory(code="MX"))
    AgencyEmailDomainFactory(agency=agency, domain="policia.gob.mx")
    AgencyFactory(name="Gendarmerie nationale", acronym="GN", country=CountryFactory(code="FR"))
    return verified_officer("ana@policia.gob.mx", agency=agency, job_title="Investigadora")


def test_profile_language_change_switches_the_portal(page, screenshot, ana):
    sign_in(page, "ana@policia.gob.mx")
    page.get_by_role("link", name="Profile").click()
    page.wait_for_url("**/profile/")
    assert page.locator("#id_job_title").input_value() == "Investigadora"

    page.select_option("#id_preferred_language", label="Spanish")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("html[lang=es]")
    assert page.inner_text(".messages") == "Su perfil se ha guardado."
    assert page.inner_text("h1") == "Perfil"

    page.get_by_role("link", name="Mis formaciones").click()
    page.wait_for_url("**/my-trainings/")
    assert page.inner_text("h1") == "Mis formaciones"
    ana.refresh_from_db()
    assert ana.preferred_language == "es"
    screenshot(page, "portal_profile_spanish")


def test_profile_agency_change_sends_the_officer_back_to_verification(page, screenshot, ana):
    session = TrainingSessionFactory(title="Tracing illicit funds")

    sign_in(page, "ana@policia.gob.mx")
    page.goto("/profile/")
    assert page.inner_text("main p.help .badge") == "Verified"
    assert page.inner_text("#field-agency .help") == (
        "Changing your agency sends your account back to verification before you can register again."
    )
    page.fill(".filter-input", "Gendarmerie")
    assert page.locator("#id_agency").input_value() == str(AgencyFactory._meta.model.objects.get(acronym="GN").pk)
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".banner-warning")

    assert page.inner_text("main p.help .badge") == "Verification pending"
    banner = page.inner_text(".banner-warning")
    assert banner.startswith("Your affiliation is being checked.")
    assert "is not on one of the verified domains of Gendarmerie nationale (GN)" in banner
    ana.refresh_from_db()
    assert ana.verification_status == Officer.Verification.PENDING

    # On a session page the officer sees why there is no register button.
    page.goto(f"/sessions/{session.pk}/")
    assert (
        page.locator("#registration-box")
        .get_by_text("You can register once your affiliation is verified.")
        .is_visible()
    )
    assert page.get_by_role("button", name="Register").count() == 0
    screenshot(page, "portal_profile_pending_after_agency_change")


def test_personal_data_download(page, downloads, ana):
    session = TrainingSessionFactory(title="Tracing illicit funds")
    RegistrationFactory(session=session, officer=ana)

    sign_in(page, "ana@policia.gob.mx")
    page.goto("/profile/")
    name, content = downloads(page, page.get_by_role("link", name="Download my personal data (JSON)").click)

    assert name == f"trainingops-personal-data-{timezone.now():%Y%m%d}.json"
    data = json.loads(content)
    assert data["account"]["email"] == "ana@policia.gob.mx"
    assert data["officer"]["agency"] == "Policía Federal Ministerial (PFM)"
    assert [(item["session"], item["status"]) for item in data["registrations"]] == [
        ("Tracing illicit funds", "confirmed")
    ]


def test_account_deletion_logs_out_and_keeps_the_yearly_counts(page, screenshot, ana):
    starts = timezone.now() - timedelta(days=2)
    held = TrainingSessionFactory(
        title="Tracing illicit funds",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        status=TrainingSession.Status.COMPLETED,
    )
    AttendanceFactory(registration=RegistrationFactory(session=held, officer=ana), status=Attendance.Status.PRESENT)
    before = yearly_report(year=starts.year).current
    assert before.officers_trained == 1

    sign_in(page, "ana@policia.gob.mx")
    page.goto("/profile/")
    page.get_by_role("link", name="Delete my account").click()
    page.wait_for_url("**/profile/delete/")
    assert "The program keeps anonymous records of the sessions you attended" in page.inner_text("main .card")

    page.fill("#id_confirm", "yes")
    page.get_by_role("button", name="Delete my account for good").click()
    page.wait_for_selector("#field-confirm .error-text")
    assert page.inner_text("#field-confirm .error-text") == "Type DELETE to confirm."
    assert User.objects.filter(email="ana@policia.gob.mx").exists()

    page.fill("#id_confirm", "DELETE")
    page.get_by_role("button", name="Delete my account for good").click()
    page.wait_for_url(lambda url: url.endswith("/"))
    assert page.inner_text(".messages") == "Your account and personal data were deleted."
    assert page.get_by_role("link", name="Sign in").is_visible()
    screenshot(page, "portal_account_deleted")

    assert not User.objects.filter(email="ana@policia.gob.mx").exists()
    registration = Registration.objects.get(session=held)
    assert registration.officer is None
    assert yearly_report(year=starts.year).current == before

    # The old password no longer opens anything.
    page.goto("/accounts/login/")
    page.fill("#id_login", "ana@policia.gob.mx")
    page.fill("#id_password", "correct-horse-battery")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".alert-error")
    assert "not correct" in page.inner_text(".alert-error")
