"""The days of a session of several days and each day's attendance sheet (``services.record_day_attendance_sheet``)."""

from rest_framework import exceptions

from sessions import services
from sessions.api.serializers import DAY_SHEET_ROW_FIELDS
from sessions.api.views.attendance import sheet_rejected
from sessions.models import DayAttendance, Registration, SessionDay, TrainingSession

MAX_DAY_ATTENDANCE_ITEMS = 1000


def day_of(session: TrainingSession, day_id: str) -> SessionDay:
    """The session's day with this id, or a 404 (an id of another session's day included)."""
    known = day_id.isascii() and day_id.isdigit() and len(day_id) <= 9
    day = SessionDay.objects.filter(session=session, pk=int(day_id)).first() if known else None
    if day is None:
        raise exceptions.NotFound()
    day.session = session
    return day


def day_sheet(session: TrainingSession, day: SessionDay) -> list[dict]:
    """The day's lines: every registration not cancelled, with its record of the day (two queries)."""
    rows = list(
        Registration.objects.filter(session=session)
        .exclude(status=Registration.Status.CANCELLED)
        .order_by("id")
        .values(*DAY_SHEET_ROW_FIELDS)
    )
    records = {record.registration_id: record for record in DayAttendance.objects.filter(day=day)}
    for row in rows:
        row["day_record"] = records.get(row["id"])
    return rows


def record_day_sheet(*, session: TrainingSession, day: SessionDay, items: list[dict], by) -> None:
    """Apply every line through the day attendance service, or none; refused lines become a 400 per item."""
    try:
        services.record_day_attendance_sheet(session=session, day=day, items=items, by=by)
    except services.AttendanceSheetRejected as rejected:
        raise sheet_rejected(rejected) from rejected
