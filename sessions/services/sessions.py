"""A session's life: create, edit, assign trainers, publish, cancel, complete."""

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_manager
from sessions import notifications
from sessions.models import (
    SessionTrainer,
    Trainer,
    TrainingSession,
)
from sessions.services.base import (
    SessionError,
    TransitionError,
    check_in_range,
    copy_session_state,
    lock_session,
    validate_session,
)
from sessions.services.registrations import promote_waitlist
from sessions.services.session_days import (
    DayHours,
    check_days_fit_new_schedule,
    validate_session_days,
    write_session_days,
)
from sessions.translation import translation_field_names
from trainingops.actors import on_behalf

# Fields whose change means attendees must update their calendars (a change notice is sent).
SCHEDULE_FIELDS = ("starts_at", "ends_at", "timezone", "venue", "city", "country", "meeting_url")


@on_behalf
def create_session(*, by, **fields) -> TrainingSession:
    """Create a draft session (trainers, topics and audience lists are set by the caller afterwards)."""
    many = {name: fields.pop(name) for name in ("topics", "audience_agencies", "audience_countries") if name in fields}
    session = TrainingSession(status=TrainingSession.Status.DRAFT, created_by=by, **fields)
    validate_session(session)
    with transaction.atomic():
        session.save()
        for name, values in many.items():
            getattr(session, name).set(values)
    return session


# What "run it again" carries over from a session to its copy; dates move together, state starts anew.
# The title and description in each language (sessions/translation.py), not only the reader's.
COPIED_FIELDS = (
    *translation_field_names("title"),
    *translation_field_names("description"),
    "format",
    "timezone",
    "venue",
    "city",
    "country_id",
    "meeting_url",
    "language",
    "capacity",
    "audience",
    "host_agency_id",
    "reminder_offsets_hours",
    "present_threshold_percent",
    "partial_threshold_percent",
    "self_check_in",
)


@on_behalf
def copy_session(*, session: TrainingSession, starts_at: datetime, by) -> TrainingSession:
    """Run a session again: a new draft with its topics, trainers, audience, description and capacity
    at ``starts_at``, lasting as long, its registration window moved by the same shift.

    Nobody is registered or invited, and nothing is announced until the copy is published.
    """
    if session.starts_at is None or session.ends_at is None:
        raise SessionError(_("Only a session with a start and an end can be copied."), field="starts_at")
    check_in_range(starts_at, field="starts_at")
    shift = starts_at - session.starts_at
    fields = {name: getattr(session, name) for name in COPIED_FIELDS}
    fields["starts_at"] = starts_at
    for name in ("ends_at", "registration_opens_at", "registration_closes_at"):
        value = getattr(session, name)
        fields[name] = _shifted(value, shift)
    fields |= {
        "topics": list(session.topics.all()),
        "audience_agencies": list(session.audience_agencies.all()),
        "audience_countries": list(session.audience_countries.all()),
    }
    with transaction.atomic():
        copy = create_session(by=by, **fields)
        assignments = list(session.session_trainers.values_list("trainer_id", "role"))
        set_session_trainers(session=copy, assignments=assignments)
    return copy


def _shifted(value: datetime | None, shift) -> datetime | None:
    try:
        return None if value is None else value + shift
    except OverflowError as error:
        raise SessionError(_("Enter a date from the year 2000 to 2100."), field="starts_at") from error


def set_session_trainers(*, session: TrainingSession, assignments: Sequence[tuple[int, str]]) -> None:
    """Make the given (trainer id, role) pairs the session's trainers, removing anyone else."""
    with transaction.atomic():
        session.session_trainers.exclude(trainer_id__in=[trainer_id for trainer_id, _ in assignments]).delete()
        for trainer_id, role in assignments:
            SessionTrainer.objects.update_or_create(session=session, trainer_id=trainer_id, defaults={"role": role})


@on_behalf
def assign_creator_as_trainer(*, session: TrainingSession, by) -> bool:
    """Make the person who created a session one of its trainers, as lead trainer.

    A trainer who is not a manager only reaches the sessions they train, so they always join
    the session they created; anyone with a trainer profile joins a session created with no
    trainer at all. Returns whether they were added.
    """
    trainer = Trainer.objects.filter(user=by).first() if by is not None else None
    if trainer is None or session.session_trainers.filter(trainer=trainer).exists():
        return False
    if session.session_trainers.exists() and is_manager(by):
        return False
    SessionTrainer.objects.create(session=session, trainer=trainer, role=SessionTrainer.Role.LEAD)
    return True


