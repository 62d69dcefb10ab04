from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agencies.models import Agency, Country, FocalPoint, Officer


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
