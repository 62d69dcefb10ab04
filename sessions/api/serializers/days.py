"""The days of a session of several days, and the attendance sheet of one day."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sessions.api.serializers.attendance import SHEET_REGISTRATION_FIELDS
from sessions.api.serializers.common import iso_in_zone, officer_summary
from sessions.api.serializers.registrations import OfficerSummaryField
from sessions.models import DayAttendance, Registration

# A day is at most 24 hours long.
MAX_MINUTES_A_DAY = 24 * 60


class SessionDaySerializer(serializers.Serializer):
    """One day of a session, its hours in the session's own zone (context["timezone"])."""

    id = serializers.IntegerField(read_only=True)
    date = serializers.DateField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    hours = serializers.DecimalField(max_digits=4, decimal_places=1, read_only=True)

    def to_representation(self, day):
        zone = self.context["timezone"]
        return {
            "id": day.pk,
            "date": day.date.isoformat(),
            "starts_at": iso_in_zone(day.starts_at_in(zone), zone),
            "ends_at": iso_in_zone(day.ends_at_in(zone), zone),
            "hours": str(day.hours),
        }


# Columns read for one line of a day's sheet (the day's own record is read in one more query).
DAY_SHEET_ROW_FIELDS = (
    *SHEET_REGISTRATION_FIELDS,
    "agency_id",
    "country_id",
    "attendance__status",
)


class DayAttendanceSerializer(serializers.Serializer):
    """One line of a day's attendance sheet: a registration, its attendance that day, and the session's."""

    registration_id = serializers.IntegerField(read_only=True)
    officer = OfficerSummaryField(allow_null=True)
    registration_status = serializers.ChoiceField(choices=Registration.Status.choices, read_only=True)
    agency = serializers.IntegerField(read_only=True)
    country = serializers.CharField(read_only=True, label=_("ISO code"))
    status = serializers.ChoiceField(choices=DayAttendance.Status.choices, allow_null=True, read_only=True)
    minutes_attended = serializers.IntegerField(allow_null=True, read_only=True)
    recorded_at = serializers.DateTimeField(allow_null=True, read_only=True)
    session_status = serializers.CharField(
        allow_null=True, read_only=True, help_text=_("The session's attendance, which follows from the days.")
    )

    def to_representation(self, row):
        zone, record = self.context["timezone"], row["day_record"]
        return {
            "registration_id": row["id"],
            "officer": officer_summary(row),
            "registration_status": row["status"],
            "agency": row["agency_id"],
            "country": row["country_id"],
            "status": record.status if record else None,
            "minutes_attended": record.minutes_attended if record else None,
            "recorded_at": iso_in_zone(record.recorded_at, zone) if record else None,
            "session_status": row["attendance__status"],
        }


class DayAttendanceItemSerializer(serializers.Serializer):
    """One line of a day's bulk attendance update."""

    registration_id = serializers.IntegerField(min_value=1, help_text=_("A registration of this session."))
    status = serializers.ChoiceField(choices=DayAttendance.Status.choices)
    minutes_attended = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_MINUTES_A_DAY,
        help_text=_("Time attended that day when known; a partial day without it counts half the day."),
    )