@on_behalf
def update_session(*, session: TrainingSession, by, days: list[DayHours] | None = None, **fields) -> TrainingSession:
    """Change a session's fields, then act on what changed.

    A cancelled or completed session is final. A session of several days keeps every day within
    its start and end: a new start, end or zone that leaves a day outside is refused (nothing
    saved), unless ``days`` gives its new days too (as the back office's session page does); they
    are then checked against the new schedule and saved with it (``set_session_days``'s rules).
    A higher capacity promotes waitlisted officers; a schedule change on a published session
    raises the calendar SEQUENCE and notifies the confirmed officers.
    """
    many = {name: fields.pop(name) for name in ("topics", "audience_agencies", "audience_countries") if name in fields}
    with transaction.atomic():
        current = lock_session(session)
        if current.status in (TrainingSession.Status.CANCELLED, TrainingSession.Status.COMPLETED):
            raise TransitionError(_("A cancelled or completed session can no longer be edited."))
        before = {name: getattr(current, name) for name in SCHEDULE_FIELDS + ("capacity",)}
        for name, value in fields.items():
            setattr(current, name, value)
        validate_session(current)
        if days is not None:
            validate_session_days(session=current, days=days)
        elif any(getattr(current, name) != before[name] for name in ("starts_at", "ends_at", "timezone")):
            check_days_fit_new_schedule(session=current)
        schedule_changed = [name for name in SCHEDULE_FIELDS if getattr(current, name) != before[name]]
        if schedule_changed and current.status == TrainingSession.Status.PUBLISHED:
            current.sequence += 1
        current.save()
        if days is not None:
            write_session_days(session=current, days=days)
        for name, values in many.items():
            getattr(current, name).set(values)
        if current.status == TrainingSession.Status.PUBLISHED:
            if (current.capacity or 0) > (before["capacity"] or 0):
                promote_waitlist(session=current)
            if schedule_changed:
                notifications.session_changed(session=current, changed_fields=schedule_changed)
    copy_session_state(current, session)
    return session


@on_behalf
def publish_session(*, session: TrainingSession, by) -> TrainingSession:
    """Open a draft session to officers. It needs dates, capacity, a trainer and where/how it happens."""
    with transaction.atomic():
        current = lock_session(session)
        if current.status != TrainingSession.Status.DRAFT:
            raise TransitionError(
                _("Only a draft session can be published (this one is %(status)s).")
                % {"status": current.get_status_display()}
            )
        _require_publishable(current)
        current.status = TrainingSession.Status.PUBLISHED
        current.published_at = timezone.now()
        current.save(update_fields=["status", "published_at", "updated_at"])
    copy_session_state(current, session)
    return session


def _require_publishable(session: TrainingSession) -> None:
    if session.starts_at is None or session.ends_at is None:
        raise TransitionError(_("Set the start and end before publishing."), field="starts_at")
    if session.capacity is None:
        raise TransitionError(_("Set the capacity before publishing."), field="capacity")
    if session.ends_at <= timezone.now():
        raise TransitionError(_("A session that has already ended cannot be published."), field="ends_at")
    if session.is_virtual and not session.meeting_url:
        raise TransitionError(_("A virtual or hybrid session needs a meeting link."), field="meeting_url")
    if session.is_in_person and not (session.city and session.country_id):
        raise TransitionError(_("An in-person or hybrid session needs a city and a country."), field="city")
    if not session.session_trainers.exists():
        raise TransitionError(_("Assign at least one trainer before publishing."))


@on_behalf
def cancel_session(*, session: TrainingSession, by, reason: str = "") -> TrainingSession:
    """Cancel a draft or published session for good and tell everyone registered or waitlisted.

    The training request it was made from, if any, goes back to accepted so it can be scheduled again.
    """
    with transaction.atomic():
        current = lock_session(session)
        if current.status not in (TrainingSession.Status.DRAFT, TrainingSession.Status.PUBLISHED):
            raise TransitionError(
                _("A %(status)s session cannot be cancelled.") % {"status": current.get_status_display().lower()}
            )
        was_published = current.status == TrainingSession.Status.PUBLISHED
        current.status = TrainingSession.Status.CANCELLED
        current.cancelled_at = timezone.now()
        current.cancellation_reason = reason
        current.sequence += 1
        current.save(update_fields=["status", "cancelled_at", "cancellation_reason", "sequence", "updated_at"])
        if was_published:
            notifications.session_cancelled(session=current)
        # A training request this session was made from may be scheduled again (and its requester is told).
        from agencies.services import reopen_requests_of_cancelled_session

        reopen_requests_of_cancelled_session(session=current)
    copy_session_state(current, session)
    return session


@on_behalf
def complete_session(*, session: TrainingSession, by) -> TrainingSession:
    """Mark a published session as held once it has started; attendees then get their survey."""
    with transaction.atomic():
        current = lock_session(session)
        if current.status != TrainingSession.Status.PUBLISHED:
            raise TransitionError(
                _("Only a published session can be marked completed (this one is %(status)s).")
                % {"status": current.get_status_display().lower()}
            )
        if current.starts_at is None or current.starts_at > timezone.now():
            raise TransitionError(_("A session that has not started yet cannot be marked completed."))
        current.status = TrainingSession.Status.COMPLETED
        current.completed_at = timezone.now()
        current.save(update_fields=["status", "completed_at", "updated_at"])
        notifications.session_completed(session=current)
        # A training request this session was made from is delivered with it (and its requester told).
        from agencies.services import deliver_requests_of_session

        deliver_requests_of_session(session=current)
    copy_session_state(current, session)
    return session
