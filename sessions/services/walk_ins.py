"""Walk-ins added by name, email and agency at the roll call, and their claim when the person signs up."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import has_confirmed_email
from agencies.models import Agency, Officer, PendingOfficer
from sessions.models import Attendance, Registration, SessionDay, TrainingSession
from sessions.services.attendance import (
    check_attendance_open,
    check_session_level_attendance,
    record_attendance,
    send_late_survey,
    walk_in_seat,
)
from sessions.services.base import AttendanceError, lock_session
from sessions.services.registrations import attendance_snapshot
from sessions.services.session_days import check_day_attendance_open, record_day_attendance
from trainingops.actors import acting, on_behalf

WALK_IN_STATUSES = (Attendance.Status.PRESENT, Attendance.Status.PARTIAL)


def _clean_walk_in(*, name: str, email: str, agency: Agency | None, status: str) -> tuple[str, str]:
    name, email = " ".join(name.split()), email.strip().lower()
    if not name:
        raise AttendanceError(_("Enter the person's name."), field="name")
    if len(name) > PendingOfficer._meta.get_field("name").max_length:
        raise AttendanceError(_("This name is too long."), field="name")
    try:
        validate_email(email)
    except ValidationError as error:
        raise AttendanceError(_("Enter a valid email address."), field="email") from error
    if agency is None or not agency.is_active:
        raise AttendanceError(_("Choose the person's agency."), field="agency")
    if status not in WALK_IN_STATUSES:
        raise AttendanceError(_("A walk-in is present or partial."), field="status")
    return name, email


def _refuse_if_on_roll(session: TrainingSession, **person) -> None:
    if Registration.objects.filter(session=session, status=Registration.Status.CONFIRMED, **person).exists():
        raise AttendanceError(_("This person is already on the roll of this session."), field="email")


@on_behalf
def add_walk_in(
    *,
    session: TrainingSession,
    name: str,
    email: str,
    agency: Agency | None,
    by,
    status: str = Attendance.Status.PRESENT,
    note: str = "",
    day: SessionDay | None = None,
) -> Attendance:
    """Record someone in the room who was not on the roll, by name, email and agency.

    An address of an existing officer registers that officer as a walk-in (``record_walk_in``; their
    own profile's name and agency stand). Any other address gets a pending officer record (one per
    address, reused and brought up to date on the next walk-in), which the person claims by signing
    up with it (``claim_walk_ins``). Like every walk-in, the seat is confirmed even beyond the
    session's capacity: the person is physically there, and a roll call must not turn anyone away.
    The yearly report still counts them once: by their attendance record, under the pending
    record's key until claimed and the officer's key after. Someone already confirmed on the roll
    is refused (mark them on their line instead); a waitlisted or cancelled registration of theirs
    is confirmed instead. On a session of several days the walk-in is recorded on ``day`` (required
    there): that day's attendance, the session's following from the days.
    """
    name, email = _clean_walk_in(name=name, email=email, agency=agency, status=status)
    _check_walk_in_day(session, day)
    user = User.objects.filter(email__iexact=email).first()
    with transaction.atomic():
        locked = lock_session(session)
        if user is not None:
            officer = Officer.objects.select_related("agency", "user").filter(user=user).first()
            if officer is None:
                raise AttendanceError(_("This address belongs to a staff account, not an officer."), field="email")
            _refuse_if_on_roll(locked, officer=officer)
            registration = walk_in_seat(session=locked, officer=officer)
        else:
            pending = _pending_officer(email=email, name=name, agency=agency, by=by)
            _refuse_if_on_roll(locked, officer_key=pending.uuid)
            registration = _walk_in_registration(locked, pending)
        return _record_walk_in_attendance(registration=registration, status=status, by=by, note=note, day=day)


def _check_walk_in_day(session: TrainingSession, day: SessionDay | None) -> None:
    """A one-day session takes a walk-in without a day; a session of several days on one of its days."""
    if day is None:
        check_session_level_attendance(session)
        check_attendance_open(session)
        return
    if day.session_id != session.pk:
        raise AttendanceError(_("This day belongs to another session."), field="day")
    day.session = session
    check_day_attendance_open(day)


def _record_walk_in_attendance(
    *, registration: Registration, status: str, by, note: str, day: SessionDay | None
) -> Attendance:
    """The session's attendance, or ``day``'s (the session's then settled from the days, the note kept on it)."""
    if day is None:
        return record_attendance(registration=registration, status=status, by=by, note=note)
    record_day_attendance(registration=registration, day=day, status=status, by=by)
    attendance = Attendance.objects.get(registration=registration)
    if note == attendance.note:
        return attendance
    return record_attendance(
        registration=registration,
        status=attendance.status,
        by=by,
        checked_in_at=attendance.checked_in_at,
        note=note,
        hours_attended=attendance.hours_attended,
        from_days=True,
    )


def _pending_officer(*, email: str, name: str, agency: Agency, by) -> PendingOfficer:
    """The address's pending record, made or brought up to date (waiting for a claim again if its
    claimant has since moved to another address)."""
    pending = PendingOfficer.objects.select_for_update().filter(email=email).first()
    if pending is None:
        try:
            with transaction.atomic():
                return PendingOfficer.objects.create(email=email, name=name, agency=agency, created_by=by)
        except IntegrityError:  # the same person added at another session's roll call meanwhile
            pending = PendingOfficer.objects.select_for_update().get(email=email)
    if (pending.name, pending.agency_id, pending.claimed_by_id) != (name, agency.pk, None):
        pending.name, pending.agency, pending.claimed_by, pending.claimed_at = name, agency, None, None
        pending.save(update_fields=["name", "agency", "claimed_by", "claimed_at"])
    return pending


def _walk_in_registration(session: TrainingSession, pending: PendingOfficer) -> Registration:
    """A confirmed walk-in seat for the pending officer (a cancelled or waitlisted one of theirs, taken up)."""
    registration = Registration.objects.filter(session=session, officer_key=pending.uuid).first()
    reactivated = registration is not None
    registration = registration or Registration(session=session, pending_officer=pending, officer_key=pending.uuid)
    if registration.status != Registration.Status.WAITLISTED:
        registration.source = Registration.Source.WALK_IN
    registration.status = Registration.Status.CONFIRMED
    registration.waitlist_position = None
    registration.cancelled_at = None
    registration.confirmed_at = timezone.now()
    registration.agency_id = pending.agency_id
    registration.country_id = pending.agency.country_id
    registration.save()
    if reactivated:
        Attendance.objects.filter(registration=registration).update(**attendance_snapshot(registration))
    return registration


def claim_walk_ins(*, user, by=None) -> int:
    """Give a new officer the walk-ins recorded under their address before they had an account.

    Called when allauth confirms the user's address (``agencies.receivers``): only a confirmed
    mailbox proves the person is the one the trainer wrote down. The registrations (and their
    attendance) become the officer's and take the officer's key, so the person counts once with
    their later trainings; the agency and country snapshot the trainer recorded stays. Where the
    officer already has a registration in the same session, the walk-in's attendance moves onto it
    (unless it has its own) and the walk-in registration goes. The change is recorded as the
    person's own (or ``by``'s). Returns how many sessions were claimed.
    """
    officer = Officer.objects.select_related("user").filter(user=user).first()
    # The profile's own copy of the user: a cached "not confirmed" on the caller's copy would be stale.
    if officer is None or not has_confirmed_email(officer.user):
        return 0
    with acting(by=by or officer.user), transaction.atomic():
        pending = PendingOfficer.objects.select_for_update().filter(email=officer.user.email.lower(), claimed_by=None)
        pending = pending.first()
        if pending is None:
            return 0
        claimed = 0
        for registration in pending.registrations.select_related("session", "attendance").filter(officer=None):
            send_late_survey(registration=_claim(registration, officer))
            claimed += 1
        pending.claimed_by, pending.claimed_at = officer, timezone.now()
        pending.save(update_fields=["claimed_by", "claimed_at"])
    return claimed


def _claim(registration: Registration, officer: Officer) -> Registration:
    """Make the walk-in the officer's; returns the registration that holds the attendance now."""
    own = Registration.objects.filter(session=registration.session_id, officer=officer).first()
    if own is None:
        registration.officer, registration.officer_key = officer, officer.uuid
        registration.save(update_fields=["officer", "officer_key", "updated_at"])
        Attendance.objects.filter(registration=registration).update(officer_key=officer.uuid)
        return registration
    attendance = getattr(registration, "attendance", None)
    if attendance is not None and not Attendance.objects.filter(registration=own).exists():
        # The trainer saw them in the room: their own registration is the seat they took.
        own.status, own.waitlist_position, own.cancelled_at = Registration.Status.CONFIRMED, None, None
        own.save(update_fields=["status", "waitlist_position", "cancelled_at", "updated_at"])
        attendance.registration = own
        for name, value in attendance_snapshot(own).items():
            setattr(attendance, name, value)
        attendance.save()
    registration.delete()
    own.session = registration.session
    return own
