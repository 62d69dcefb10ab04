"""Fixtures shared by the API tests: one authenticated client per role, throttles reset per test."""

import pytest
from django.core.cache import cache
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import ManagerFactory, OfficerFactory, TrainerFactory


def token_client(user) -> APIClient:
    """A client that authenticates like an integration: with a knox token."""
    _, token = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    client.user = user
    return client


@pytest.fixture(autouse=True)
def reset_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def manager(db):
    return ManagerFactory()


@pytest.fixture
def manager_client(manager):
    return token_client(manager)


@pytest.fixture
def trainer_profile(db):
    return TrainerFactory()


@pytest.fixture
def trainer_client(trainer_profile):
    return token_client(trainer_profile.user)


@pytest.fixture
def officer_profile(db):
    return OfficerFactory()


@pytest.fixture
def officer_client(officer_profile):
    return token_client(officer_profile.user)


@pytest.fixture
def client_for():
    """Pick a client by role name in parametrised tests."""

    def pick(request, role):
        return request.getfixturevalue(f"{role}_client")

    return pick
