"""The OpenAPI schema is valid, and the API keeps to it under fuzzing (schemathesis)."""

from datetime import timedelta

import pytest
import schemathesis
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_fixtures import token_client
from tests.factories import (
    AgencyFactory,
    AttendanceFactory,
    ManagerFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TopicFactory,
    TrainingSessionFactory,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.0.3")


@pytest.mark.django_db
def test_docs_page_uses_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/" in response.content
    assert b"cdn.jsdelivr" not in response.content


@pytest.mark.django_db
def test_redoc_page_uses_local_assets_and_forbids_others(client):
    response = client.get("/api/redoc/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in content
    assert "fonts.googleapis.com" not in content
    # Redoc's bundle shows a logo from Redocly's CDN: the page's policy keeps the browser from fetching it.
    assert (
        "<meta http-equiv=\"Content-Security-Policy\" content=\"img-src 'self' data:; font-src 'self' data:; "
        "connect-src 'self'\">"
    ) in content


@pytest.fixture
def keep_test_connection():
    """Calls go through the WSGI handler, whose request signals would close the test's connection
    (the test client disconnects them the same way)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_data(db, keep_test_connection):
    """A small world to fuzz against: sessions in every state, registrations and attendance."""
    topic = TopicFactory(slug="aml")
    officer = OfficerFactory(agency=AgencyFactory())
    running = TrainingSessionFactory(starts_at=timezone.now() - timedelta(hours=1))
    running.topics.add(topic)
    SessionTrainerFactory(session=running)
    AttendanceFactory(registration=RegistrationFactory(session=running, officer=officer))
    TrainingSessionFactory(status="draft")
    TrainingSessionFactory(status="cancelled")
    RegistrationFactory()
    return {"manager": ManagerFactory(), "officer": officer, "trainer": running.session_trainers.get().trainer}


# Loaded at collection: serving the schema touches no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


FUZZ_SETTINGS = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _call_as(case, user, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None, "login": None})
    token = token_client(user)._credentials["HTTP_AUTHORIZATION"]
    case.call_and_validate(headers={"Authorization": token}, checks=CHECKS)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_conforms_to_schema_as_manager(case, api_data, monkeypatch):
    _call_as(case, api_data["manager"], monkeypatch)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_conforms_to_schema_as_officer(case, api_data, monkeypatch):
    _call_as(case, api_data["officer"].user, monkeypatch)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_conforms_to_schema_as_trainer(case, api_data, monkeypatch):
    _call_as(case, api_data["trainer"].user, monkeypatch)
