"""Celery tasks of the agencies app: thin wrappers that call a service."""

import logging

from celery import shared_task

from agencies import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def sweep_reconfirmations():
    """Beat sweep (daily): announce the yearly reconfirmations that became due, remind once, and
    withdraw the focal points of agencies that did not confirm in time."""
    done = services.sweep_reconfirmations()
    if any(done.values()):
        logger.info("Reconfirmation sweep: %(emails)d email(s) queued, %(withdrawn)d focal point(s) withdrawn", done)
    return done
