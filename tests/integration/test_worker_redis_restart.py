"""A real Celery worker survives a restart of its Redis and delivers what is queued afterwards.

The worker runs as a subprocess against the test database (PostgreSQL only), an SMTP sink and a
redis-server of the test's own (never the shared one), which the test restarts under it.
"""

import time

import pytest
from django.db import connection

from sessions import services
from tests.factories import AgencyFactory, ManagerFactory, TrainingSessionFactory
from tests.integration.smtp_sink import SmtpSink
from tests.integration.test_worker_delivery import start_worker, stop, wait_for
from tests.redis_server import RedisServer, fresh_broker_connections
from trainingops import redis_outage
from trainingops.celery import app as celery_app

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture
def own_redis(tmp_path, settings, monkeypatch):
    """The worker (through REDIS_URL) and this process publish to a redis-server of the test's own."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker process must share the test database")
    server = RedisServer(tmp_path)
    server.start()
    monkeypatch.setenv("REDIS_URL", server.url())
    fresh_broker_connections()
    monkeypatch.setitem(celery_app.conf, "broker_url", server.url())
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", settings.REDIS_BROKER_TRANSPORT_OPTIONS)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    redis_outage.forget()
    yield server
    fresh_broker_connections()
    redis_outage.forget()
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_worker_survives_redis_restart_and_delivers_an_invitation_queued_after(countries, own_redis, tmp_path):
    session = TrainingSessionFactory()
    agency = AgencyFactory(acronym="SSPC")
    log = tmp_path / "worker.log"

    with SmtpSink() as sink:
        worker = start_worker(sink, log)
        try:
            wait_for(lambda: "ready." in log.read_text(), 60, "the worker to start", log)
            own_redis.restart()
            time.sleep(1)  # the worker notices the lost connection while Redis is already back
            services.invite_officers(session=session, by=ManagerFactory(), pasted=f"ana@sspc.gob.mx, {agency.acronym}")
            wait_for(lambda: sink.handler.count() == 1, 60, "the invitation queued after the restart", log)
            assert worker.poll() is None
        finally:
            stop(worker)

    assert sink.handler.duplicates() == {}
