"""Redis is an accelerator, never a dependency of a request.

With Redis stopped (a URL to a closed port) and frozen (a redis-server of the test's own under
SIGSTOP: connections are accepted, nothing is answered), the API, the portal's login, a sign-up,
a session registration and /healthz answer without a 5xx within the bound below, and the emails
they queue go out, once, when the sweep runs after Redis is back. The cache and the broker are
configured exactly as settings.py configures them for a REDIS_URL.
"""

import time
from dataclasses import dataclass
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from messaging.models import OutboundMessage
from messaging.services import requeue_stale_messages
from sessions import services
from sessions.models import Invitation, InvitationRequest, Registration, TrainingSession
from tests.api_fixtures import token_client
from tests.factories import (
    AgencyEmailDomainFactory,
    OfficerFactory,
    TopicFactory,
    TrainingSessionFactory,
    UserFactory,
)
from tests.redis_server import RedisServer, closed_port, fresh_broker_connections
from trainingops import redis_outage
from trainingops.celery import app as celery_app

pytestmark = pytest.mark.django_db

# The issue asks for 1 s; the bound leaves room for a busy 2-core CI machine, not for a socket timeout.
BOUND_SECONDS = 1.5


@dataclass
class Outage:
    kind: str
    url: str
    server: RedisServer | None

    def end(self) -> None:
        """Redis answers again: the cache and the broker are used as soon as the retry delay is over."""
        if self.server is not None:
            self.server.thaw()
        redis_outage.forget()


def warm_up(client) -> None:
    """Load the views, forms and templates the tests time, so the bound measures Redis, not a cold start."""
    token_client(UserFactory(email="warm-up@example.org")).get("/api/v1/sessions/")
    for path in (reverse("account_login"), reverse("account_signup"), "/", "/healthz"):
        client.get(path)
    client.post(reverse("account_login"), {"login": "warm-up@example.org", "password": "wrong"})
    client.post(reverse("account_signup"), {})


@pytest.fixture(params=["stopped", "frozen"])
def outage(request, client, settings, monkeypatch, tmp_path):
    """The cache and the broker point at a Redis that does not answer; tasks are published, not run."""
    warm_up(client)
    server = None
    if request.param == "stopped":
        url = f"redis://127.0.0.1:{closed_port()}/5"
    else:
        server = RedisServer(tmp_path)
        server.start()
        server.freeze()
        url = server.url()
    # Celery's configuration reads through to Django's settings: patch it first, so that the values
    # it gets back afterwards are the suite's own.
    monkeypatch.setitem(celery_app.conf, "broker_url", url)
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", settings.REDIS_BROKER_TRANSPORT_OPTIONS)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    fresh_broker_connections()
    settings.CACHES = {"default": {**settings.REDIS_CACHE, "LOCATION": url}}
    settings.CELERY_BROKER_URL = url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = settings.REDIS_BROKER_TRANSPORT_OPTIONS
    settings.MESSAGING_STALE_AFTER = timedelta(0)  # the sweep after the outage finds the emails due
    redis_outage.forget()
    yield Outage(kind=request.param, url=url, server=server)
    fresh_broker_connections()
    redis_outage.forget()
    if server is not None:
        server.stop()


class Stopwatch:
    """Times its block, including the on-commit callbacks a request runs as its transaction ends."""

    def __enter__(self):
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self.started


def deliver_after_outage(outage: Outage, settings, monkeypatch) -> None:
    """Redis is back and the periodic sweep runs (twice: a second run must send nothing more)."""
    outage.end()
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    requeue_stale_messages()
    requeue_stale_messages()


def test_api_with_token_answers_while_redis_is_down(outage):
    client = token_client(OfficerFactory().user)

    with Stopwatch() as watch:
        response = client.get("/api/v1/sessions/")

    assert response.status_code == 200
    assert watch.seconds < BOUND_SECONDS


def test_api_anonymous_token_request_answers_while_redis_is_down(outage, client):
    UserFactory(email="ana@policia.gob.mx")

    with Stopwatch() as watch:
        response = client.post(
            "/api/v1/auth/tokens/",
            {"email": "ana@policia.gob.mx", "password": "correct-horse-battery"},
            content_type="application/json",
        )

    assert response.status_code == 201
    assert watch.seconds < BOUND_SECONDS


def test_api_anonymous_throttle_still_counts_in_memory_while_redis_is_down(outage, client, settings):
    # The login throttle (10/minute by default) keeps refusing password guessing during the outage.
    for _ in range(10):
        client.post("/api/v1/auth/tokens/", {"email": "x@y.org", "password": "guess"}, content_type="application/json")

    response = client.post(
        "/api/v1/auth/tokens/", {"email": "x@y.org", "password": "guess"}, content_type="application/json"
    )

    assert response.status_code == 429


