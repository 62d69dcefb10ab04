"""Registrations, and the officer summary shown with them and on attendance sheets."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sessions.api.serializers.common import person_name
from sessions.models import Attendance, Registration


class OfficerSummarySerializer(serializers.Serializer):
    """The officer behind a registration; shown to staff and to the officer themself only."""

    uuid = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)


@extend_schema_field(OfficerSummarySerializer(allow_null=True))
class OfficerSummaryField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, officer):
        if officer is None:
            return None
        user = officer.user
        return {
            "uuid": str(officer.uuid),
            "name": person_name(user.first_name, user.last_name, user.email),
            "email": user.email,
        }

    def get_attribute(self, instance):
        return instance.officer


class RegistrationSerializer(serializers.ModelSerializer):
    """A registration with the snapshot of agency and country taken when it was made."""

    session_title = serializers.CharField(source="session.title", read_only=True)
    officer = OfficerSummaryField(help_text=_("Null once the officer erased their personal data."))
    agency = serializers.PrimaryKeyRelatedField(read_only=True)
    country = serializers.PrimaryKeyRelatedField(read_only=True)
    attendance = serializers.SerializerMethodField(help_text=_("The attendance recorded, if any."))

    class Meta:
        model = Registration
        fields = [
            "id",
            "session",
            "session_title",
            "officer",
            "status",
            "source",
            "waitlist_position",
            "agency",
            "country",
            "attendance",
            "created_at",
            "confirmed_at",
            "cancelled_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Attendance.Status.choices, allow_null=True))
    def get_attendance(self, registration):
        attendance = getattr(registration, "attendance", None)
        return attendance.status if attendance is not None else None


class RegistrationCreateSerializer(serializers.Serializer):
    """An officer registers themself for a session."""

    session = serializers.IntegerField(min_value=1, help_text=_("The id of a published session open to you."))
