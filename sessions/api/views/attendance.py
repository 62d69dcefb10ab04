"""The attendance sheet of a session and its bulk update (all items or none, by ``services.record_attendance_sheet``)."""

from drf_spectacular.utils import OpenApiExample
from rest_framework import exceptions

from sessions import services
from sessions.api.serializers import ATTENDANCE_ROW_FIELDS
from sessions.models import Registration, TrainingSession

MAX_ATTENDANCE_ITEMS = 1000


BULK_ATTENDANCE_EXAMPLE = OpenApiExample(
    "a walk-in",
    value={"email": "walk.in@policia.gob.mx", "status": "present", "checked_in_at": "2025-01-24T09:02:00-06:00"},
    request_only=True,
)


def attendance_sheet(session: TrainingSession) -> list[dict]:
    """The sheet's lines as ``ATTENDANCE_ROW_FIELDS`` rows (see AttendanceSerializer)."""
    lines = Registration.objects.filter(session=session).exclude(status=Registration.Status.CANCELLED)
    return list(lines.order_by("id").values(*ATTENDANCE_ROW_FIELDS))


def record_attendance_sheet(*, session: TrainingSession, items: list[dict], by) -> None:
    """Apply every line through the attendance service, or none; refused lines become a 400 per item."""
    try:
        services.record_attendance_sheet(session=session, items=items, by=by)
    except services.AttendanceSheetRejected as rejected:
        raise sheet_rejected(rejected) from rejected


def sheet_rejected(rejected: services.AttendanceSheetRejected) -> exceptions.ValidationError:
    """The 400 of a refused sheet: each refused line's error under ``<index>.<field>``."""
    errors = {
        f"{index}.{error.field or 'non_field_errors'}": [str(error.message)] for index, error in rejected.errors.items()
    }
    return exceptions.ValidationError(errors, code="invalid")
