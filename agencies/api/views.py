"""Agencies and countries: reference data for every role (officers see active agencies only).

An agency's officers are read by managers and the agency's own focal points; its focal points are
appointed, listed and withdrawn by managers, through the same services as the back office.
"""

import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from accounts.roles import is_focal_point_of
from agencies import selectors, services
from agencies.api.serializers import (
    AgencyOfficerSerializer,
    AgencySerializer,
    CountrySerializer,
    FocalPointAppointSerializer,
    FocalPointSerializer,
)
from agencies.models import Agency, Country, FocalPoint
from sessions.api.filters import StableOrderingFilter
from sessions.api.permissions import HasAnyRole, role_of
from trainingops.api.errors import Conflict
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


@extend_schema_view(list=extend_schema(summary=_("List agencies")), retrieve=extend_schema(summary=_("Get an agency")))
class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    """Agencies; with each agency's officers (its focal points, managers) and focal points (managers)."""

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

    # --- one agency's officers and focal points ----------------------------------------------

    def _agency(self, pk) -> Agency:
        return get_object_or_404(Agency.objects.all(), pk=pk)

    def _check_manager(self) -> None:
        if not role_of(self.request).is_manager:
            raise exceptions.PermissionDenied(_("Only managers may do this."))

    @extend_schema(
        summary=_("The officers of an agency (its focal points, managers)"),
        description=_("Paginated, by name. A focal point reads their own agency's officers only."),
        responses=AgencyOfficerSerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="officers",
        filter_backends=[],
        pagination_class=ApiPagination,
        serializer_class=AgencyOfficerSerializer,
    )
    def officers(self, request, pk=None):
        agency = self._agency(pk)
        if not (role_of(request).is_manager or is_focal_point_of(request.user, agency.pk)):
            raise exceptions.PermissionDenied(_("Only managers and the agency's focal points may read its officers."))
        page = self.paginate_queryset(selectors.agency_officers(agency_id=agency.pk))
        return self.get_paginated_response(AgencyOfficerSerializer(page, many=True).data)

    @extend_schema(
        methods=["GET"],
        summary=_("The focal points of an agency (managers)"),
        description=_("Every term, open ones first: a withdrawn focal point stays listed with who withdrew them."),
        responses=FocalPointSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Appoint a focal point (managers)"),
        description=_(
            "The officer must be a verified officer of this agency and not already one of its focal points "
            "(409 if they are)."
        ),
        request=FocalPointAppointSerializer,
        responses={201: FocalPointSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="focal-points",
        filter_backends=[],
        pagination_class=ApiPagination,
        serializer_class=FocalPointSerializer,
    )
    def focal_points(self, request, pk=None):
        self._check_manager()
        agency = self._agency(pk)
        if request.method == "GET":
            terms = (
                FocalPoint.objects.filter(agency=agency)
                .select_related("officer__user")
                .order_by(F("withdrawn_at").desc(nulls_first=True), "-appointed_at", "-pk")
            )
            page = self.paginate_queryset(terms)
            return self.get_paginated_response(FocalPointSerializer(page, many=True).data)
        body = FocalPointAppointSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            term = services.appoint_focal_point(agency=agency, officer=body.validated_data["officer"], by=request.user)
        except services.FocalPointError as error:
            raise _api_error(error) from None
        return Response(FocalPointSerializer(term).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Withdraw a focal point (managers)"),
        description=_("Closes the term: the officer keeps their account and loses the agency's page at once."),
        request=None,
        responses={200: FocalPointSerializer},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"focal-points/(?P<focal_point_id>[0-9]+)",
        filter_backends=[],
        pagination_class=None,
        serializer_class=FocalPointSerializer,
    )
    def withdraw_focal_point(self, request, pk=None, focal_point_id=None):
        self._check_manager()
        term = get_object_or_404(FocalPoint.objects.select_related("officer__user"), pk=focal_point_id, agency_id=pk)
        try:
            term = services.withdraw_focal_point(focal_point=term, by=request.user)
        except services.FocalPointError as error:
            raise _api_error(error) from None
        return Response(FocalPointSerializer(term).data)


def _api_error(error: "services.FocalPointError") -> exceptions.APIException:
    """A focal-point rule as the API's documented error: 400 on the officer field, 409 for the current state."""
    if error.code in ("other_agency", "not_verified"):
        return exceptions.ValidationError({"officer": [error.message]}, code=error.code)
    if error.code == "not_manager":
        return exceptions.PermissionDenied(error.message, code=error.code)
    return Conflict(detail=error.message, code=error.code)
