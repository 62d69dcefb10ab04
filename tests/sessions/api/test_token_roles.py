"""Token authentication loads the caller's role with the token, in one (prepared) statement."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_token_statement_is_prepared_once_per_connection(settings, roles):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL feature")
    settings.DB_PREPARED_STATEMENTS = True
    settings.API_AUTH_CACHE_SECONDS = 0  # read the token on every call
    connection.close()  # a fresh connection, whatever earlier tests prepared
    client = token_client(ManagerFactory())
    with CaptureQueriesContext(connection) as first:
        assert client.get(SESSIONS).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get(SESSIONS).status_code == 200
    first_sql = [query["sql"] for query in first.captured_queries]
    second_sql = [query["sql"] for query in second.captured_queries]
    assert len(first_sql) == len(second_sql)
    assert any(sql.startswith("PREPARE trainingops_api_token ") for sql in first_sql)
    assert not any("PREPARE" in sql for sql in second_sql)
    assert any(sql.startswith("EXECUTE trainingops_api_token ") for sql in second_sql)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_prepared_statements_survive_a_reconnect(roles, settings):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL feature")
    settings.API_AUTH_CACHE_SECONDS = 0  # read the token on every call
    client = token_client(ManagerFactory())
    assert client.get(SESSIONS).status_code == 200
    connection.close()  # the server session and its prepared statements are gone
    with CaptureQueriesContext(connection) as after:
        assert client.get(SESSIONS).status_code == 200
    assert any(query["sql"].startswith("PREPARE trainingops_api_token ") for query in after.captured_queries)


def test_plain_statements_when_preparing_is_off(settings):
    settings.DB_PREPARED_STATEMENTS = False
    client = token_client(ManagerFactory())
    with CaptureQueriesContext(connection) as queries:
        assert client.get(SESSIONS).status_code == 200
    assert not any(word in query["sql"] for query in queries.captured_queries for word in ("PREPARE", "EXECUTE"))
