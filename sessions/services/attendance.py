"""Attendance of a registration, walk-ins, and the attendance's copy of the registration snapshot."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from agencies.models import Officer
from sessions import notifications
from sessions.models import (
    Attendance,
    Registration,
    Survey,
    TrainingSession,
)
from sessions.selectors import session_days, stale_attendance_snapshots, survey_is_open
from sessions.services.base import AttendanceError, AttendanceSheetRejected, SessionError, check_in_range, lock_session
from sessions.services.registrations import attendance_snapshot, save_registration_snapshot
from trainingops.actors import on_behalf


def check_attendance_open(session: TrainingSession) -> None:
    """Refuse, with the reason, when the session's attendance may not be taken (yet, or any more)."""
    if session.status not in (TrainingSession.Status.PUBLISHED, TrainingSession.Status.COMPLETED):
        raise AttendanceError(_("Attendance is taken only for published or completed sessions."))
    if session.starts_at is None or session.starts_at > timezone.now() + timedelta(hours=2):
        raise AttendanceError(_("Attendance can be taken from two hours before the session starts."))


def check_session_level_attendance(session: TrainingSession) -> None:
    """Refuse a session-level attendance write on a session of several days: its attendance is taken
    day by day and the session's follows from the days (``settle_attendance_from_days``)."""
    if session_days(session):
        raise AttendanceError(
            _(
                "This session has several days: take its attendance day by day (the roll call of each day, "
                "or sessions/{id}/days/{day_id}/attendance/ in the API)."
            ),
            field="day",
            code="invalid",
        )


@on_behalf
def record_attendance(
    *,
    registration: Registration,
    status: str,
    by,
    checked_in_at: datetime | None = None,
    note: str = "",
    hours_attended: Decimal | None = None,
    from_days: bool = False,
) -> Attendance:
    """Set (or correct) the attendance of one registration; repeating the same call changes nothing.

    On a session of several days only the writes that follow its days pass ``from_days``
    (``settle_attendance_from_days``, and a check-in, which marks its day right after); any other
    is refused (``check_session_level_attendance``). ``hours_attended`` is given for such a session
    only (the sum of the days' hours); a one-day session's hours are its own.
    """
    if status not in Attendance.Status.values:
        raise AttendanceError(_("Unknown attendance status."), field="status")
    if not from_days:
        check_session_level_attendance(registration.session)
    check_attendance_open(registration.session)
    if registration.status == Registration.Status.CANCELLED:
        raise AttendanceError(_("This registration was cancelled."))
    time_given = checked_in_at is not None
    if checked_in_at is None and status in Attendance.COUNTED:
        checked_in_at = timezone.now()
    check_in_range(checked_in_at, field="checked_in_at")
    with transaction.atomic():
        # The registration's row is locked and read again, so the snapshot copied onto the attendance
        # is the one saved, even if the officer registers again from another agency meanwhile.
        snapshot = attendance_snapshot(Registration.objects.select_for_update().get(pk=registration.pk))
        attendance = Attendance.objects.select_for_update().filter(registration=registration).first()
        # Repeating the same call changes nothing; a time given explicitly (a check-in's earlier scan) does.
        unchanged = attendance and (attendance.status, attendance.note, attendance.hours_attended) == (
            status,
            note,
            hours_attended,
        )
        if unchanged and not (
            time_given and status in Attendance.COUNTED and checked_in_at != attendance.checked_in_at
        ):
            return attendance
        attendance = attendance or Attendance(registration=registration)
        for name, value in snapshot.items():
            setattr(attendance, name, value)
        attendance.status = status
        attendance.checked_in_at = checked_in_at if status in Attendance.COUNTED else None
        attendance.recorded_by = by
        attendance.note = note
        attendance.hours_attended = hours_attended
        attendance.save()
        send_late_survey(registration=registration, attendance=attendance)
    return attendance


@on_behalf
def record_check_in_attendance(*, session: TrainingSession, times: dict[int, datetime], by) -> None:
    """Mark the registrations checked in (``times``: registration id → time scanned) present, at once.

    What ``record_attendance`` does for one registration, for a batch of check-ins in a few statements:
    the registration's snapshot copied onto the attendance, the history recorded as ``by``'s doing, the
    survey sent to someone recorded after completion. An attendance already counted (present, or
    partial from the roll call) keeps its status and note and moves to the earlier time; an absent or
    excused one becomes present. The caller has checked each registration (confirmed, this session).
    """
    if not times:
        return
    check_attendance_open(session)
    with transaction.atomic():
        registrations = list(Registration.objects.select_for_update().filter(session=session, pk__in=times))
        existing = {
            attendance.registration_id: attendance
            for attendance in Attendance.objects.select_for_update().filter(registration_id__in=times)
        }
        now = timezone.now()
        created, updated = [], []
        for registration in registrations:
            attendance, time = existing.get(registration.pk), times[registration.pk]
            if attendance is not None and attendance.status in Attendance.COUNTED:
                if attendance.checked_in_at is not None and attendance.checked_in_at <= time:
                    continue
            else:
                attendance = attendance or Attendance(registration=registration, note="")
                attendance.status = Attendance.Status.PRESENT
            for name, value in attendance_snapshot(registration).items():
                setattr(attendance, name, value)
            attendance.checked_in_at, attendance.recorded_by, attendance.recorded_at = time, by, now
            (updated if attendance.pk else created).append(attendance)
        user = by if getattr(by, "is_authenticated", False) else None
        if created:
            bulk_create_with_history(created, Attendance, default_user=user)
        if updated:
            fields = [
                "status",
                "checked_in_at",
                "recorded_by",
                "recorded_at",
                "session",
                "officer_key",
                "agency",
                "country",
            ]
            bulk_update_with_history(updated, Attendance, fields, default_user=user)
        if session.status == TrainingSession.Status.COMPLETED:
            for attendance in created + updated:
                send_late_survey(registration=attendance.registration, attendance=attendance)


