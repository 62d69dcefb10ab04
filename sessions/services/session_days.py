"""Sessions of several days: their days, attendance per day, and the session's attendance from the days.

A session without days is a one-day session and keeps its one attendance per registration. A
session with days takes attendance day by day (the roll call, the API, the meeting report); the
registration's ``Attendance`` then follows from its days through ``settle_attendance_from_days``
alone — all days present → present, some attended → partial, none → absent; hours attended are the
sum of the days' — so the yearly report reads one attendance per registration as before.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions.models import MAX_SESSION_DAYS, Attendance, DayAttendance, Registration, SessionDay, TrainingSession
from sessions.services.attendance import apply_sheet_lines, check_attendance_open, record_attendance
from sessions.services.base import AttendanceError, SessionError, lock_session
from trainingops.actors import on_behalf


@dataclass(frozen=True)
class DayHours:
    """One day of a session as typed: its date and its hours in the session's own zone."""

    date: date
    starts_at_time: time
    ends_at_time: time


def validate_session_days(*, session: TrainingSession, days: list[DayHours]) -> None:
    """Raise ``SessionError`` unless the days fit the session: each within its start and end (in its
    zone), ending after it starts, one per date (so none overlaps another), at most ``MAX_SESSION_DAYS``."""
    if not days:
        return
    if len(days) > MAX_SESSION_DAYS:
        raise SessionError(
            _("A session has at most %(count)d days.") % {"count": MAX_SESSION_DAYS}, field="days", code="too_many"
        )
    if session.starts_at is None or session.ends_at is None:
        raise SessionError(_("Set the session's start and end before its days."), field="days")
    zone = session.timezone
    dates = [day.date for day in days]
    if len(set(dates)) != len(dates):
        raise SessionError(_("Two days of the session fall on the same date."), field="days", code="overlap")
    for day in days:
        if day.ends_at_time <= day.starts_at_time:
            raise SessionError(
                _("The day of %(date)s must end after it starts.") % {"date": day.date.isoformat()}, field="days"
            )
        starts = datetime.combine(day.date, day.starts_at_time).replace(tzinfo=zone)
        ends = datetime.combine(day.date, day.ends_at_time).replace(tzinfo=zone)
        if starts < session.starts_at or ends > session.ends_at:
            raise SessionError(
                _("The day of %(date)s is outside the session's start and end.") % {"date": day.date.isoformat()},
                field="days",
                code="outside_session",
            )


def check_days_fit_new_schedule(*, session: TrainingSession) -> None:
    """Raise ``SessionError`` (400 in the API, on the start or end) when the session's stored days
    no longer fit its start, end and zone as edited: ``update_session`` calls it before saving."""
    days = list(SessionDay.objects.filter(session=session).order_by("date"))
    if not days:
        return
    if session.starts_at is None or session.ends_at is None:
        field = "starts_at" if session.starts_at is None else "ends_at"
        raise SessionError(_("A session with days needs a start and an end."), field=field)
    zone = session.timezone
    for day in days:
        early, late = day.starts_at_in(zone) < session.starts_at, day.ends_at_in(zone) > session.ends_at
        if early or late:
            raise SessionError(
                _("The session's day of %(date)s would fall outside this start and end; change its days too.")
                % {"date": day.date.isoformat()},
                field="starts_at" if early else "ends_at",
            )


@on_behalf
def set_session_days(*, session: TrainingSession, days: list[DayHours], by) -> list[SessionDay]:
    """Make the session's days exactly ``days``: add the new dates, change the hours of kept ones,
    remove the others. A day with attendance taken is not removed (the service refuses, nothing is
    saved). An empty list makes it a one-day session again. Returns the days by date."""
    validate_session_days(session=session, days=days)
    with transaction.atomic():
        lock_session(session)
        return write_session_days(session=session, days=days)


def write_session_days(*, session: TrainingSession, days: list[DayHours]) -> list[SessionDay]:
    """``set_session_days``'s writing, for a caller that validated ``days`` and holds the session's lock
    (``update_session``, when a session's start or end changes with its days)."""
    wanted = {day.date: day for day in days}
    with transaction.atomic():
        existing = {day.date: day for day in SessionDay.objects.filter(session=session)}
        removed = [day for day_date, day in existing.items() if day_date not in wanted]
        if removed and DayAttendance.objects.filter(day__in=removed).exists():
            raise SessionError(_("A day with attendance taken cannot be removed."), field="days", code="has_attendance")
        SessionDay.objects.filter(pk__in=[day.pk for day in removed]).delete()
        for day_date, hours in wanted.items():
            day = existing.get(day_date) or SessionDay(session=session, date=day_date)
            if day.pk and (day.starts_at_time, day.ends_at_time) == (hours.starts_at_time, hours.ends_at_time):
                continue
            day.starts_at_time, day.ends_at_time = hours.starts_at_time, hours.ends_at_time
            day.save()
        return list(SessionDay.objects.filter(session=session).order_by("date"))


