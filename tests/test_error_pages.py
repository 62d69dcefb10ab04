"""Error pages a person may meet (404, 403, 500) are portal pages in their language, not bare text."""

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from sessions.models import TrainingSession
from tests.factories import OfficerFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def test_page_not_found_is_a_portal_page(client):
    session = TrainingSessionFactory(status=TrainingSession.Status.DRAFT)
    client.force_login(OfficerFactory().user)  # signed out, a hidden session leads to sign-in instead

    response = client.get(f"/sessions/{session.pk}/")

    assert response.status_code == 404
    content = response.content.decode()
    assert "<h1>Page not found</h1>" in content
    assert 'href="/sessions/"' in content
    # Django's message for the lookup names a model: it is not shown to people.
    assert "TrainingSession" not in content


def test_page_not_found_in_the_officer_language(client):
    officer = OfficerFactory(preferred_language="es")
    client.force_login(officer.user)

    response = client.get("/sessions/999999/")

    assert response.status_code == 404
    assert "<h1>Página no encontrada</h1>" in response.content.decode()


def test_access_denied_shows_the_reason(client, trainer):
    client.force_login(trainer.user)

    response = client.get("/reports/yearly/")

    assert response.status_code == 403
    content = response.content.decode()
    assert "<h1>Access denied</h1>" in content
    assert "Only managers can see the yearly report." in content


def test_server_error_page_needs_neither_request_context_nor_database(django_assert_num_queries):
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        response = server_error(request)

    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.content.decode()
