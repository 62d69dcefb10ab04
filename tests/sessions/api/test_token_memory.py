"""Each web process remembers the tokens it authenticated for API_AUTH_CACHE_SECONDS."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken

from accounts.models import User
from tests.api_fixtures import token_client
from tests.factories import ManagerFactory, OfficerFactory
from trainingops.api.authentication import recent_tokens

pytestmark = pytest.mark.django_db
SESSIONS = "/api/v1/sessions/"
REPORT = "/api/v1/reports/yearly?year=2025"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch, settings):
    settings.API_AUTH_CACHE_SECONDS = 1.0
    clock = Clock()
    monkeypatch.setattr(recent_tokens, "clock", clock)
    return clock


def _reads_token(client, path=SESSIONS) -> tuple[int, bool]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    table = AuthToken._meta.db_table
    return status, any(table in query["sql"] or "trainingops_api_token" in query["sql"] for query in queries)


def test_second_call_within_the_delay_does_not_read_the_token(clock):
    client = token_client(OfficerFactory().user)

    assert _reads_token(client) == (200, True)
    clock.now += 0.5
    assert _reads_token(client) == (200, False)


def test_token_is_read_again_after_the_delay(clock):
    client = token_client(OfficerFactory().user)
    _reads_token(client)

    clock.now += 1.01

    assert _reads_token(client) == (200, True)


def test_turned_off_every_call_reads_the_token(clock, settings):
    settings.API_AUTH_CACHE_SECONDS = 0
    client = token_client(OfficerFactory().user)

    assert _reads_token(client) == (200, True)
    assert _reads_token(client) == (200, True)


def test_revoked_token_is_refused_at_once(clock):
    officer = OfficerFactory()
    client = token_client(officer.user)
    key = AuthToken.objects.get(user=officer.user).token_key
    assert client.get(SESSIONS).status_code == 200

    assert client.delete(f"/api/v1/auth/tokens/{key}/").status_code == 204

    response = client.get(SESSIONS)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_deactivated_user_is_refused_at_once(clock):
    officer = OfficerFactory()
    client = token_client(officer.user)
    assert client.get(SESSIONS).status_code == 200

    officer.user.is_active = False
    officer.user.save()

    assert client.get(SESSIONS).status_code == 401


def test_manager_removed_from_group_loses_reports_at_once(clock):
    manager = ManagerFactory()
    client = token_client(manager)
    assert client.get(REPORT).status_code == 200

    manager.groups.remove(Group.objects.get(name="Managers"))

    assert client.get(REPORT).status_code == 403


def test_group_emptied_from_its_side_is_seen_at_once(clock):
    manager = ManagerFactory()
    client = token_client(manager)
    assert client.get(REPORT).status_code == 200

    Group.objects.get(name="Managers").user_set.clear()

    assert client.get(REPORT).status_code == 403


def test_change_made_by_another_process_is_seen_within_the_delay(clock):
    """No signal reaches this process (a bulk update stands for another worker's change)."""
    officer = OfficerFactory()
    client = token_client(officer.user)
    assert client.get(SESSIONS).status_code == 200

    User.objects.filter(pk=officer.user.pk).update(is_active=False)
    clock.now += 0.5
    assert client.get(SESSIONS).status_code == 200  # remembered for up to API_AUTH_CACHE_SECONDS

    clock.now += 0.6
    assert client.get(SESSIONS).status_code == 401


def test_token_expiring_while_remembered_is_refused_and_deleted(clock):
    officer = OfficerFactory()
    client = token_client(officer.user)
    token = AuthToken.objects.get(user=officer.user)
    assert client.get(SESSIONS).status_code == 200

    with time_machine.travel(token.expiry + timedelta(seconds=1)):
        assert client.get(SESSIONS).status_code == 401

    assert not AuthToken.objects.filter(pk=token.pk).exists()


def test_a_request_changing_its_user_does_not_change_the_remembered_one(clock):
    officer = OfficerFactory(user__first_name="Ana")
    client = token_client(officer.user)
    first = client.get(SESSIONS)
    first.wsgi_request.user.first_name = "Changed in a view"

    second = client.get(SESSIONS)

    assert second.wsgi_request.user.first_name == "Ana"
    assert second.wsgi_request.user is not first.wsgi_request.user


def test_another_users_token_is_not_served_from_memory(clock):
    one = token_client(OfficerFactory().user)
    other_officer = OfficerFactory()
    other = token_client(other_officer.user)
    one.get(SESSIONS)

    response = other.get(SESSIONS)

    assert response.wsgi_request.user.pk == other_officer.user.pk
