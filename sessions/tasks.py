"""Celery tasks of the sessions app: thin wrappers that load ids and call a service."""

import logging

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from sessions import services
from sessions.models import InvitationRequest

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def send_invitations(self, *, request_id):
    """Fan a stored invitation request out into invitations and queued emails, in the worker.

    Re-running it (a retry, a redelivery, the sweep) only adds what is missing. A request or
    session gone meanwhile, or a session closed meanwhile, is logged and skipped.
    """
    request = InvitationRequest.objects.select_related("session", "requested_by").filter(pk=request_id).first()
    if request is None or request.processed_at is not None:
        logger.info("Invitation request %s is gone or done", request_id)
        return 0
    try:
        return services.make_requested_invitations(request=request)
    except services.InvitationError as error:
        logger.warning("Invitations to session %s not sent: %s", request.session_id, error.message)
        InvitationRequest.objects.filter(pk=request.pk).update(processed_at=timezone.now(), pasted="")
        return 0


@shared_task
def resume_invitation_requests():
    """Beat: hand the worker the invitation requests a broker outage left waiting."""
    return services.resume_invitation_requests()


@shared_task(acks_late=True)
def send_session_reminders():
    """Beat sweep (every 5 minutes): queue the reminders that have become due."""
    count = services.send_due_reminders()
    if count:
        logger.info("Queued %d session reminder(s)", count)
    return count


@shared_task(acks_late=True)
def send_survey_reminders():
    """Beat sweep: remind, once, attendees whose follow-up survey is still unanswered."""
    count = services.send_survey_reminders()
    if count:
        logger.info("Queued %d survey reminder(s)", count)
    return count


@shared_task(acks_late=True)
def release_nomination_seats():
    """Beat sweep (every 5 minutes): release seats held past the nomination deadline and agency
    quotas past their release date, promoting the waitlist. Idempotent."""
    expired = services.expire_nominations()
    released = services.release_quotas()
    if expired or released:
        logger.info("Released %d nomination seat(s) and the quotas of %d session(s)", expired, released)
    return {"expired": expired, "released": released}


@shared_task(acks_late=True)
def purge_expired_meeting_reports():
    """Beat sweep (hourly): delete uploaded meeting reports nobody confirmed in time."""
    return services.purge_expired_meeting_reports()
