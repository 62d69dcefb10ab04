from types import SimpleNamespace

from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import is_manager
from reports.api.serializers import (
    ImpactQuerySerializer,
    ImpactSummarySerializer,
    YearlyReportQuerySerializer,
    YearlyReportSerializer,
)
from reports.impact import impact_summary
from reports.store import served_report
from trainingops.api.errors import ErrorSerializer


class IsManager(permissions.BasePermission):
    message = "Only managers can read the yearly report."

    def has_permission(self, request, view):
        return is_manager(request.user)


class FormatIsAFilter(DefaultContentNegotiation):
    """Here ``?format=virtual`` filters sessions by format; it never picks a renderer (JSON is the answer)."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)


class YearlyReportView(APIView):
    """The managers' yearly counts: the same figures as the report page, its exports and the command."""

    permission_classes = [permissions.IsAuthenticated, IsManager]
    content_negotiation_class = FormatIsAFilter

    @extend_schema(
        operation_id="reports_yearly",
        tags=["reports"],
        summary="Yearly counts",
        description=(
            "Sessions held (by format), officers trained (distinct), attendances, agencies and countries "
            "reached, survey averages, for `year` and the previous year, with breakdowns by region, country, "
            "agency, topic, trainer, format and month. A session counts in the year of its start in its own "
            "time zone; cancelled and draft sessions never count. Managers only. The figures are the last "
            "stored ones, computed at `as_of` (also in the Last-Modified header) and refreshed in the background "
            "within a minute of a change; the first request for a large year and filters answers 202 while they "
            "are being prepared (retry after Retry-After seconds)."
        ),
        parameters=[YearlyReportQuerySerializer],
        responses={
            200: YearlyReportSerializer,
            202: OpenApiResponse(ErrorSerializer, description="The figures are being prepared: retry shortly."),
            400: OpenApiResponse(
                ErrorSerializer, description="A parameter is invalid: field messages in errors (year, by, format…)."
            ),
        },
    )
    def get(self, request):
        query = YearlyReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        report = served_report(**query.report_arguments())
        if report is None:
            message = _("The figures for this year and these filters are being prepared: try again in a minute.")
            body = {"detail": message, "code": "preparing", "errors": {}}
            return Response(body, status=202, headers={"Retry-After": "10"})
        response = Response(YearlyReportSerializer(report.as_dict()).data)
        response["Last-Modified"] = http_date(report.as_of.timestamp())
        return response


class ImpactSummaryView(APIView):
    """The year's impact summary: the same figures as /reports/impact/, its downloads and ``export_impact``."""

    permission_classes = [permissions.IsAuthenticated, IsManager]

    @extend_schema(
        operation_id="reports_impact",
        tags=["reports"],
        summary="Yearly impact summary",
        description=(
            "The press-ready figures of `year` (whole program): sessions held by format, officers trained, "
            "attendances, hours delivered, agencies, countries and regions reached, countries with officers "
            "trained, top topics, sessions by month, survey headline and up to three anonymous quotes whose "
            "authors agreed. Every figure is the yearly report's (`/api/v1/reports/yearly`). Managers only; "
            "202 while the figures are being prepared."
        ),
        parameters=[ImpactQuerySerializer],
        responses={
            200: ImpactSummarySerializer,
            202: OpenApiResponse(ErrorSerializer, description="The figures are being prepared: retry shortly."),
            400: OpenApiResponse(ErrorSerializer, description="The year is missing or invalid."),
        },
    )
    def get(self, request):
        query = ImpactQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        summary = impact_summary(year=query.validated_data["year"])
        if summary is None:
            message = _("The figures for this year and these filters are being prepared: try again in a minute.")
            body = {"detail": message, "code": "preparing", "errors": {}}
            return Response(body, status=202, headers={"Retry-After": "10"})
        response = Response(ImpactSummarySerializer(summary.as_dict()).data)
        response["Last-Modified"] = http_date(summary.report.as_of.timestamp())
        return response
