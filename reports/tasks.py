"""Celery tasks of the reports app: the stored figures are computed here, never in a request."""

import logging

from celery import shared_task
from django.db import DatabaseError

from reports import store

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def refresh_year(self, *, year: int) -> int:
    """Compute the stored reports of ``year`` again after a committed change asked for it. A report
    that another worker is computing at this moment may have missed the change: try again shortly."""
    if not store.refresh_year(year=year):
        raise self.retry(countdown=5)
    logger.info("Stored reports of %s refreshed", year)
    return year


@shared_task(acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def refresh_stored_reports() -> list[tuple[int, str]]:
    """Beat's safety net: keep this year's and last year's report stored and compute again every
    stored report that may be out of date (changes written around the models, a published session
    that started, a refresh that could not be queued)."""
    refreshed = store.refresh_out_of_date()
    logger.info("Stored reports refreshed: %s", refreshed)
    return refreshed
