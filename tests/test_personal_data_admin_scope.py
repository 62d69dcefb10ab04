"""Least privilege in the back office: a trainer sees no personal data of sessions they do not train."""

import pytest

from sessions.models import Registration, TrainingSession
from tests.factories import (
    AttendanceFactory,
    InvitationFactory,
    OfficerFactory,
    OutboundMessageFactory,
    RegistrationFactory,
    TrainerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SECRET_EMAIL = "undercover.agent@policia.gob.mx"

# Every back-office list that shows officers' names or addresses.
ADMIN_LISTS = [
    "/admin/training/registration/",
    "/admin/training/attendance/",
    "/admin/training/invitation/",
    "/admin/messaging/outboundmessage/",
    "/admin/agencies/officer/",
    "/admin/accounts/user/",
]


@pytest.fixture
def someone_elses_session_with_an_officer():
    officer = OfficerFactory(user=UserFactory(email=SECRET_EMAIL, first_name="Zoraida", last_name="Quintanilla"))
    registration = RegistrationFactory(officer=officer, status=Registration.Status.CONFIRMED)
    TrainingSession.objects.filter(pk=registration.session_id).update(status=TrainingSession.Status.PUBLISHED)
    AttendanceFactory(registration=registration)
    InvitationFactory(session=registration.session, email=SECRET_EMAIL)
    OutboundMessageFactory(recipient=SECRET_EMAIL, session=registration.session, user=officer.user)
    return registration


@pytest.mark.parametrize("url", ADMIN_LISTS)
def test_trainer_admin_lists_hide_officers_of_sessions_they_do_not_train(
    client, someone_elses_session_with_an_officer, url
):
    client.force_login(TrainerFactory().user)

    response = client.get(url)

    assert response.status_code in (200, 403)
    assert SECRET_EMAIL not in response.content.decode()
    assert "Quintanilla" not in response.content.decode()


@pytest.mark.parametrize("url", ADMIN_LISTS)
def test_manager_admin_lists_show_every_officer(client, manager_user, someone_elses_session_with_an_officer, url):
    client.force_login(manager_user)

    response = client.get(url)

    assert response.status_code == 200
    assert SECRET_EMAIL in response.content.decode()
