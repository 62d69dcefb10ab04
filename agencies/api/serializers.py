from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agencies.models import Agency, Country


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
