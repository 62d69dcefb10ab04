"""Agencies and countries: reference data for every role (officers see active agencies only)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from agencies.api.serializers import AgencySerializer, CountrySerializer
from agencies.models import Agency, Country
from sessions.api.filters import StableOrderingFilter
from sessions.api.permissions import HasAnyRole, role_of
from trainingops.api.pagination import ApiPagination


class AgencyFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(method="filter_country", label=_("ISO 3166-1 alpha-2 code."))
    kind = django_filters.ChoiceFilter(choices=Agency.Kind.choices)
    is_active = django_filters.BooleanFilter()
    search = django_filters.CharFilter(method="filter_search", label=_("Part of the name or acronym."))

    class Meta:
        model = Agency
        fields = ["country", "kind", "is_active", "search"]

    def filter_country(self, queryset, name, value):
        return queryset.filter(country_id=value.strip().upper())

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(acronym__icontains=value))


class CountryFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(
        method="filter_region", label=_("UN M49 region, sub-region or intermediate region, e.g. Europe.")
    )

    class Meta:
        model = Country
        fields = ["region"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(
            Q(region__iexact=value) | Q(sub_region__iexact=value) | Q(intermediate_region__iexact=value)
        )


@extend_schema_view(list=extend_schema(summary=_("List agencies")), retrieve=extend_schema(summary=_("Get an agency")))
class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AgencySerializer
    permission_classes = [HasAnyRole]
    pagination_class = ApiPagination
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = AgencyFilter
    ordering_fields = ["name", "id"]
    ordering = ["name", "id"]

    def get_queryset(self):
        queryset = Agency.objects.all()
        if not role_of(self.request).is_staff_role:
            queryset = queryset.filter(is_active=True)
        return queryset


@extend_schema_view(
    list=extend_schema(summary=_("List countries")), retrieve=extend_schema(summary=_("Get a country by ISO code"))
)
class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CountrySerializer
    permission_classes = [HasAnyRole]
    pagination_class = ApiPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = CountryFilter
    queryset = Country.objects.order_by("name", "code")

    def get_object(self):
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()
