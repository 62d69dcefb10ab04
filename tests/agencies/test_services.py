import pytest
from django.core import mail

from agencies import services
from agencies.models import Officer
from messaging.models import OutboundMessage
from sessions.models import Attendance, Certificate, Registration
from tests.factories import (
    AgencyEmailDomainFactory,
    AgencyFactory,
    AttendanceFactory,
    CountryFactory,
    InvitationFactory,
    OfficerFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_create_officer_matching_domain_is_verified_at_once():
    domain = AgencyEmailDomainFactory(domain="policia.gob.mx")
    user = UserFactory(email="ana@Policia.gob.mx")

    officer = services.create_officer(user=user, agency=domain.agency, job_title="Analyst", preferred_language="es")

    assert officer.verification_status == Officer.Verification.VERIFIED
    assert officer.verified_at is not None
    assert officer.verified_by is None


def test_create_officer_other_domain_is_pending():
    domain = AgencyEmailDomainFactory(domain="policia.gob.mx")
    user = UserFactory(email="ana@gmail.com")

    officer = services.create_officer(user=user, agency=domain.agency)

    assert officer.verification_status == Officer.Verification.PENDING
    assert officer.verified_at is None


def test_create_officer_inactive_agency_is_refused():
    agency = AgencyFactory(is_active=False)

    with pytest.raises(services.OfficerError, match="not accepting new officers"):
        services.create_officer(user=UserFactory(), agency=agency)
    assert Officer.objects.count() == 0


def test_approve_officers_verifies_and_emails_in_officer_language(manager_user, django_capture_on_commit_callbacks):
    officer = OfficerFactory(verification_status=Officer.Verification.PENDING, preferred_language="fr")

    with django_capture_on_commit_callbacks(execute=True):
        changed = services.approve_officers(officers=[officer], by=manager_user)

    officer.refresh_from_db()
    assert changed == 1
    assert (officer.verification_status, officer.verified_by) == (Officer.Verification.VERIFIED, manager_user)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [officer.user.email]
    assert (
        mail.outbox[0].subject
        == "Votre affiliation est confirmée : vous pouvez maintenant vous inscrire aux formations"
    )
    assert "https://training.example.org/sessions/" in mail.outbox[0].body


def test_approve_officers_already_verified_sends_nothing(manager_user):
    officer = OfficerFactory()

    assert services.approve_officers(officers=[officer], by=manager_user) == 0
    assert OutboundMessage.objects.count() == 0


def test_reject_officers_sets_rejected_and_emails(manager_user, django_capture_on_commit_callbacks):
    officer = OfficerFactory(verification_status=Officer.Verification.PENDING)

    with django_capture_on_commit_callbacks(execute=True):
        changed = services.reject_officers(officers=[officer], by=manager_user, reason="Unknown unit")

    officer.refresh_from_db()
    assert changed == 1
    assert officer.verification_status == Officer.Verification.REJECTED
    assert mail.outbox[0].subject == "We could not confirm your affiliation"
    assert "Unknown unit" in mail.outbox[0].body
    assert "https://training.example.org/profile/" in mail.outbox[0].body


def test_update_officer_profile_changing_agency_goes_back_to_pending():
    officer = OfficerFactory(user__email="ana@gmail.com")
    new_agency = AgencyFactory()

    officer = services.update_officer_profile(
        officer=officer,
        first_name="Ana",
        last_name="López",
        job_title="Prosecutor",
        preferred_language="es",
        agency=new_agency,
    )

    assert (officer.agency, officer.verification_status) == (new_agency, Officer.Verification.PENDING)
    assert (officer.user.first_name, officer.job_title, officer.preferred_language) == ("Ana", "Prosecutor", "es")


def test_update_officer_profile_same_agency_keeps_verification():
    officer = OfficerFactory()

    officer = services.update_officer_profile(
        officer=officer,
        first_name="Ana",
        last_name="López",
        job_title="Analyst",
        preferred_language="fr",
        agency=officer.agency,
    )

    assert officer.verification_status == Officer.Verification.VERIFIED


def test_update_officer_profile_keeps_registration_snapshot():
    registration = RegistrationFactory()
    officer = registration.officer
    old_agency = officer.agency

    services.update_officer_profile(
        officer=officer,
        first_name="A",
        last_name="B",
        job_title="",
        preferred_language="en",
        agency=AgencyFactory(country=CountryFactory(code="FR")),
    )

    registration.refresh_from_db()
    assert (registration.agency, registration.country_id) == (old_agency, old_agency.country_id)


def test_export_officer_data_contains_own_registrations_only():
    registration = RegistrationFactory()
    RegistrationFactory()
    officer = registration.officer

    data = services.export_officer_data(officer=officer)

    assert data["account"]["email"] == officer.user.email
    assert [row["session"] for row in data["registrations"]] == [registration.session.title]


def test_erase_officer_keeps_counts_and_removes_personal_data():
    registration = RegistrationFactory()
    AttendanceFactory(registration=registration, note="Arrived with colleague Ana")
    officer = registration.officer
    user_pk, key, agency, country = officer.user.pk, officer.uuid, registration.agency_id, registration.country_id
    invitation = InvitationFactory(session=registration.session, email=officer.user.email, officer=officer)
    message = OutboundMessage.objects.create(
        kind="x",
        recipient=officer.user.email,
        subject="Hi Ana",
        body_text="Hi",
        idempotency_key="k1",
        user=officer.user,
    )

    services.erase_officer(officer=officer, by=officer.user)

    registration.refresh_from_db()
    invitation.refresh_from_db()
    message.refresh_from_db()
    assert registration.officer is None
    assert (registration.officer_key, registration.agency_id, registration.country_id) == (key, agency, country)
    assert Attendance.objects.get(registration=registration).status == Attendance.Status.PRESENT
    assert Attendance.objects.get(registration=registration).note == ""
    assert Registration.objects.count() == 1
    assert not Officer.objects.filter(pk=officer.pk).exists()
    assert not type(officer.user).objects.filter(pk=user_pk).exists()
    assert invitation.email == f"erased-{invitation.pk}@invalid.invalid"
    assert (message.recipient, message.body_text, message.user) == ("erased@invalid.invalid", "", None)


def test_erase_officer_deletes_certificates():
    registration = RegistrationFactory()
    Certificate.objects.create(
        registration=registration,
        officer_name="Ana",
        agency_name="X",
        session_title="T",
        session_date="2026-01-01",
        hours=3,
        attendance_status="present",
    )

    services.erase_officer(officer=registration.officer, by=registration.officer.user)

    assert Certificate.objects.count() == 0
