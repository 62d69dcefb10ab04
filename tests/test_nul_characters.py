import pytest
from rest_framework.test import APIClient

from tests.factories import ManagerFactory, OfficerFactory

pytestmark = pytest.mark.django_db


def test_api_json_body_with_nul_is_400():
    client = APIClient()
    client.force_authenticate(ManagerFactory(is_superuser=True))

    response = client.post("/api/v1/sessions/", {"title": "Crypto", "country": "M\x00X"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert response.json()["detail"] == "JSON strings must not contain NUL characters."


def test_api_query_string_with_nul_is_400_json():
    client = APIClient()
    client.force_authenticate(ManagerFactory())

    response = client.get("/api/v1/sessions/", {"country": "M\x00X"})

    assert response.status_code == 400
    assert response.json()["detail"] == "The request contains a NUL character, which is not allowed."


def test_portal_query_string_with_nul_is_400(client):
    client.force_login(OfficerFactory().user)

    response = client.get("/sessions/", {"country": "\x00"})

    assert response.status_code == 400


def test_form_post_with_nul_is_400(client):
    response = client.post("/accounts/login/", {"login": "a\x00@example.org", "password": "x"})

    assert response.status_code == 400
