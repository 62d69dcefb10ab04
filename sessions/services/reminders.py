"""Reminders before a session, at the offsets set globally or per session."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.roles import confirmed_email_condition, remember_confirmed_email
from sessions import notifications
from sessions.models import (
    MAX_REMINDER_OFFSET_HOURS,
    Registration,
    TrainingSession,
)


def reminder_offsets(session: TrainingSession) -> list[int]:
    """Hours before the start at which the session's reminders go out, largest first.

    A session's own list replaces the site default; values that are not whole numbers of hours
    from 1 to ``MAX_REMINDER_OFFSET_HOURS`` are ignored rather than breaking the sweep.
    """
    configured = session.reminder_offsets_hours
    if configured is None or not isinstance(configured, list):
        configured = settings.REMINDER_OFFSETS_HOURS
    valid = {
        value
        for value in configured
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_REMINDER_OFFSET_HOURS
    }
    return sorted(valid, reverse=True)


def due_reminder_offset(registration: Registration, offsets: list[int], now: datetime) -> int | None:
    """The one reminder a registration should have by now, if any.

    A reminder is due once its moment (start minus offset) has passed and the session has not
    started. Only the latest due moment counts: a sweep that resumes after an outage sends the
    1-day reminder, not a stale 7-day one as well. Someone who registered after a moment was
    already told everything by their confirmation, so that moment is not reminded to them.
    """
    start = registration.session.starts_at
    if start is None or now >= start:
        return None
    registered_at = registration.confirmed_at or registration.created_at
    due = [offset for offset in offsets if start - timedelta(hours=offset) <= now]
    if not due:
        return None
    latest = min(due)
    return latest if registered_at <= start - timedelta(hours=latest) else None


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Queue the reminders that are due for confirmed officers of published, upcoming sessions.

    Safe to run as often and as concurrently as beat likes: each reminder's idempotency key
    (registration, offset, start time) lets it be queued once and delivered once. Returns the
    number of reminders newly queued.
    """
    now = now or timezone.now()
    sessions = TrainingSession.objects.filter(status=TrainingSession.Status.PUBLISHED, starts_at__gt=now)
    queued = 0
    for session in sessions:
        offsets = reminder_offsets(session)
        if not offsets or session.starts_at - timedelta(hours=offsets[0]) > now:
            continue
        registrations = session.registrations.filter(
            status=Registration.Status.CONFIRMED, officer__isnull=False, officer__user__is_active=True
        ).select_related("officer__user", "session__country")
        registrations = registrations.annotate(email_confirmed=confirmed_email_condition("officer__user"))
        due = []
        for registration in registrations:
            remember_confirmed_email(registration.officer.user, registration.email_confirmed)
            offset = due_reminder_offset(registration, offsets, now)
            if offset is not None:
                due.append((registration, offset))
        if due:
            with transaction.atomic():
                queued += len(notifications.session_reminders(due=due))
    return queued
