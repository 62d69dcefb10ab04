from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundMessage(models.Model):
    """Every email the system sends or will send: the single place that proves "sent once".

    The row is written in the same transaction as the business change that causes it; its
    ``idempotency_key`` makes a second attempt to queue the same message a no-op, and its status
    makes a second delivery attempt a no-op.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=50, db_index=True)
    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=10, default="en")
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    # [{"filename": "session.ics", "mimetype": "text/calendar", "content": "..."}]
    attachments = models.JSONField(default=list, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # Related objects: the user it is for and the session/registration it is about, plus any
    # other object (invitation, survey response) through a generic relation.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="outbound_messages"
    )
    session = models.ForeignKey(
        "training.TrainingSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="outbound_messages"
    )
    registration = models.ForeignKey(
        "training.Registration", on_delete=models.SET_NULL, null=True, blank=True, related_name="outbound_messages"
    )
    related_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True)
    related_id = models.PositiveBigIntegerField(null=True, blank=True)
    related_object = GenericForeignKey("related_type", "related_id")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["related_type", "related_id"]),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient} ({self.get_status_display()})"
