"""Celery tasks of the sessions app: thin wrappers that load ids and call a service."""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import DatabaseError

from sessions import services
from sessions.models import TrainingSession

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def send_invitations(self, *, session_id, invited_by_id=None, agency_ids=(), country_codes=(), pasted="", language=""):
    """Fan an invitation request out into invitations and queued emails, in the worker.

    Re-running it (a retry, a redelivery) only adds what is missing. A session deleted or closed
    meanwhile is logged and skipped.
    """
    session = TrainingSession.objects.filter(pk=session_id).first()
    if session is None:
        logger.warning("Session %s is gone; no invitations sent", session_id)
        return 0
    invited_by = get_user_model().objects.filter(pk=invited_by_id).first() if invited_by_id else None
    try:
        return services.create_invitations(
            session=session,
            by=invited_by,
            agency_ids=agency_ids,
            country_codes=country_codes,
            pasted=pasted,
            language=language,
        )
    except services.InvitationError as error:
        logger.warning("Invitations to session %s not sent: %s", session_id, error.message)
        return 0


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
