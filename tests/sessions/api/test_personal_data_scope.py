"""Least privilege: a trainer reads officers' personal data only of the sessions they train (issue 11, point 6)."""

import pytest

from sessions.models import Registration
from tests.factories import AttendanceFactory, RegistrationFactory, SessionTrainerFactory

pytestmark = pytest.mark.django_db

PERSONAL_DATA_URLS = [
    "/api/v1/sessions/{session}/registrations/",
    "/api/v1/sessions/{session}/attendance/",
    "/api/v1/registrations/{registration}/",
]


def _registration_of_someone_elses_session():
    registration = RegistrationFactory(status=Registration.Status.CONFIRMED)
    AttendanceFactory(registration=registration)
    return registration


@pytest.mark.parametrize("url", PERSONAL_DATA_URLS)
def test_trainer_of_another_session_reads_no_personal_data(trainer_client, url):
    registration = _registration_of_someone_elses_session()

    response = trainer_client.get(url.format(session=registration.session_id, registration=registration.pk))

    assert response.status_code in (403, 404)
    assert registration.officer.user.email not in response.content.decode()


@pytest.mark.parametrize("url", PERSONAL_DATA_URLS)
def test_trainer_of_the_session_reads_its_personal_data(trainer_client, trainer_profile, url):
    registration = _registration_of_someone_elses_session()
    SessionTrainerFactory(session=registration.session, trainer=trainer_profile)

    response = trainer_client.get(url.format(session=registration.session_id, registration=registration.pk))

    assert response.status_code == 200
    assert registration.officer.user.email in response.content.decode()


@pytest.mark.parametrize("url", PERSONAL_DATA_URLS)
def test_manager_reads_personal_data_of_every_session(manager_client, url):
    registration = _registration_of_someone_elses_session()

    response = manager_client.get(url.format(session=registration.session_id, registration=registration.pk))

    assert response.status_code == 200
    assert registration.officer.user.email in response.content.decode()


def test_trainer_of_another_session_still_reads_its_counts(trainer_client):
    registration = _registration_of_someone_elses_session()

    response = trainer_client.get(f"/api/v1/sessions/{registration.session_id}/")

    assert response.status_code == 200
    assert registration.officer.user.email not in response.content.decode()
