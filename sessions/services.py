"""Domain operations on training sessions, registrations and attendance.

The admin, the portal, the API and the Celery tasks all call these functions, so each rule
exists once. Every function runs in one transaction and raises a ``SessionError`` subclass
with a translatable message when a rule forbids the change; nothing is saved in that case.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Officer
from sessions import notifications
from sessions.models import Attendance, Registration, TrainingSession
from sessions.selectors import is_session_open_to

# Fields whose change means attendees must update their calendars (a change notice is sent).
SCHEDULE_FIELDS = ("starts_at", "ends_at", "timezone", "venue", "city", "country", "meeting_url")


class SessionError(Exception):
    """A domain rule refused the change. ``code`` is machine-readable, the message is for people."""

    code = "invalid"

    def __init__(self, message, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class TransitionError(SessionError):
    code = "invalid_transition"


class RegistrationError(SessionError):
    code = "registration_refused"


class AttendanceError(SessionError):
    code = "attendance_refused"


def _lock_session(session: TrainingSession) -> TrainingSession:
    """Re-read the session holding its row lock: capacity decisions are serialised per session."""
    return TrainingSession.objects.select_for_update().get(pk=session.pk)


def _validate(session: TrainingSession) -> None:
    try:
        session.full_clean(exclude=["topics", "trainers", "audience_agencies", "audience_countries"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise SessionError(messages[0], code="invalid", field=None if field == "__all__" else field) from error


# --- Session lifecycle -------------------------------------------------------------------------


def create_session(*, by, **fields) -> TrainingSession:
    """Create a draft session (trainers, topics and audience lists are set by the caller afterwards)."""
    many = {name: fields.pop(name) for name in ("topics", "audience_agencies", "audience_countries") if name in fields}
    session = TrainingSession(status=TrainingSession.Status.DRAFT, created_by=by, **fields)
    _validate(session)
    with transaction.atomic():
        session.save()
        for name, values in many.items():
            getattr(session, name).set(values)
    return session


def update_session(*, session: TrainingSession, by, **fields) -> TrainingSession:
    """Change a session's fields, then act on what changed.

    A cancelled or completed session is final. A higher capacity promotes waitlisted officers;
    a schedule change on a published session raises the calendar SEQUENCE and notifies the
    confirmed officers.
    """
    many = {name: fields.pop(name) for name in ("topics", "audience_agencies", "audience_countries") if name in fields}
    with transaction.atomic():
        current = _lock_session(session)
        if current.status in (TrainingSession.Status.CANCELLED, TrainingSession.Status.COMPLETED):
            raise TransitionError(_("A cancelled or completed session can no longer be edited."))
        before = {name: getattr(current, name) for name in SCHEDULE_FIELDS + ("capacity",)}
        for name, value in fields.items():
            setattr(current, name, value)
        _validate(current)
        schedule_changed = [name for name in SCHEDULE_FIELDS if getattr(current, name) != before[name]]
        if schedule_changed and current.status == TrainingSession.Status.PUBLISHED:
            current.sequence += 1
        current.save()
        for name, values in many.items():
            getattr(current, name).set(values)
        if current.status == TrainingSession.Status.PUBLISHED:
            if (current.capacity or 0) > (before["capacity"] or 0):
                promote_waitlist(session=current)
            if schedule_changed:
                notifications.session_changed(session=current, changed_fields=schedule_changed)
    _copy_state(current, session)
    return session


def _copy_state(source: TrainingSession, target: TrainingSession) -> None:
    """Keep the caller's instance in step with the row we saved under lock."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def publish_session(*, session: TrainingSession, by) -> TrainingSession:
    """Open a draft session to officers. It needs dates, capacity, a trainer and where/how it happens."""
    with transaction.atomic():
        current = _lock_session(session)
        if current.status != TrainingSession.Status.DRAFT:
            raise TransitionError(
                _("Only a draft session can be published (this one is %(status)s).")
                % {"status": current.get_status_display()}
            )
        _require_publishable(current)
        current.status = TrainingSession.Status.PUBLISHED
        current.published_at = timezone.now()
        current.save(update_fields=["status", "published_at", "updated_at"])
    _copy_state(current, session)
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


