"""A session's nominations: what a focal point sends, and what the list shows."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sessions.models import Nomination

MAX_NOMINEES = 200


class NominationSerializer(serializers.ModelSerializer):
    officer_name = serializers.SerializerMethodField(help_text=_("The nominee's name, or their address if invited."))

    class Meta:
        model = Nomination
        fields = [
            "id",
            "session",
            "agency",
            "officer",
            "officer_name",
            "email",
            "status",
            "registration",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields

    def get_officer_name(self, nomination) -> str:
        if nomination.officer_id is not None:
            return nomination.officer.user.get_full_name() or nomination.officer.user.email
        return nomination.email


class NominationCreateSerializer(serializers.Serializer):
    officers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        default=list,
        max_length=MAX_NOMINEES,
        help_text=_("Ids of officers of your agency."),
    )
    emails = serializers.ListField(
        child=serializers.EmailField(),
        required=False,
        default=list,
        max_length=MAX_NOMINEES,
        help_text=_("Addresses of people without an account: each is invited to sign up."),
    )
    language = serializers.ChoiceField(
        choices=["en", "es", "fr"], required=False, default="", help_text=_("Language of the invitations.")
    )

    def validate(self, attrs):
        if not attrs["officers"] and not attrs["emails"]:
            raise serializers.ValidationError(
                {"officers": [_("Choose at least one officer or enter an email address.")]}, code="required"
            )
        return attrs
