"""The one path by which anything is emailed.

Callers queue a message inside their own transaction; the row is the proof of intent and the
worker is handed its id once the transaction commits. Delivery claims each row before sending, so
a retried task, a second delivery of the same task or two workers never send a message twice.
"""

import base64
import logging
import smtplib
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import models, transaction
from django.db.models import F
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.html import conditional_escape

from messaging.models import OutboundMessage
from trainingops.celery import enqueue
from trainingops.qr import qr_png

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: text as it is, or binary content (``bytes``) kept as base64 in the row.

    With ``qr_code``, ``content`` is a text kept as it is and drawn as a QR code PNG when the email is
    built by the worker: queuing happens inside the caller's transaction (a registration holds its
    session's seat lock), which should not pay the ~7 ms a QR code costs to draw.
    """

    filename: str
    content: str | bytes
    mimetype: str = "application/octet-stream"
    qr_code: bool = False

    def as_dict(self) -> dict:
        if self.qr_code:
            return {"filename": self.filename, "content": self.content, "mimetype": "image/png", "encoding": "qr-code"}
        if isinstance(self.content, bytes):
            content = base64.b64encode(self.content).decode("ascii")
            return {"filename": self.filename, "content": content, "mimetype": self.mimetype, "encoding": "base64"}
        return {"filename": self.filename, "content": self.content, "mimetype": self.mimetype}


def attachment_content(attachment: dict) -> str | bytes:
    """What an attachment stored by ``Attachment.as_dict`` holds: its text, its bytes decoded from base64,
    or its text drawn as a QR code."""
    encoding = attachment.get("encoding")
    if encoding == "base64":
        return base64.b64decode(attachment["content"])
    if encoding == "qr-code":
        return qr_png(attachment["content"])
    return attachment["content"]


@dataclass
class MessageSpec:
    """Everything needed to queue one message; used by ``queue_messages`` for fan-outs."""

    kind: str
    recipient: str
    language: str
    context: dict
    idempotency_key: str
    user: models.Model | None = None
    session: models.Model | None = None
    registration: models.Model | None = None
    related: models.Model | None = None
    attachments: Sequence[Attachment] = field(default_factory=tuple)
    # For large fan-outs: specs with the same kind, language and ``render_group`` share one
    # rendering, and only the ``personal`` values (printed as they are, no filters; a template
    # may only test whether they are empty) are filled in per recipient. Leave it empty to
    # render each spec alone.
    render_group: str = ""
    personal: dict = field(default_factory=dict)
    # Subject, text and HTML already rendered elsewhere (allauth's account emails); no template is used.
    rendered: tuple[str, str, str] | None = None


@dataclass
class DeliveryResult:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    retry_in: int = 0


def _render_plain(name: str, context: dict) -> str:
    """Render a plain-text template without HTML escaping ("A & B" stays "A & B" in a subject)."""
    return get_template(name).template.render(Context(context, autoescape=False))


def render_message(*, kind: str, language: str, context: dict) -> tuple[str, str, str]:
    """Render the subject, text and HTML parts of ``emails/<kind>.*`` in the given language."""
    with translation.override(language):
        full_context = {"site_url": settings.SITE_URL, "language": language, **context}
        subject = " ".join(_render_plain(f"emails/{kind}.subject.txt", full_context).split())
        text = _render_plain(f"emails/{kind}.txt", full_context)
        try:
            html = render_to_string(f"emails/{kind}.html", full_context)
        except TemplateDoesNotExist:
            html = ""
    return subject, text, html


PLACEHOLDER = "\x1e{}\x1e"


class _RenderCache:
    """Renders each (kind, language, render group) once with placeholders, then personalises."""

    def __init__(self):
        self.rendered: dict[tuple, tuple[str, str, str]] = {}

    def render(self, spec: MessageSpec) -> tuple[str, str, str]:
        if spec.rendered is not None:
            return spec.rendered
        if not spec.render_group:
            return render_message(kind=spec.kind, language=spec.language, context={**spec.context, **spec.personal})
        # Empty values are rendered as they are (a template may test them), so they are part of the key.
        empty = frozenset(name for name, value in spec.personal.items() if not value)
        key = (spec.kind, spec.language, spec.render_group, empty)
        if key not in self.rendered:
            values = {name: "" if name in empty else PLACEHOLDER.format(name) for name in spec.personal}
            self.rendered[key] = render_message(
                kind=spec.kind, language=spec.language, context={**spec.context, **values}
            )
        subject, text, html = self.rendered[key]
        for name, value in spec.personal.items():
            token = PLACEHOLDER.format(name)
            subject = subject.replace(token, " ".join(str(value).split()))
            text = text.replace(token, str(value))
            html = html.replace(token, conditional_escape(value))
        return subject, text, html


def _build_message(spec: MessageSpec, cache: _RenderCache | None = None) -> OutboundMessage:
    subject, text, html = (cache or _RenderCache()).render(spec)
    return OutboundMessage(
        kind=spec.kind,
        recipient=spec.recipient,
        language=spec.language,
        subject=subject[:300],
        body_text=text,
        body_html=html,
        attachments=[attachment.as_dict() for attachment in spec.attachments],
        idempotency_key=spec.idempotency_key,
        user=spec.user,
        session=spec.session,
        registration=spec.registration,
        related_type=ContentType.objects.get_for_model(spec.related) if spec.related is not None else None,
        related_id=spec.related.pk if spec.related is not None else None,
        next_attempt_at=timezone.now() + settings.MESSAGING_STALE_AFTER,
    )


def queue_message(**kwargs) -> OutboundMessage:
    """Log one message for sending and hand it to the worker when the caller's transaction commits.

    Queuing a message whose idempotency key is already logged changes nothing and returns the
    existing row, so a repeated business action never emails twice. Keyword arguments are the
    fields of ``MessageSpec``.
    """
    spec = MessageSpec(**kwargs)
    existing = OutboundMessage.objects.filter(idempotency_key=spec.idempotency_key).first()
    if existing is not None:
        return existing
    draft = _build_message(spec)
    with transaction.atomic():
        message, created = OutboundMessage.objects.get_or_create(
            idempotency_key=spec.idempotency_key,
            defaults={f.attname: getattr(draft, f.attname) for f in _copied_fields()},
        )
    if created:
        transaction.on_commit(partial(enqueue_delivery, [message.pk]))
    return message


def queue_messages(specs: Iterable[MessageSpec]) -> list[OutboundMessage]:
    """Log many messages at once (an invitation fan-out) and enqueue the new ones in batches.

    Keys already in the log are skipped, so re-running a fan-out only adds what is missing.
    """
    specs = list(specs)
    known = set(
        OutboundMessage.objects.filter(idempotency_key__in=[s.idempotency_key for s in specs]).values_list(
            "idempotency_key", flat=True
        )
    )
    cache = _RenderCache()
    new_rows = [_build_message(spec, cache) for spec in specs if spec.idempotency_key not in known]
    if not new_rows:
        return []
    with transaction.atomic():
        OutboundMessage.objects.bulk_create(new_rows, batch_size=500, ignore_conflicts=True)
        # Only the identity of the new rows: a fan-out's bodies are megabytes not worth reading back.
        created = list(
            OutboundMessage.objects.filter(
                idempotency_key__in=[row.idempotency_key for row in new_rows], status=OutboundMessage.Status.PENDING
            )
            .only("id", "kind", "recipient", "language", "idempotency_key", "status")
            .order_by("id")
        )
    transaction.on_commit(partial(enqueue_delivery, [message.pk for message in created]))
    return created


def _copied_fields():
    return [
        f
        for f in OutboundMessage._meta.concrete_fields
        if f.name not in ("id", "idempotency_key", "created_at") and not f.auto_created
    ]


def enqueue_delivery(message_ids: Sequence[int]) -> None:
    """Hand message ids to the worker in batches that share one SMTP connection.

    A broker that is down or unreachable is logged and otherwise ignored: the rows stay pending
    and the periodic sweep enqueues them again, so nothing is lost and no request hangs. A broker
    found down moments ago (by this or by the cache) is not tried again until its retry delay is
    over, so a burst of requests during an outage pays no socket timeout.
    """
    from messaging.tasks import deliver_messages

    size = settings.MESSAGING_BATCH_SIZE
    for start in range(0, len(message_ids), size):
        enqueue(deliver_messages, message_ids=list(message_ids[start : start + size]))


def _claim(message_ids: Sequence[int]) -> list[int]:
    """Atomically move the batch's pending messages to "sending"; only one worker can win each.

    One locking read and one update for the whole batch: rows another worker is claiming at
    this instant are skipped (SKIP LOCKED), rows it already claimed are no longer pending.
    """
    with transaction.atomic():
        claimable = list(
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .filter(pk__in=message_ids, status=OutboundMessage.Status.PENDING)
            .values_list("id", flat=True)
        )
        if claimable:
            OutboundMessage.objects.filter(pk__in=claimable, status=OutboundMessage.Status.PENDING).update(
                status=OutboundMessage.Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
            )
    return claimable


@contextmanager
def _asynchronous_commits():
    """Let PostgreSQL acknowledge the delivery's status updates before flushing them to disk.

    Each message's "sent" mark is its own commit, so the mark is never behind what the SMTP
    server accepted. Waiting for a disk flush per message made delivery several times slower
    than the SMTP conversation itself; with asynchronous commit a crashed worker loses nothing
    (the database has the commit), and only a crash of the database server itself can forget
    the last fraction of a second of marks — those few messages would be sent again.
    """
    if db_connection.vendor != "postgresql":
        yield
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        if db_connection.is_usable():
            with db_connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO DEFAULT")


def _as_email(message: OutboundMessage, connection) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        connection=connection,
        headers={"X-TrainingOps-Message": message.idempotency_key[:200]},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments:
        email.attach(attachment["filename"], attachment_content(attachment), attachment["mimetype"])
    return email


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600


def backoff_seconds(attempts: int) -> int:
    """Exponential backoff between delivery attempts: 30 s, 60 s, 120 s, … at most 30 min."""
    return min(30 * 2 ** max(attempts - 1, 0), 1800)


def _record_failure(message: OutboundMessage, error: Exception, result: DeliveryResult) -> None:
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if _is_permanent(error) or message.attempts >= settings.MESSAGING_MAX_ATTEMPTS:
        message.status = OutboundMessage.Status.FAILED
        result.failed.append(message.pk)
        logger.error("Message %s failed for good: %s", message.pk, message.last_error)
    else:
        delay = backoff_seconds(message.attempts)
        message.status = OutboundMessage.Status.PENDING
        message.next_attempt_at = timezone.now() + timedelta(seconds=delay) + settings.MESSAGING_STALE_AFTER
        result.retry.append(message.pk)
        result.retry_in = max(result.retry_in, delay)
    message.save(update_fields=["status", "last_error", "next_attempt_at"])


def deliver_messages(*, message_ids: Sequence[int]) -> DeliveryResult:
    """Send every still-pending message among ``message_ids`` over one connection.

    Each message is claimed first, so whatever already went out (or is being sent by another
    worker) is skipped. Sent messages are marked sent; failures go back to pending with a
    backoff, or to failed after the last attempt or a permanent SMTP refusal.
    """
    result = DeliveryResult()
    with _asynchronous_commits():
        claimed = _claim(message_ids)
        if not claimed:
            return result
        messages = list(OutboundMessage.objects.filter(pk__in=claimed).order_by("id"))
        connection = get_connection()
        try:
            connection.open()
        except (smtplib.SMTPException, OSError) as error:
            for message in messages:
                _record_failure(message, error, result)
            return result
        try:
            for message in messages:
                _send_one(message, connection, result)
        finally:
            connection.close()
    return result


def _send_one(message: OutboundMessage, connection, result: DeliveryResult) -> None:
    try:
        _as_email(message, connection).send()
    except (smtplib.SMTPException, OSError) as error:
        _record_failure(message, error, result)
        return
    message.status = OutboundMessage.Status.SENT
    message.sent_at = timezone.now()
    message.last_error = ""
    OutboundMessage.objects.filter(pk=message.pk).update(status=message.status, sent_at=message.sent_at, last_error="")
    result.sent.append(message.pk)


def requeue_stale_messages() -> int:
    """Re-enqueue messages that are due but sat unsent: lost at enqueue time or by a dead worker.

    A message claimed by a worker that never finished is put back to pending first. Each
    re-enqueued row gets a new deadline, so a long queue is not flooded with duplicates.
    """
    now = timezone.now()
    OutboundMessage.objects.filter(
        status=OutboundMessage.Status.SENDING, claimed_at__lt=now - settings.MESSAGING_STALE_AFTER
    ).update(status=OutboundMessage.Status.PENDING, next_attempt_at=now)
    due = list(
        OutboundMessage.objects.filter(status=OutboundMessage.Status.PENDING, next_attempt_at__lte=now)
        .order_by("id")
        .values_list("id", flat=True)[:5000]
    )
    OutboundMessage.objects.filter(pk__in=due).update(next_attempt_at=now + settings.MESSAGING_STALE_AFTER)
    enqueue_delivery(due)
    return len(due)


def retry_failed_messages(*, message_ids: Sequence[int]) -> int:
    """Give failed messages a fresh set of attempts (the admin's "retry" action)."""
    ids = list(
        OutboundMessage.objects.filter(pk__in=message_ids, status=OutboundMessage.Status.FAILED).values_list(
            "id", flat=True
        )
    )
    OutboundMessage.objects.filter(pk__in=ids).update(
        status=OutboundMessage.Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now() + settings.MESSAGING_STALE_AFTER,
    )
    transaction.on_commit(partial(enqueue_delivery, ids))
    return len(ids)