def send_late_survey(*, registration: Registration, attendance: Attendance | None = None) -> None:
    """Send the follow-up survey to an attendee recorded after the session was marked completed.

    ``complete_session`` surveys those already marked present or partial; anyone recorded so later
    (roll call, the API's bulk update, the admin: all through ``record_attendance``) gets the same
    personal link here, once: the outbox key ``survey_invitation:<response pk>`` is shared. A walk-in
    without an account yet is not emailed (there is no officer to answer as); ``claim_walk_ins`` calls
    this again once they have claimed the seat. Nothing is sent before completion, nor to someone
    absent or excused, nor once the survey has closed.
    """
    attendance = attendance or Attendance.objects.filter(registration=registration).first()
    session = registration.session
    if (
        attendance is None
        or attendance.status not in Attendance.COUNTED
        or registration.officer_id is None
        or registration.status != Registration.Status.CONFIRMED
        or session.status != TrainingSession.Status.COMPLETED
    ):
        return
    survey, _created = Survey.objects.get_or_create(session=session)
    if not survey_is_open(survey):
        return
    notifications.late_survey_invitation(registration=registration, survey=survey)


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
    officer who was registered already just gets their attendance recorded. A session of several
    days is refused (``check_session_level_attendance``): ``add_walk_in`` records a walk-in on a day.
    """
    check_session_level_attendance(session)
    with transaction.atomic():
        registration = walk_in_seat(session=lock_session(session), officer=officer)
        return record_attendance(registration=registration, status=status, by=by, note=note)


def walk_in_seat(*, session: TrainingSession, officer: Officer) -> Registration:
    """The officer's confirmed seat for a walk-in: a new walk-in registration, or their cancelled or
    waitlisted one confirmed. The caller holds the session's lock."""
    registration = Registration.objects.filter(session=session, officer=officer).first()
    if registration is None or registration.status == Registration.Status.CANCELLED:
        registration = registration or Registration(session=session, officer=officer)
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
    return registration


class _LinesRefused(Exception):
    """Raised inside the sheet's transaction to roll every line back."""


@on_behalf
def record_attendance_sheet(*, session: TrainingSession, items: list[dict], by) -> None:
    """Apply the lines of a session's attendance sheet in one transaction: every line, or none.

    A line names a registration by ``registration_id``, or an officer by ``email`` (recorded as a
    walk-in when not registered), with a ``status`` and optionally a ``note`` and ``checked_in_at``.
    Each line goes through ``record_attendance`` or ``record_walk_in``; the API's bulk update and the
    back office's roll call both save through here. Refused lines raise ``AttendanceSheetRejected``.
    A session of several days is refused as a whole (``check_session_level_attendance``).
    """
    check_session_level_attendance(session)
    registrations = {
        registration.pk: registration
        for registration in Registration.objects.filter(session=session).select_related("officer__user")
    }
    by_email = {
        registration.officer.user.email.lower(): registration
        for registration in registrations.values()
        if registration.officer_id is not None
    }
    seen: set[str] = set()
    apply_sheet_lines(items, lambda item: _record_line(session, item, registrations, by_email, seen, by))


def apply_sheet_lines(items: list[dict], record_line) -> None:
    """Record each line of a sheet with ``record_line`` in one transaction: every line, or none.

    The lines refused (a ``SessionError`` each) are collected, then everything is rolled back and
    ``AttendanceSheetRejected`` raised with them by line index. The session's sheet and a day's
    sheet (``record_day_attendance_sheet``) both save through here.
    """
    errors: dict[int, SessionError] = {}
    try:
        with transaction.atomic():
            for index, item in enumerate(items):
                try:
                    record_line(item)
                except SessionError as error:
                    errors[index] = error
            if errors:
                raise _LinesRefused
    except _LinesRefused:
        raise AttendanceSheetRejected(errors) from None


def _record_line(session, item, registrations, by_email, seen, by) -> None:
    if "registration_id" in item:
        key = f"id:{item['registration_id']}"
        registration = registrations.get(item["registration_id"])
        if registration is None:
            raise AttendanceError(_("No registration with this id in this session."), field="registration_id")
    else:
        email = item["email"].lower()
        registration = by_email.get(email)
        key = f"id:{registration.pk}" if registration else f"email:{email}"
    if key in seen:
        raise AttendanceError(_("This registration is listed twice."), field="non_field_errors")
    seen.add(key)
    if registration is not None:
        registration.session = session
        record_attendance(
            registration=registration,
            status=item["status"],
            by=by,
            checked_in_at=item.get("checked_in_at"),
            note=item.get("note", ""),
        )
        return
    officer = Officer.objects.select_related("agency", "user").filter(user__email__iexact=item["email"]).first()
    if officer is None:
        raise AttendanceError(_("No officer account has this email."), field="email")
    record_walk_in(session=session, officer=officer, status=item["status"], by=by, note=item.get("note", ""))