def cancel_session(*, session: TrainingSession, by, reason: str = "") -> TrainingSession:
    """Cancel a draft or published session for good and tell everyone registered or waitlisted."""
    with transaction.atomic():
        current = _lock_session(session)
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
    _copy_state(current, session)
    return session


def complete_session(*, session: TrainingSession, by) -> TrainingSession:
    """Mark a published session as held once it has started; attendees then get their survey."""
    with transaction.atomic():
        current = _lock_session(session)
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
    _copy_state(current, session)
    return session


# --- Registrations -----------------------------------------------------------------------------


def _check_can_register(session: TrainingSession, officer: Officer, now: datetime) -> None:
    if not officer.is_verified:
        raise RegistrationError(
            _("Your affiliation has not been verified yet, so you cannot register."), code="not_verified"
        )
    if session.status != TrainingSession.Status.PUBLISHED:
        raise RegistrationError(_("This session is not open for registration."), code="not_published")
    if not is_session_open_to(session=session, officer=officer):
        raise RegistrationError(_("This session is not open to your agency or country."), code="not_eligible")
    if session.registration_opens_at and now < session.registration_opens_at:
        raise RegistrationError(_("Registration has not opened yet."), code="window_not_open")
    closes_at = session.effective_registration_closes_at
    if closes_at and now >= closes_at:
        raise RegistrationError(_("Registration for this session has closed."), code="window_closed")


