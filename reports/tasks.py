"""Celery tasks of the reports app."""

import logging

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from reports.selectors import yearly_report

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def refresh_stored_reports() -> list[int]:
    """Keep this year's and last year's full report stored, so that managers are served them
    without waiting: each is computed only when its stored copy is no longer exact (the data
    changed, or a published session started since). Filtered reports are stored on first view."""
    year = timezone.now().year
    years = [year, year - 1]
    for each in years:
        yearly_report(year=each)
    logger.info("Stored reports refreshed for %s", years)
    return years