def check_day_attendance_open(day: SessionDay) -> None:
    """Refuse, with the reason, when attendance of this day may not be taken (yet)."""
    check_attendance_open(day.session)
    if day.starts_at_in(day.session.timezone) > timezone.now() + timedelta(hours=2):
        raise AttendanceError(_("Attendance of a day can be taken from two hours before it starts."))


def settle_attendance_from_days(*, registration: Registration, by) -> Attendance | None:
    """Write the registration's session attendance from its days, through ``record_attendance``.

    All days present → present; some present or partial → partial; none → absent. Hours attended
    are the sum of the days' (``DayAttendance.hours_attended``). The note and the first check-in
    time already recorded are kept. Nothing is written before any day was taken.
    """
    records = list(DayAttendance.objects.filter(registration=registration).select_related("day"))
    if not records:
        return None
    day_count = SessionDay.objects.filter(session_id=registration.session_id).count()
    present = sum(record.status == DayAttendance.Status.PRESENT for record in records)
    if present == day_count:
        status = Attendance.Status.PRESENT
    elif any(record.status != DayAttendance.Status.ABSENT for record in records):
        status = Attendance.Status.PARTIAL
    else:
        status = Attendance.Status.ABSENT
    existing = Attendance.objects.filter(registration=registration).first()
    return record_attendance(
        registration=registration,
        status=status,
        by=by,
        checked_in_at=existing.checked_in_at if existing else None,
        note=existing.note if existing else "",
        hours_attended=sum((record.hours_attended for record in records), start=Decimal(0)),
        from_days=True,
    )


@on_behalf
def record_day_attendance(
    *, registration: Registration, day: SessionDay, status: str, by, minutes_attended: int | None = None
) -> DayAttendance:
    """Set (or correct) one registration's attendance on one day, then its session attendance.

    ``minutes_attended`` is the time attended when known (a meeting report); repeating the same
    call changes nothing.
    """
    if status not in DayAttendance.Status.values:
        raise AttendanceError(_("Unknown attendance status."), field="status")
    if day.session_id != registration.session_id:
        raise AttendanceError(_("This day belongs to another session."), field="day")
    if registration.status == Registration.Status.CANCELLED:
        raise AttendanceError(_("This registration was cancelled."))
    check_day_attendance_open(day)
    with transaction.atomic():
        Registration.objects.select_for_update().filter(pk=registration.pk).first()
        record = DayAttendance.objects.select_for_update().filter(registration=registration, day=day).first()
        if record and (record.status, record.minutes_attended) == (status, minutes_attended):
            return record
        record = record or DayAttendance(registration=registration, day=day)
        record.status, record.minutes_attended, record.recorded_by = status, minutes_attended, by
        record.save()
        settle_attendance_from_days(registration=registration, by=by)
    return record


@on_behalf
def record_day_attendance_sheet(*, session: TrainingSession, day: SessionDay, items: list[dict], by) -> None:
    """Apply the lines of one day's attendance sheet in one transaction: every line, or none.

    A line names a registration of the session by ``registration_id``, with a ``status`` (present,
    partial, absent) and optionally ``minutes_attended``. The roll call and the API save through
    here. Refused lines raise ``AttendanceSheetRejected`` (line index → error).
    """
    if day.session_id != session.pk:
        raise AttendanceError(_("This day belongs to another session."), field="day")
    day.session = session
    check_day_attendance_open(day)
    registrations = Registration.objects.filter(session=session).in_bulk()
    seen: set[int] = set()
    apply_sheet_lines(items, lambda item: _record_day_line(session, day, item, registrations, seen, by))


def _record_day_line(session, day, item, registrations, seen, by) -> None:
    registration = registrations.get(item.get("registration_id"))
    if registration is None:
        raise AttendanceError(_("No registration with this id in this session."), field="registration_id")
    if registration.pk in seen:
        raise AttendanceError(_("This registration is listed twice."), field="non_field_errors")
    seen.add(registration.pk)
    registration.session = session
    record_day_attendance(
        registration=registration,
        day=day,
        status=item.get("status", ""),
        by=by,
        minutes_attended=item.get("minutes_attended"),
    )