def register_officer(*, session: TrainingSession, officer: Officer, source: str, by=None) -> Registration:
    """Register an officer: a confirmed seat while any is left, otherwise the end of the waitlist.

    The session row is locked so simultaneous registrations never overbook. A second
    registration is refused; a cancelled one is reactivated. The officer's agency and country
    are snapshotted, and the officer is emailed the outcome.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_session(session)
        _check_can_register(locked, officer, now)
        registration = Registration.objects.filter(session=locked, officer=officer).first()
        if registration is not None and registration.status != Registration.Status.CANCELLED:
            raise RegistrationError(_("You are already registered for this session."), code="already_registered")
        registration = registration or Registration(session=locked, officer=officer)
        registration.source = source
        _snapshot(registration, officer)
        _place(registration, locked, now)
        registration.save()
        notifications.registration_placed(registration=registration)
    return registration


def _snapshot(registration: Registration, officer: Officer) -> None:
    registration.officer_key = officer.uuid
    registration.agency_id = officer.agency_id
    registration.country_id = officer.agency.country_id


def _place(registration: Registration, session: TrainingSession, now: datetime) -> None:
    """Confirm when a seat is free, else append to the waitlist. Caller holds the session lock."""
    taken = session.registrations.filter(status=Registration.Status.CONFIRMED).count()
    registration.cancelled_at = None
    if session.capacity is None or taken < session.capacity:
        registration.status = Registration.Status.CONFIRMED
        registration.waitlist_position = None
        registration.confirmed_at = now
    else:
        last = session.registrations.filter(status=Registration.Status.WAITLISTED).aggregate(
            last=Max("waitlist_position")
        )["last"]
        registration.status = Registration.Status.WAITLISTED
        registration.waitlist_position = (last or 0) + 1


def cancel_registration(*, registration: Registration, by=None) -> Registration:
    """Cancel a seat or leave the waitlist; a freed seat goes to the first waitlisted officer."""
    with transaction.atomic():
        session = _lock_session(registration.session)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status == Registration.Status.CANCELLED:
            raise RegistrationError(_("This registration is already cancelled."), code="already_cancelled")
        if session.status != TrainingSession.Status.PUBLISHED:
            raise RegistrationError(_("Registrations of this session can no longer be changed."), code="closed")
        freed_seat = current.status == Registration.Status.CONFIRMED
        current.status = Registration.Status.CANCELLED
        current.cancelled_at = timezone.now()
        current.waitlist_position = None
        current.save(update_fields=["status", "cancelled_at", "waitlist_position", "updated_at"])
        notifications.registration_cancelled(registration=current)
        if freed_seat:
            promote_waitlist(session=session)
    registration.refresh_from_db()
    return registration


def promote_waitlist(*, session: TrainingSession) -> list[Registration]:
    """Confirm waitlisted officers in order while seats are free, and email each one."""
    promoted = []
    with transaction.atomic():
        locked = _lock_session(session)
        if locked.status != TrainingSession.Status.PUBLISHED:
            return promoted
        taken = locked.registrations.filter(status=Registration.Status.CONFIRMED).count()
        free = None if locked.capacity is None else locked.capacity - taken
        waitlisted = locked.registrations.filter(status=Registration.Status.WAITLISTED).order_by(
            "waitlist_position", "id"
        )
        for registration in waitlisted if free is None else waitlisted[: max(free, 0)]:
            registration.status = Registration.Status.CONFIRMED
            registration.waitlist_position = None
            registration.confirmed_at = timezone.now()
            registration.save(update_fields=["status", "waitlist_position", "confirmed_at", "updated_at"])
            notifications.registration_promoted(registration=registration)
            promoted.append(registration)
    return promoted


# --- Attendance --------------------------------------------------------------------------------


def record_attendance(
    *, registration: Registration, status: str, by, checked_in_at: datetime | None = None, note: str = ""
) -> Attendance:
    """Set (or correct) the attendance of one registration; repeating the same call changes nothing."""
    if status not in Attendance.Status.values:
        raise AttendanceError(_("Unknown attendance status."), field="status")
    session = registration.session
    if session.status not in (TrainingSession.Status.PUBLISHED, TrainingSession.Status.COMPLETED):
        raise AttendanceError(_("Attendance is taken only for published or completed sessions."))
    if session.starts_at is None or session.starts_at > timezone.now() + timedelta(hours=2):
        raise AttendanceError(_("Attendance can be taken from two hours before the session starts."))
    if registration.status == Registration.Status.CANCELLED:
        raise AttendanceError(_("This registration was cancelled."))
    if checked_in_at is None and status in Attendance.COUNTED:
        checked_in_at = timezone.now()
    with transaction.atomic():
        attendance = Attendance.objects.select_for_update().filter(registration=registration).first()
        if attendance and (attendance.status, attendance.note) == (status, note):
            return attendance
        attendance = attendance or Attendance(registration=registration)
        attendance.status = status
        attendance.checked_in_at = checked_in_at if status in Attendance.COUNTED else None
        attendance.recorded_by = by
        attendance.note = note
        attendance.save()
    return attendance


def record_walk_in(*, session: TrainingSession, officer: Officer, status: str, by, note: str = "") -> Attendance:
    """Record someone who attended without registering: a walk-in registration plus attendance.

    Capacity and the registration window do not apply to people already in the room. An
    officer who was registered already just gets their attendance recorded.
    """
    with transaction.atomic():
        locked = _lock_session(session)
        registration = Registration.objects.filter(session=locked, officer=officer).first()
        if registration is None or registration.status == Registration.Status.CANCELLED:
            registration = registration or Registration(session=locked, officer=officer)
            registration.source = Registration.Source.WALK_IN
            registration.status = Registration.Status.CONFIRMED
            registration.waitlist_position = None
            registration.cancelled_at = None
            registration.confirmed_at = timezone.now()
            _snapshot(registration, officer)
            registration.save()
        elif registration.status == Registration.Status.WAITLISTED:
            registration.status = Registration.Status.CONFIRMED
            registration.waitlist_position = None
            registration.confirmed_at = timezone.now()
            registration.save(update_fields=["status", "waitlist_position", "confirmed_at", "updated_at"])
        return record_attendance(registration=registration, status=status, by=by, note=note)
