"""A real Celery worker on real Redis delivers 200 invitations exactly once, even when killed.

Needs REDIS_URL and PostgreSQL (CI sets both); skipped otherwise. The worker runs as a
subprocess against the test database and a local aiosmtpd server.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from messaging.models import OutboundMessage
from messaging.services import requeue_stale_messages
from sessions import services
from sessions.models import Invitation
from tests.factories import AgencyFactory, ManagerFactory, TrainingSessionFactory
from tests.integration.smtp_sink import SmtpSink
from trainingops.celery import app as celery_app

INVITEES = 200
KILL_AFTER = 60

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real Redis (REDIS_URL)"),
]


@pytest.fixture
def broker():
    """Publish to the real broker (the test settings run tasks eagerly) on a clean queue."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker process must share the test database")
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    yield celery_app
    celery_app.control.purge()
    celery_app.conf.task_always_eager = previous


def database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(sink: SmtpSink, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "trainingops.settings",
        "DEBUG": "false",
        "SECRET_KEY": "integration-test-secret",
        "CHECKIN_SIGNING_KEY": "dGVzdC1vbmx5LWNoZWNrLWluLWtleS0zMi1ieXRlcyE=",
        "DATABASE_URL": database_url(),
        "EMAIL_URL": sink.url,
        "SITE_URL": settings.SITE_URL,
        # A killed worker's unacknowledged tasks come back quickly, to show redelivery is harmless.
        "CELERY_VISIBILITY_TIMEOUT": "5",
    }
    command = [sys.executable, "-m", "celery", "-A", "trainingops", "worker", "--concurrency=2", "--loglevel=INFO"]
    return subprocess.Popen(  # noqa: S603 — our own interpreter and arguments
        command,
        env=env,
        cwd=settings.BASE_DIR,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(worker: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


def wait_for(condition, timeout, what, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"Timed out waiting for {what}. Worker log:\n{log.read_text()[-4000:]}")


def sent_count() -> int:
    return OutboundMessage.objects.filter(kind="invitation", status=OutboundMessage.Status.SENT).count()


@pytest.mark.django_db(transaction=True)
def test_worker_delivers_each_invitation_once_even_when_killed_mid_batch(countries, broker, tmp_path, settings):
    session = TrainingSessionFactory()
    agency = AgencyFactory(acronym="SSPC")
    pasted = "\n".join(f"invitee{n}@sspc.gob.mx, {agency.acronym}" for n in range(INVITEES))
    log = tmp_path / "worker.log"

    with SmtpSink(block_after=KILL_AFTER) as sink:
        worker = start_worker(sink, log)
        try:
            plan = services.invite_officers(session=session, by=ManagerFactory(), pasted=pasted)
            assert len(plan.invitees) == INVITEES
            wait_for(sink.handler.blocked.is_set, 60, "the worker to reach the stall point", log)
            time.sleep(0.3)  # both pool processes are now stalled inside a conversation
            stop(worker, signal.SIGKILL)
        finally:
            stop(worker, signal.SIGKILL)

        delivered_before_kill = sink.handler.count()
        assert delivered_before_kill >= KILL_AFTER
        # Every message the server accepted was marked sent before the next one began.
        assert sent_count() == delivered_before_kill
        assert OutboundMessage.objects.filter(status=OutboundMessage.Status.SENDING).count() > 0

        sink.handler.released.set()
        # The periodic sweep's job, run now rather than in minutes: nobody holds those claims.
        settings.MESSAGING_STALE_AFTER = timedelta(0)
        requeue_stale_messages()

        worker = start_worker(sink, log)
        try:
            wait_for(lambda: sent_count() == INVITEES, 90, "all invitations to be sent", log)
            time.sleep(7)  # past the visibility timeout: redelivered tasks must send nothing
        finally:
            stop(worker)

    assert sink.handler.count() == INVITEES
    assert sink.handler.duplicates() == {}
    assert sorted(sink.handler.keys) == sorted(
        f"invitation:{pk}" for pk in Invitation.objects.values_list("pk", flat=True)
    )
    assert OutboundMessage.objects.filter(kind="invitation").exclude(status=OutboundMessage.Status.SENT).count() == 0
