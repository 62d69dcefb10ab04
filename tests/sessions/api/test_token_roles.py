"""Token authentication loads the caller's role with the token, in one query."""

import pytest
from django.contrib.auth.models import Group
from knox.models import AuthToken
from rest_framework.test import APIClient

from sessions.api.permissions import Role
from tests.api_fixtures import token_client
from tests.factories import (
    AgencyFactory,
    ManagerFactory,
    OfficerFactory,
    StaffTrainerUserFactory,
    TrainerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
SESSIONS = "/api/v1/sessions/"
REPORT = "/api/v1/reports/yearly?year=2025"


def _role_after_request(client, path=SESSIONS):
    response = client.get(path)
    return response, response.wsgi_request.user._trainingops_role


def test_manager_group_member_is_manager():
    response, role = _role_after_request(token_client(ManagerFactory()), REPORT)
    assert response.status_code == 200
    assert role.is_manager
    assert role.officer_id is None


def test_superuser_is_manager_without_the_group():
    user = UserFactory(is_superuser=True, is_staff=True)
    response, role = _role_after_request(token_client(user), REPORT)
    assert response.status_code == 200
    assert role.is_manager


def test_staff_trainer_with_profile_is_trainer_not_manager():
    trainer = TrainerFactory()
    response, role = _role_after_request(token_client(trainer.user), REPORT)
    assert response.status_code == 403
    assert role == Role(is_trainer=True, trainer_id=trainer.pk)


def test_staff_in_trainers_group_without_profile_is_trainer():
    user = StaffTrainerUserFactory()
    user.groups.add(Group.objects.get_or_create(name="Trainers")[0])
    response, role = _role_after_request(token_client(user))
    assert response.status_code == 200
    assert role.is_trainer
    assert role.trainer_id is None


def test_trainer_profile_without_staff_flag_is_no_trainer():
    trainer = TrainerFactory(user__is_staff=False)
    response, role = _role_after_request(token_client(trainer.user))
    assert response.status_code == 403
    assert not role.is_staff_role


def test_officer_role_carries_agency_and_country():
    officer = OfficerFactory(agency=AgencyFactory(country_id="MX"))
    response, role = _role_after_request(token_client(officer.user))
    assert response.status_code == 200
    assert role == Role(officer_id=officer.pk, officer_agency_id=officer.agency_id, officer_country_id="MX")


def test_inactive_users_token_is_refused():
    officer = OfficerFactory()
    client = token_client(officer.user)
    officer.user.is_active = False
    officer.user.save()
    response = client.get(SESSIONS)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_right_key_with_wrong_secret_is_refused():
    officer = OfficerFactory()
    _, token = AuthToken.objects.create(user=officer.user)
    forged = token[:15] + ("0" if token[15] != "0" else "1") + token[16:]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {forged}")
    assert client.get(SESSIONS).status_code == 401


def test_token_loads_user_fields_as_the_orm_does():
    officer = OfficerFactory(user__first_name="Ana", user__last_name="Pérez")
    response, _ = _role_after_request(token_client(officer.user))
    user = response.wsgi_request.user
    assert (user.pk, user.email, user.first_name, user.last_name) == (
        officer.user.pk,
        officer.user.email,
        "Ana",
        "Pérez",
    )
    assert user.is_active is True
    assert user.date_joined == officer.user.date_joined
    assert response.wsgi_request.auth.user_id == officer.user.pk
