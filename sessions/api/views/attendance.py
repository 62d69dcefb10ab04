"""The attendance sheet of a session and its bulk update (all items or none)."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample
from rest_framework import exceptions

from agencies.models import Officer
from sessions import services
from sessions.api.serializers import ATTENDANCE_ROW_FIELDS
from sessions.models import Registration, TrainingSession

MAX_ATTENDANCE_ITEMS = 1000


class BulkAttendanceRejected(Exception):
    """Raised inside the bulk transaction to roll every item back."""

    def __init__(self, errors):
        super().__init__("bulk attendance rejected")
        self.errors = errors


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
    """Apply every line through the attendance services in one transaction, or none of them."""
    errors: dict[str, list[str]] = {}
    try:
        with transaction.atomic():
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
            for index, item in enumerate(items):
                try:
                    _record_one(session, item, registrations, by_email, seen, by)
                except services.SessionError as error:
                    errors[f"{index}.{error.field or 'non_field_errors'}"] = [str(error.message)]
            if errors:
                raise BulkAttendanceRejected(errors)
    except BulkAttendanceRejected as rejected:
        raise exceptions.ValidationError(rejected.errors, code="invalid") from rejected


def _record_one(session, item, registrations, by_email, seen, by) -> None:
    if "registration_id" in item:
        key = f"id:{item['registration_id']}"
        registration = registrations.get(item["registration_id"])
        if registration is None:
            raise services.AttendanceError(_("No registration with this id in this session."), field="registration_id")
    else:
        email = item["email"].lower()
        registration = by_email.get(email)
        key = f"id:{registration.pk}" if registration else f"email:{email}"
    if key in seen:
        raise services.AttendanceError(_("This registration is listed twice."), field="non_field_errors")
    seen.add(key)
    if registration is not None:
        registration.session = session
        services.record_attendance(
            registration=registration,
            status=item["status"],
            by=by,
            checked_in_at=item.get("checked_in_at"),
            note=item.get("note", ""),
        )
        return
    officer = Officer.objects.select_related("agency", "user").filter(user__email__iexact=item["email"]).first()
    if officer is None:
        raise services.AttendanceError(_("No officer account has this email."), field="email")
    services.record_walk_in(session=session, officer=officer, status=item["status"], by=by, note=item.get("note", ""))
