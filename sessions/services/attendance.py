"""Attendance of a registration, walk-ins, and the attendance's copy of the registration snapshot."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Officer
from sessions.models import (
    Attendance,
    Registration,
    TrainingSession,
)
from sessions.selectors import stale_attendance_snapshots
from sessions.services.base import AttendanceError, check_in_range, lock_session
from sessions.services.registrations import attendance_snapshot, save_registration_snapshot
from trainingops.actors import on_behalf


@on_behalf
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
    check_in_range(checked_in_at, field="checked_in_at")
    with transaction.atomic():
        # The registration's row is locked and read again, so the snapshot copied onto the attendance
        # is the one saved, even if the officer registers again from another agency meanwhile.
        snapshot = attendance_snapshot(Registration.objects.select_for_update().get(pk=registration.pk))
        attendance = Attendance.objects.select_for_update().filter(registration=registration).first()
        if attendance and (attendance.status, attendance.note) == (status, note):
            return attendance
        attendance = attendance or Attendance(registration=registration)
        for name, value in snapshot.items():
            setattr(attendance, name, value)
        attendance.status = status
        attendance.checked_in_at = checked_in_at if status in Attendance.COUNTED else None
        attendance.recorded_by = by
        attendance.note = note
        attendance.save()
    return attendance


def repair_attendance_snapshots() -> int:
    """Copy each registration's session and snapshot onto its attendance where the copy differs.

    The services keep the copies equal (``record_attendance``, ``save_registration_snapshot``); this repairs
    rows written some other way (a raw SQL fix, a restored backup) so the yearly report counts
    them as it should. Returns how many attendance records were corrected.
    """
    registration = Registration.objects.filter(pk=OuterRef("registration_id"))
    copies = {name: Subquery(registration.values(name)[:1]) for name in Attendance.SNAPSHOT_FIELDS}
    with transaction.atomic():
        return Attendance.objects.filter(pk__in=stale_attendance_snapshots().values("pk")).update(**copies)


@on_behalf
def record_walk_in(*, session: TrainingSession, officer: Officer, status: str, by, note: str = "") -> Attendance:
    """Record someone who attended without registering: a walk-in registration plus attendance.

    Capacity and the registration window do not apply to people already in the room. An
    officer who was registered already just gets their attendance recorded.
    """
    with transaction.atomic():
        locked = lock_session(session)
        registration = Registration.objects.filter(session=locked, officer=officer).first()
        if registration is None or registration.status == Registration.Status.CANCELLED:
            registration = registration or Registration(session=locked, officer=officer)
            registration.source = Registration.Source.WALK_IN
            registration.status = Registration.Status.CONFIRMED
            registration.waitlist_position = None
            registration.cancelled_at = None
            registration.confirmed_at = timezone.now()
            save_registration_snapshot(registration, officer)
        elif registration.status == Registration.Status.WAITLISTED:
            registration.status = Registration.Status.CONFIRMED
            registration.waitlist_position = None
            registration.confirmed_at = timezone.now()
            registration.save(update_fields=["status", "waitlist_position", "confirmed_at", "updated_at"])
        return record_attendance(registration=registration, status=status, by=by, note=note)