def test_portal_login_answers_while_redis_is_down(outage, client):
    user = UserFactory(email="lena@policia.gob.mx")
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})

    with Stopwatch() as watch:
        response = client.post(reverse("account_login"), {"login": user.email, "password": "correct-horse-battery"})

    assert (response.status_code, response.url) == (302, "/")
    assert watch.seconds < BOUND_SECONDS


def test_portal_session_lists_answer_with_their_cards_while_redis_is_down(outage, client):
    session = TrainingSessionFactory(title="Tracing ransomware payments")
    session.topics.add(TopicFactory(name="Ransomware"))
    client.get("/")  # the first call meets the outage (one timeout at most), the next skip Redis

    with Stopwatch() as watch:
        pages = [client.get(path) for path in ("/", "/", reverse("sessions:list"), reverse("sessions:list"))]

    assert [response.status_code for response in pages] == [200, 200, 200, 200]
    for response in pages:
        [card] = response.context["cards"]
        assert "Tracing ransomware payments</a></h3>" in card
        assert '<span class="badge">Ransomware</span>' in card
    assert watch.seconds < BOUND_SECONDS


def test_signup_commits_while_redis_is_down_and_its_email_goes_out_once_after(
    outage, client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    domain = AgencyEmailDomainFactory(domain="policia.gob.mx")
    data = {
        "email": "ana@policia.gob.mx",
        "first_name": "Ana",
        "last_name": "López",
        "agency": domain.agency.pk,
        "job_title": "Investigator",
        "preferred_language": "es",
        "password1": "a-Long-passphrase-42",
        "password2": "a-Long-passphrase-42",
        "privacy_consent": "on",
    }

    with Stopwatch() as watch, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), data)

    assert response.status_code == 302
    assert watch.seconds < BOUND_SECONDS
    message = OutboundMessage.objects.get(recipient="ana@policia.gob.mx")
    assert message.status == OutboundMessage.Status.PENDING
    assert mail.outbox == []

    deliver_after_outage(outage, settings, monkeypatch)

    assert [email.to for email in mail.outbox] == [["ana@policia.gob.mx"]]


def test_session_registration_commits_while_redis_is_down_and_its_email_goes_out_once_after(
    outage, client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    officer = OfficerFactory()
    session = TrainingSessionFactory(title="Crypto tracing")
    client.force_login(officer.user)

    with Stopwatch() as watch, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sessions:register", args=[session.pk]))

    assert response.status_code == 302
    assert watch.seconds < BOUND_SECONDS
    registration = Registration.objects.get(session=session, officer=officer)
    assert registration.status == Registration.Status.CONFIRMED
    assert mail.outbox == []

    deliver_after_outage(outage, settings, monkeypatch)

    assert [email.to for email in mail.outbox] == [[officer.user.email]]
    assert mail.outbox[0].attachments[0][0] == "session.ics"


def test_healthz_names_the_broker_down_while_redis_is_down(outage, client):
    with Stopwatch() as watch:
        response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"]["status"]) == ("degraded", "ok")
    assert (body["broker"]["status"], body["broker"]["transport"]) == ("down", "redis")
    assert watch.seconds < BOUND_SECONDS


def test_cache_answers_from_memory_while_redis_is_down(outage):
    cache.set("greeting", "hola", 60)
    added = cache.add("counter", 1, 60)
    counted = cache.incr("counter")

    assert (added, counted, cache.get("greeting")) == (True, 2, "hola")


def test_invitations_wait_in_the_database_while_redis_is_down_and_go_out_once_after(
    outage, settings, monkeypatch, manager_user, django_capture_on_commit_callbacks
):
    session = TrainingSessionFactory(status=TrainingSession.Status.PUBLISHED)
    pasted = f"ana@policia.gob.mx, {AgencyEmailDomainFactory().agency.acronym}"

    with Stopwatch() as watch, django_capture_on_commit_callbacks(execute=True):
        plan = services.invite_officers(session=session, by=manager_user, pasted=pasted)

    assert watch.seconds < BOUND_SECONDS
    assert [invitee.email for invitee in plan.invitees] == ["ana@policia.gob.mx"]
    assert (Invitation.objects.count(), InvitationRequest.objects.get().processed_at) == (0, None)
    outage.end()
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    later = timezone.now() + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.resume_invitation_requests(now=later) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.resume_invitation_requests(now=later) == 0
    assert list(Invitation.objects.values_list("email", flat=True)) == ["ana@policia.gob.mx"]
    assert [message.to for message in mail.outbox] == [["ana@policia.gob.mx"]]
    assert InvitationRequest.objects.get().pasted == ""
