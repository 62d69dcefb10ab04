import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from messaging import services
from messaging.models import OutboundMessage
from messaging.tasks import deliver_messages, requeue_pending_messages
from tests.factories import OutboundMessageFactory, TrainingSessionFactory
from trainingops.qr import qr_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def greeting_templates(settings, tmp_path):
    """A message kind of our own, so the core is tested apart from any business email."""
    emails = tmp_path / "emails"
    emails.mkdir()
    (emails / "greeting.subject.txt").write_text("{% load i18n %}{% translate 'Welcome' %} {{ name }}\n")
    (emails / "greeting.txt").write_text("Hello {{ name }}, see {{ site_url }}/sessions/")
    (emails / "greeting.html").write_text("<p>Hello {{ name }}</p>")
    # Assign a new list (not an in-place edit) so Django resets its cached template engines.
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    return "greeting"


class FailingBackend:
    """An SMTP server that refuses every message with a temporary error."""

    calls = 0

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        type(self).calls += 1
        raise smtplib.SMTPServerDisconnected("connection lost")


class RefusingBackend(FailingBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@y.org": (550, b"no such user")})


def queue_greeting(kind, key="greeting:1", **extra):
    return services.queue_message(
        kind=kind,
        recipient="ana@policia.gob.mx",
        language="es",
        context={"name": "Ana"},
        idempotency_key=key,
        **extra,
    )


def test_queue_message_sends_once_on_commit(greeting_templates, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_greeting(greeting_templates, session=session)

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert message.attempts == 1
    assert message.session == session
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@policia.gob.mx"]
    assert mail.outbox[0].subject == "Welcome Ana"  # no Spanish catalogue entry for this test kind
    assert mail.outbox[0].body == "Hello Ana, see https://training.example.org/sessions/"
    assert mail.outbox[0].alternatives[0][0] == "<p>Hello Ana</p>"


def test_queue_message_nothing_sent_before_commit(greeting_templates, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = queue_greeting(greeting_templates)

    assert len(callbacks) == 1
    assert mail.outbox == []
    assert OutboundMessage.objects.get().status == OutboundMessage.Status.PENDING
    assert message.pk is not None


def test_queue_message_same_key_twice_logs_and_sends_once(greeting_templates, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue_greeting(greeting_templates)
        second = queue_greeting(greeting_templates)

    assert first.pk == second.pk
    assert OutboundMessage.objects.count() == 1
    assert len(mail.outbox) == 1


def test_deliver_task_retried_does_not_send_twice(greeting_templates, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_greeting(greeting_templates)

    deliver_messages.apply(kwargs={"message_ids": [message.pk]})
    deliver_messages.apply(kwargs={"message_ids": [message.pk]})

    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_deliver_task_unknown_id_is_ignored():
    result = deliver_messages.apply(kwargs={"message_ids": [987654]}).get()

    assert result == {"sent": 0, "failed": 0}
    assert mail.outbox == []


def test_deliver_task_attachment_is_sent():
    message = OutboundMessageFactory(
        attachments=[{"filename": "session.ics", "mimetype": "text/calendar", "content": "BEGIN:VCALENDAR"}]
    )

    deliver_messages.apply(kwargs={"message_ids": [message.pk]})

    assert mail.outbox[0].attachments == [("session.ics", "BEGIN:VCALENDAR", "text/calendar")]


def test_a_qr_code_attachment_is_kept_as_its_text_and_drawn_when_sent():
    stored = services.Attachment(filename="code.png", content="TO1:abc.def", qr_code=True).as_dict()
    message = OutboundMessageFactory(attachments=[stored])

    deliver_messages.apply(kwargs={"message_ids": [message.pk]})

    assert stored == {"filename": "code.png", "content": "TO1:abc.def", "mimetype": "image/png", "encoding": "qr-code"}
    assert mail.outbox[0].attachments == [("code.png", qr_png("TO1:abc.def"), "image/png")]
    assert mail.outbox[0].attachments[0][1].startswith(b"\x89PNG")


def test_deliver_smtp_failure_retried_then_marked_failed(settings, monkeypatch):
    from trainingops.celery import app

    # Without propagation, eager mode runs the retries in place, as a worker would later.
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    settings.EMAIL_BACKEND = "tests.messaging.test_services.FailingBackend"
    settings.MESSAGING_MAX_ATTEMPTS = 3
    FailingBackend.calls = 0
    message = OutboundMessageFactory()

    deliver_messages.apply(kwargs={"message_ids": [message.pk]})

    message.refresh_from_db()
    assert FailingBackend.calls == 3
    assert message.attempts == 3
    assert message.status == OutboundMessage.Status.FAILED
    assert message.last_error == "SMTPServerDisconnected: connection lost"


def test_deliver_smtp_failure_then_success_is_sent(settings):
    settings.EMAIL_BACKEND = "tests.messaging.test_services.FailingBackend"
    message = OutboundMessageFactory()

    result = services.deliver_messages(message_ids=[message.pk])
    assert result.retry == [message.pk]
    assert result.retry_in == 30
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.deliver_messages(message_ids=[message.pk])

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert message.attempts == 2
    assert len(mail.outbox) == 1


def test_deliver_permanent_refusal_fails_at_once(settings):
    settings.EMAIL_BACKEND = "tests.messaging.test_services.RefusingBackend"
    message = OutboundMessageFactory()

    deliver_messages.apply(kwargs={"message_ids": [message.pk]})

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.FAILED
    assert message.attempts == 1


def test_backoff_seconds_grows_exponentially_and_is_capped():
    assert [services.backoff_seconds(n) for n in (1, 2, 3, 4, 10)] == [30, 60, 120, 240, 1800]


def test_requeue_pending_recovers_message_lost_at_enqueue(greeting_templates, django_capture_on_commit_callbacks):
    # The broker was down when the transaction committed: the row is pending and nobody knows.
    with django_capture_on_commit_callbacks(execute=False):
        message = queue_greeting(greeting_templates)

    assert requeue_pending_messages.apply().get() == 0  # not stale yet
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert requeue_pending_messages.apply().get() == 1

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert len(mail.outbox) == 1


def test_requeue_pending_recovers_message_of_dead_worker():
    message = OutboundMessageFactory(
        status=OutboundMessage.Status.SENDING, claimed_at=timezone.now() - timedelta(minutes=10), attempts=1
    )

    requeue_pending_messages.apply()

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert message.attempts == 2
    assert len(mail.outbox) == 1


def test_enqueue_delivery_broker_down_leaves_rows_pending(settings, monkeypatch):
    from kombu.exceptions import OperationalError

    from messaging import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver_messages, "apply_async", broker_down)
    message = OutboundMessageFactory()

    services.enqueue_delivery([message.pk])

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.PENDING
    assert mail.outbox == []


def test_queue_messages_bulk_skips_known_keys(greeting_templates, django_capture_on_commit_callbacks):
    specs = [
        services.MessageSpec(
            kind=greeting_templates,
            recipient=f"officer{n}@policia.gob.mx",
            language="en",
            context={"name": f"Officer {n}"},
            idempotency_key=f"bulk:{n}",
        )
        for n in range(5)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_messages(specs[:2])
    with django_capture_on_commit_callbacks(execute=True):
        created = services.queue_messages(specs)

    assert len(created) == 3
    assert OutboundMessage.objects.count() == 5
    assert sorted(m.to[0] for m in mail.outbox) == [f"officer{n}@policia.gob.mx" for n in range(5)]


def test_retry_failed_messages_sends_again(django_capture_on_commit_callbacks):
    message = OutboundMessageFactory(status=OutboundMessage.Status.FAILED, attempts=5, last_error="boom")

    with django_capture_on_commit_callbacks(execute=True):
        count = services.retry_failed_messages(message_ids=[message.pk])

    message.refresh_from_db()
    assert count == 1
    assert message.status == OutboundMessage.Status.SENT
    assert len(mail.outbox) == 1
