from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agencies.models import Agency, Country, FocalPoint, Officer, TrainingRequest
from sessions.models import Topic


class CountrySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="localized_name", read_only=True, help_text=_("In the caller's language."))

    class Meta:
        model = Country
        fields = ["code", "iso3", "m49_code", "name", "region", "sub_region", "intermediate_region"]
        read_only_fields = fields


class AgencySerializer(serializers.ModelSerializer):
    country = serializers.PrimaryKeyRelatedField(read_only=True, help_text=_("ISO 3166-1 alpha-2 code."))

    class Meta:
        model = Agency
        fields = ["id", "name", "acronym", "country", "kind", "is_active"]
        read_only_fields = fields


class AgencyOfficerSerializer(serializers.ModelSerializer):
    """An officer as their agency's focal points and the managers see them."""

    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    is_focal_point = serializers.BooleanField(read_only=True, help_text=_("One of the agency's focal points now."))

    class Meta:
        model = Officer
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "job_title",
            "preferred_language",
            "verification_status",
            "verified_at",
            "is_focal_point",
            "created_at",
        ]
        read_only_fields = fields


class FocalPointSerializer(serializers.ModelSerializer):
    """A focal-point term: open (``withdrawn_at`` null) or closed, with who appointed and withdrew it."""

    officer_name = serializers.CharField(source="officer.user.get_full_name", read_only=True)
    officer_email = serializers.EmailField(source="officer.user.email", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = FocalPoint
        fields = [
            "id",
            "agency",
            "officer",
            "officer_name",
            "officer_email",
            "is_active",
            "appointed_at",
            "appointed_by",
            "withdrawn_at",
            "withdrawn_by",
        ]
        read_only_fields = fields


class FocalPointAppointSerializer(serializers.Serializer):
    """The body of an appointment: the officer (of this agency, verified) to make a focal point."""

    officer = serializers.PrimaryKeyRelatedField(
        queryset=Officer.objects.select_related("user"), help_text=_("The officer's id.")
    )


class TrainingRequestSerializer(serializers.ModelSerializer):
    """A training request as its agency's focal points and the managers read it."""

    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True, help_text=_("Topic slugs."))
    requested_by_email = serializers.EmailField(source="requested_by.email", read_only=True, default=None)

    class Meta:
        model = TrainingRequest
        fields = [
            "id",
            "agency",
            "state",
            *TrainingRequest.ASKED_FIELDS,
            "decline_reason",
            "session",
            "requested_by_email",
            "created_at",
            "accepted_at",
            "delivered_at",
            "declined_at",
        ]
        read_only_fields = fields


def _language_choices():
    from sessions.models import SESSION_LANGUAGES

    return [code for code, _label in SESSION_LANGUAGES]


class TrainingRequestCreateSerializer(serializers.Serializer):
    """The body of a new request. A focal point's ``agency`` defaults to (and must be) their own."""

    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        help_text=_("The agency's id; a focal point may leave it out (their own agency)."),
    )
    topics = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        queryset=Topic.objects.all(),
        allow_empty=False,
        error_messages={"empty": _("Choose at least one topic.")},
        help_text=_("Topic slugs, at least one."),
    )
    format = serializers.ChoiceField(choices=TrainingRequest.Format.choices, default=TrainingRequest.Format.IN_PERSON)
    language = serializers.ChoiceField(choices=_language_choices(), default="en")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    expected_officers = serializers.IntegerField(
        min_value=1, max_value=100000, error_messages={"min_value": _("Expect at least one officer.")}
    )
    venue_offered = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        from agencies.services import TrainingRequestError, validate_request_fields

        try:
            validate_request_fields(
                topics=attrs["topics"],
                period_start=attrs["period_start"],
                period_end=attrs["period_end"],
                expected_officers=attrs["expected_officers"],
            )
        except TrainingRequestError as error:
            raise serializers.ValidationError({error.field: [error.message]}, code="invalid") from None
        return attrs


class TrainingRequestDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=_("Quoted in the requester's email."))
