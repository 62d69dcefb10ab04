import time

import pytest
from django.db import OperationalError, connection


def _refuse_queries(execute, sql, params, many, context):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


@pytest.mark.django_db
def test_healthz_ok_when_database_and_broker_answer(client, settings):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    expected_transport = settings.CELERY_BROKER_URL.split(":", 1)[0]
    assert response.json() == {
        "status": "ok",
        "database": {"status": "ok", "vendor": connection.vendor},
        "broker": {"status": "ok", "transport": expected_transport},
    }


@pytest.mark.django_db
def test_healthz_embedded_filesystem_broker_is_healthy(client, settings, tmp_path):
    for folder in ("queue", "processed"):
        (tmp_path / folder).mkdir()
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path / "queue"),
        "data_folder_out": str(tmp_path / "queue"),
        "processed_folder": str(tmp_path / "processed"),
    }

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["broker"] == {"status": "ok", "transport": "filesystem"}


@pytest.mark.django_db
def test_healthz_200_degraded_names_broker_when_redis_port_closed(client, settings):
    # The site serves without its broker (emails wait in the outbox): a proxy must keep sending it traffic.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = settings.REDIS_BROKER_TRANSPORT_OPTIONS
    started = time.monotonic()

    response = client.get("/healthz")

    elapsed = time.monotonic() - started
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["status"] == "ok"
    assert (body["broker"]["status"], body["broker"]["transport"]) == ("down", "redis")
    assert body["broker"]["error"]
    assert elapsed < 1.5


@pytest.mark.django_db
def test_healthz_503_names_database_when_it_refuses_queries(client):
    with connection.execute_wrapper(_refuse_queries):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["database"] == {"status": "down", "vendor": connection.vendor, "error": "OperationalError"}
    assert body["broker"]["status"] == "ok"


def test_healthz_rejects_post(client):
    response = client.post("/healthz")

    assert response.status_code == 405
