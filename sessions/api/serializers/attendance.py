"""A session's attendance sheet, read and updated in bulk."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sessions.api.serializers.common import iso_in_zone, officer_summary
from sessions.api.serializers.registrations import OfficerSummaryField
from sessions.models import Attendance, Registration

# The registration's columns of a sheet's line (the session's sheet, a day's sheet; see officer_summary).
SHEET_REGISTRATION_FIELDS = (
    "id",
    "officer_id",
    "officer__uuid",
    "officer__user__first_name",
    "officer__user__last_name",
    "officer__user__email",
    "status",
)

# Columns read for one line of an attendance sheet: a 200-line sheet is one query and 200 small dicts.
ATTENDANCE_ROW_FIELDS = (
    *SHEET_REGISTRATION_FIELDS,
    "source",
    "agency_id",
    "country_id",
    "attendance__status",
    "attendance__checked_in_at",
    "attendance__note",
    "attendance__recorded_at",
)


# Reads ATTENDANCE_ROW_FIELDS rows, with times in the zone given as context["timezone"] (the session's).
class AttendanceSerializer(serializers.Serializer):
    """One line of a session's attendance sheet: a registration and what was recorded for it."""

    registration_id = serializers.IntegerField(read_only=True)
    officer = OfficerSummaryField(allow_null=True)
    registration_status = serializers.ChoiceField(choices=Registration.Status.choices, read_only=True)
    source = serializers.ChoiceField(choices=Registration.Source.choices, read_only=True)
    agency = serializers.IntegerField(read_only=True)
    country = serializers.CharField(read_only=True, label=_("ISO code"))
    status = serializers.ChoiceField(choices=Attendance.Status.choices, allow_null=True, read_only=True)
    checked_in_at = serializers.DateTimeField(allow_null=True, read_only=True)
    note = serializers.CharField(read_only=True)
    recorded_at = serializers.DateTimeField(allow_null=True, read_only=True)

    def to_representation(self, row):
        zone = self.context["timezone"]
        return {
            "registration_id": row["id"],
            "officer": officer_summary(row),
            "registration_status": row["status"],
            "source": row["source"],
            "agency": row["agency_id"],
            "country": row["country_id"],
            "status": row["attendance__status"],
            "checked_in_at": iso_in_zone(row["attendance__checked_in_at"], zone),
            "note": row["attendance__note"] or "",
            "recorded_at": iso_in_zone(row["attendance__recorded_at"], zone),
        }


class AttendanceItemSerializer(serializers.Serializer):
    """One line of a bulk attendance update: a registration (by id or officer email) and its status."""

    registration_id = serializers.IntegerField(
        required=False, min_value=1, help_text=_("A registration of this session. Give this or email.")
    )
    email = serializers.EmailField(
        required=False,
        help_text=_("The officer's email: their registration, or a new walk-in registration if they have none."),
    )
    status = serializers.ChoiceField(choices=Attendance.Status.choices)
    checked_in_at = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")

    def validate(self, attrs):
        if ("registration_id" in attrs) == ("email" in attrs):
            raise serializers.ValidationError(_("Give exactly one of registration_id and email."), code="invalid")
        return attrs
