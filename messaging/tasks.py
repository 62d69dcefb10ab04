import logging

from celery import shared_task

from messaging import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=None, acks_late=True)
def deliver_messages(self, *, message_ids):
    """Send a batch of logged messages over one SMTP connection, retrying failures with backoff.

    Messages already sent or claimed by another worker are skipped by the service, so a
    redelivered or retried task never sends twice; ids that no longer exist are ignored.
    """
    result = services.deliver_messages(message_ids=message_ids)
    if result.retry:
        logger.info("Retrying %d message(s) in %d s", len(result.retry), result.retry_in)
        raise self.retry(kwargs={"message_ids": result.retry}, countdown=result.retry_in)
    return {"sent": len(result.sent), "failed": len(result.failed)}


@shared_task
def requeue_pending_messages():
    """Periodic sweep: enqueue again what a broker outage or a dead worker left unsent."""
    count = services.requeue_stale_messages()
    if count:
        logger.info("Re-enqueued %d pending message(s)", count)
    return count
