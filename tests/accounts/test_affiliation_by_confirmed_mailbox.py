"""Affiliation is proven by a confirmed mailbox, never by a typed address (issue 11, point 1)."""

import importlib
import re

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.models import Officer
from sessions import services
from sessions.models import Registration, TrainingSession
from tests.accounts.test_signup import signup_data
from tests.factories import (
    AgencyEmailDomainFactory,
    AttendanceFactory,
    ManagerFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-passphrase-42"


def _published_virtual_session():
    session = TrainingSessionFactory(
        status=TrainingSession.Status.PUBLISHED,
        format=TrainingSession.Format.VIRTUAL,
        meeting_url="https://meet.example.org/secret-room",
    )
    SessionTrainerFactory(session=session)
    return session


def _sign_up(client, django_capture_on_commit_callbacks, email="chief.x@policiafederal.gov.ar"):
    domain = AgencyEmailDomainFactory(domain="policiafederal.gov.ar")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), signup_data(domain.agency, email=email))
    return Officer.objects.select_related("user").get(user__email=email)


def _confirmation_link(message) -> str:
    return re.search(r"http://testserver(/accounts/confirm-email/\S+/)", message.body).group(1)


def test_signup_on_agency_domain_waits_until_the_address_is_confirmed(client, django_capture_on_commit_callbacks):
    officer = _sign_up(client, django_capture_on_commit_callbacks)

    assert (officer.verification_status, officer.verified_at) == (Officer.Verification.PENDING, None)


def test_following_the_confirmation_link_verifies_by_domain(client, django_capture_on_commit_callbacks):
    officer = _sign_up(client, django_capture_on_commit_callbacks)

    response = client.post(_confirmation_link(mail.outbox[0]))

    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.verification_status, officer.verified_by) == (Officer.Verification.VERIFIED, None)


