"""Check-ins: the roster a check-in page keeps offline, the batch of scans it sends, and the answers.

Times are ISO 8601 in the session's own time zone (``context["timezone"]``), with its offset.
A batch's items are read one by one (``read_check_in_item``): an unreadable item is answered
"refused/malformed" rather than failing the whole request, so that nothing else in it is lost.
"""

import re
from datetime import datetime

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sessions.api.serializers.common import iso_in_zone
from sessions.models import CheckIn
from sessions.services.check_ins import MAX_CHECK_INS_PER_BATCH
from trainingops.validators import EARLIEST_DATETIME, END_DATETIME

NONCE = re.compile(r"[A-Za-z0-9_-]{8,64}")


class CheckInItemSerializer(serializers.Serializer):
    """One scan (documentation of the shape; items are read by ``read_check_in_item``)."""

    nonce = serializers.RegexField(
        NONCE.pattern,
        help_text=_("The device's id of this scan (8 to 64 of A-Z a-z 0-9 _ -); sent again, it counts once."),
    )
    code = serializers.CharField(
        required=False, help_text=_("The text of the personal QR code (TO1:…); or give registration instead.")
    )
    registration = serializers.IntegerField(
        required=False, help_text=_("A registration id found by searching the roster by name.")
    )
    scanned_at = serializers.DateTimeField(help_text=_("When the device scanned it, ISO 8601 with its offset."))


class CheckInBatchSerializer(serializers.Serializer):
    check_ins = CheckInItemSerializer(many=True, max_length=MAX_CHECK_INS_PER_BATCH)


def _scanned_at(value) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    try:
        in_range = EARLIEST_DATETIME <= parsed < END_DATETIME
    except OverflowError:
        return None
    return parsed if in_range else None


def read_check_in_item(item) -> dict:
    """The service's form of one item: a scan, a search, or ``{"nonce", "malformed": True}``."""
    nonce = item.get("nonce") if isinstance(item, dict) else None
    if not isinstance(nonce, str) or not NONCE.fullmatch(nonce):
        return {"nonce": "", "malformed": True}
    scanned_at = _scanned_at(item.get("scanned_at"))
    code, registration = item.get("code"), item.get("registration")
    has_code, has_registration = isinstance(code, str), type(registration) is int
    if scanned_at is None or has_code == has_registration or ("code" in item and "registration" in item):
        return {"nonce": nonce, "malformed": True}
    if has_registration and not 0 < registration < 2**63:
        return {"nonce": nonce, "malformed": True}
    key, value = ("code", code) if has_code else ("registration", registration)
    return {"nonce": nonce, "scanned_at": scanned_at, key: value}


class CheckInResultSerializer(serializers.Serializer):
    """The answer for one item, in the order sent."""

    nonce = serializers.CharField()
    status = serializers.ChoiceField(choices=["checked_in", "already_checked_in", "refused"])
    reason = serializers.ChoiceField(
        choices=[
            "malformed",
            "bad_signature",
            "wrong_session",
            "unknown_registration",
            "cancelled",
            "not_confirmed",
            "outside_session_days",
            "session_not_open",
        ],
        allow_null=True,
    )
    message = serializers.CharField(help_text=_("What the page shows, in the caller's language."))
    registration = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    agency = serializers.CharField(allow_null=True)
    checked_in_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, result):
        registration = result.registration
        return {
            "nonce": result.nonce,
            "status": str(result.status),
            "reason": result.reason,
            "message": result.message,
            "registration": registration.pk if registration else None,
            "name": registration.person_name if registration else None,
            "agency": str(registration.agency) if registration else None,
            "checked_in_at": iso_in_zone(result.checked_in_at, self.context["timezone"]),
        }


class CheckInResultsSerializer(serializers.Serializer):
    results = CheckInResultSerializer(many=True)


class RosterSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    timezone = serializers.CharField()
    check_in_opens_at = serializers.DateTimeField(allow_null=True)
    check_in_closes_at = serializers.DateTimeField(allow_null=True)


class RosterEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    agency = serializers.CharField()
    country = serializers.CharField()
    checked_in_at = serializers.DateTimeField(allow_null=True)


class RosterSerializer(serializers.Serializer):
    """What a check-in page keeps on the device: the confirmed seats and the key to verify codes with."""

    session = RosterSessionSerializer()
    public_key = serializers.CharField(help_text=_("Ed25519 public key, raw 32 bytes in base64url without padding."))
    generated_at = serializers.DateTimeField()
    registrations = RosterEntrySerializer(many=True)


class CheckInSerializer(serializers.ModelSerializer):
    """One recorded check-in, for the session's trainers and managers."""

    name = serializers.SerializerMethodField()
    checked_in_at = serializers.SerializerMethodField()
    recorded_by = serializers.SerializerMethodField()
    scanned_at = serializers.SerializerMethodField()
    recorded_at = serializers.SerializerMethodField()

    class Meta:
        model = CheckIn
        fields = ["id", "registration", "name", "via", "outcome", "nonce", "scanned_at", "recorded_at",
                  "checked_in_at", "recorded_by"]  # fmt: skip

    def get_name(self, check_in) -> str:
        return check_in.registration.person_name

    def get_checked_in_at(self, check_in) -> str | None:
        """When the registration is checked in (the earliest scan kept), or null once that attendance was undone."""
        attendance = getattr(check_in.registration, "attendance", None)
        if attendance is None or attendance.status not in ("present", "partial"):
            return None
        return iso_in_zone(attendance.checked_in_at, self.context["timezone"])

    def get_recorded_by(self, check_in) -> str | None:
        return str(check_in.recorded_by) if check_in.recorded_by_id else None

    def get_scanned_at(self, check_in) -> str:
        return iso_in_zone(check_in.scanned_at, self.context["timezone"])

    def get_recorded_at(self, check_in) -> str:
        return iso_in_zone(check_in.recorded_at, self.context["timezone"])