def test_unconfirmed_address_gets_no_api_token(client, django_capture_on_commit_callbacks):
    _sign_up(client, django_capture_on_commit_callbacks)

    response = APIClient().post(
        "/api/v1/auth/tokens/", {"email": "chief.x@policiafederal.gov.ar", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "email_unconfirmed"


def test_confirmed_address_gets_an_api_token(client, django_capture_on_commit_callbacks):
    _sign_up(client, django_capture_on_commit_callbacks)
    client.post(_confirmation_link(mail.outbox[0]))

    response = APIClient().post(
        "/api/v1/auth/tokens/", {"email": "chief.x@policiafederal.gov.ar", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 201


def test_unconfirmed_address_cannot_register_through_the_api_even_when_verified_by_a_manager():
    officer = OfficerFactory(user=UserFactory(email="ana@gmail.com", confirmed_email=False))
    session = _published_virtual_session()
    api = APIClient()
    api.force_authenticate(officer.user)

    response = api.post("/api/v1/registrations/", {"session": session.pk}, format="json")

    assert (response.status_code, response.json()["code"]) == (403, "email_unconfirmed")
    assert Registration.objects.count() == 0


def test_unconfirmed_address_cannot_register_in_the_portal():
    officer = OfficerFactory(user=UserFactory(email="ana@gmail.com", confirmed_email=False))
    session = _published_virtual_session()

    with pytest.raises(services.RegistrationError) as refused:
        services.register_officer(session=session, officer=officer, source=Registration.Source.PORTAL)

    assert refused.value.code == "email_unconfirmed"


def _confirmed_seat_then_address_changed(new_email="ana.new@gmail.com"):
    officer = OfficerFactory()
    session = _published_virtual_session()
    registration = RegistrationFactory(
        session=session,
        officer=officer,
        status=Registration.Status.CONFIRMED,
        confirmed_at=timezone.now() - timezone.timedelta(days=30),
    )
    officer.user.email = new_email  # e.g. changed by a manager in the admin: not confirmed yet
    officer.user.save()
    return officer, session, registration


def test_changed_unconfirmed_address_sees_no_meeting_link_in_the_portal(client):
    officer, session, _ = _confirmed_seat_then_address_changed()
    client.force_login(officer.user)

    response = client.get(reverse("sessions:detail", args=[session.pk]))

    assert response.context["meeting_url"] == ""
    assert "secret-room" not in response.content.decode()


def test_changed_unconfirmed_address_sees_no_meeting_link_in_the_api():
    officer, session, _ = _confirmed_seat_then_address_changed()
    api = APIClient()
    api.force_authenticate(officer.user)

    response = api.get(f"/api/v1/sessions/{session.pk}/")

    assert response.json()["meeting_url"] is None


def test_changed_unconfirmed_address_gets_no_calendar_file(client):
    officer, session, _ = _confirmed_seat_then_address_changed()
    client.force_login(officer.user)

    response = client.get(reverse("sessions:calendar", args=[session.pk]))

    assert response.status_code == 302
    assert response.headers["Content-Type"] != "text/calendar; charset=utf-8"


def test_changed_unconfirmed_address_gets_no_certificate(client):
    officer, session, registration = _confirmed_seat_then_address_changed()
    AttendanceFactory(registration=registration)
    TrainingSession.objects.filter(pk=session.pk).update(status=TrainingSession.Status.COMPLETED)
    client.force_login(officer.user)

    response = client.get(reverse("sessions:certificate_pdf", args=[registration.pk]))

    assert response.status_code == 302
    assert not registration.__class__.objects.filter(pk=registration.pk, certificate__isnull=False).exists()


def test_reminder_to_unconfirmed_address_carries_no_meeting_link(django_capture_on_commit_callbacks):
    officer, session, registration = _confirmed_seat_then_address_changed()
    TrainingSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() + timezone.timedelta(hours=23))

    with django_capture_on_commit_callbacks(execute=True):
        services.send_due_reminders()

    assert [message.to for message in mail.outbox] == [["ana.new@gmail.com"]]
    assert "secret-room" not in mail.outbox[0].body


def _add_and_confirm_address(client, email, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_email"), {"action_add": "", "email": email})
    client.post(_confirmation_link(mail.outbox[-1]))
    client.post(reverse("account_email"), {"action_primary": "", "email": email})


def test_moving_to_another_agencys_domain_runs_verification_again(client, django_capture_on_commit_callbacks):
    officer = OfficerFactory(user=UserFactory(email="ana@policia.gob.mx"), verified_by=ManagerFactory())
    AgencyEmailDomainFactory(domain="uif.gob.mx")
    client.force_login(officer.user)

    _add_and_confirm_address(client, "ana@uif.gob.mx", django_capture_on_commit_callbacks)

    officer.refresh_from_db()
    assert (officer.user.email, officer.verification_status) == ("ana@uif.gob.mx", Officer.Verification.PENDING)


def test_domain_verification_rests_on_the_current_address(client, django_capture_on_commit_callbacks):
    domain = AgencyEmailDomainFactory(domain="policia.gob.mx")
    officer = OfficerFactory(user=UserFactory(email="ana@policia.gob.mx"), agency=domain.agency)
    client.force_login(officer.user)

    _add_and_confirm_address(client, "ana@gmail.com", django_capture_on_commit_callbacks)

    officer.refresh_from_db()
    assert officer.verification_status == Officer.Verification.PENDING


def test_confirming_a_second_address_on_the_agency_domain_verifies_once_it_is_primary(
    client, django_capture_on_commit_callbacks
):
    domain = AgencyEmailDomainFactory(domain="policia.gob.mx")
    officer = OfficerFactory(
        user=UserFactory(email="ana@gmail.com"), agency=domain.agency, verification_status="pending", verified_at=None
    )
    client.force_login(officer.user)

    _add_and_confirm_address(client, "ana@policia.gob.mx", django_capture_on_commit_callbacks)

    officer.refresh_from_db()
    assert officer.verification_status == Officer.Verification.VERIFIED


def test_data_migration_sends_unconfirmed_domain_verifications_back_to_pending():
    by_domain = OfficerFactory(user=UserFactory(email="a@policia.gob.mx", confirmed_email=False))
    confirmed = OfficerFactory(user=UserFactory(email="b@policia.gob.mx"))
    by_manager = OfficerFactory(
        user=UserFactory(email="c@gmail.com", confirmed_email=False), verified_by=ManagerFactory()
    )
    EmailAddress.objects.filter(user=by_domain.user).delete()
    migration = importlib.import_module("agencies.migrations.0003_unconfirmed_domain_verifications")

    migration.send_unconfirmed_back_to_pending(apps, None)

    states = {
        officer.user.email: officer.verification_status
        for officer in Officer.objects.select_related("user").filter(pk__in=[by_domain.pk, confirmed.pk, by_manager.pk])
    }
    assert states == {"a@policia.gob.mx": "pending", "b@policia.gob.mx": "verified", "c@gmail.com": "verified"}
