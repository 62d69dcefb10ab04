"""A session's check-ins: the roster a check-in page keeps offline, batches of scans, and what was recorded.

Only the session's trainers and managers (``may_manage_session``); any other caller gets a 404, as
for a session that does not exist. Scans go through ``services.record_check_ins``.
"""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from sessions import checkin_codes, selectors, services
from sessions.api.permissions import IsStaffRole, may_manage_session, role_of
from sessions.api.serializers.check_ins import (
    CheckInBatchSerializer,
    CheckInResultSerializer,
    CheckInResultsSerializer,
    CheckInSerializer,
    RosterSerializer,
    read_check_in_item,
)
from sessions.api.serializers.common import iso_in_zone
from sessions.api.views.access import visible_sessions
from sessions.models import CheckIn, TrainingSession
from sessions.services.check_ins import MAX_CHECK_INS_PER_BATCH
from trainingops.api.pagination import ApiPagination

SESSION_PARAMETER = OpenApiParameter("session_pk", int, OpenApiParameter.PATH, description=_("Id of the session."))

BATCH_EXAMPLE = OpenApiExample(
    "a scan and a name found by search",
    value={
        "check_ins": [
            {
                "nonce": "5f0c3a2e-8d1b-4c47-9a57-2b6f0e9d7c11",
                "code": "TO1:eyJzIjo0MiwiciI6MTAxN30.c2lnbmF0dXJl",
                "scanned_at": "2026-12-01T09:02:13-06:00",
            },
            {
                "nonce": "b1d9e0a4-7f35-4e2b-8c1d-0a9f3e6b5d22",
                "registration": 1018,
                "scanned_at": "2026-12-01T09:03:40-06:00",
            },
        ]
    },
    request_only=True,
)


class BatchTooLarge(exceptions.ValidationError):
    default_code = "batch_too_large"


@extend_schema_view(
    list=extend_schema(
        summary=_("The check-ins of a session (its trainers and managers)"),
        description=_("Every scan, search and self check-in recorded, oldest first, with who recorded it."),
        parameters=[SESSION_PARAMETER],
    ),
    create=extend_schema(
        summary=_("Record a batch of check-ins (scans made on a device, possibly offline)"),
        description=_(
            "At most 500 items (more is a 400 with code batch_too_large). Each item is a personal code scanned, "
            "or a registration found by name, with the device's nonce and the time scanned. The answer has one "
            "result per item, in order: checked_in, already_checked_in (with the time kept: the earliest scan) "
            "or refused with a reason (malformed, bad_signature, wrong_session, unknown_registration, cancelled, "
            "not_confirmed, outside_session_days, session_not_open) and a message to show. A refused item loses "
            "nothing else. A nonce sent again answers its first result and records nothing new."
        ),
        request=CheckInBatchSerializer,
        responses={200: CheckInResultsSerializer},
        examples=[BATCH_EXAMPLE],
        parameters=[SESSION_PARAMETER],
    ),
)
class CheckInViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CheckInSerializer
    pagination_class = ApiPagination
    permission_classes = [IsStaffRole]

    def _session(self) -> TrainingSession:
        if not hasattr(self, "_cached_session"):
            session = get_object_or_404(visible_sessions(self.request), pk=self.kwargs["session_pk"])
            if not may_manage_session(role_of(self.request), session.pk):
                raise exceptions.NotFound()
            self._cached_session = session
        return self._cached_session

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CheckIn.objects.none()
        return (
            CheckIn.objects.filter(session=self._session())
            .select_related(
                "registration__officer__user",
                "registration__pending_officer",
                "registration__attendance",
                "recorded_by",
            )
            .order_by("recorded_at", "id")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["timezone"] = self._session().timezone
        return context

    def create(self, request, session_pk=None):
        session = self._session()
        items = request.data.get("check_ins") if isinstance(request.data, dict) else None
        if not isinstance(items, list):
            raise exceptions.ValidationError({"check_ins": [_("Send a list of check-ins.")]})
        if len(items) > MAX_CHECK_INS_PER_BATCH:
            raise BatchTooLarge(
                {"check_ins": [_("At most 500 check-ins per request: send the rest in another.")]},
                code="batch_too_large",
            )
        results = services.record_check_ins(
            session=session, items=[read_check_in_item(item) for item in items], by=request.user
        )
        context = {"timezone": session.timezone}
        return Response({"results": CheckInResultSerializer(results, many=True, context=context).data})

    @extend_schema(
        summary=_("The roster a check-in page keeps on the device (its trainers and managers)"),
        description=_(
            "The confirmed registrations, ordered by name, with whether each has checked in, and the public key "
            "that verifies personal codes offline."
        ),
        responses=RosterSerializer,
        parameters=[SESSION_PARAMETER],
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def roster(self, request, session_pk=None):
        session = self._session()
        zone = session.timezone
        opens, closes = selectors.check_in_window(session)
        roster = selectors.check_in_roster(session)
        times = selectors.roster_check_in_times(session, roster, timezone.now())
        registrations = [
            {
                "id": registration.pk,
                "name": registration.person_name,
                "agency": str(registration.agency),
                "country": registration.country_id,
                "checked_in_at": iso_in_zone(times[registration.pk], zone),
            }
            for registration in roster
        ]
        return Response(
            {
                "session": {
                    "id": session.pk,
                    "title": session.title,
                    "starts_at": iso_in_zone(session.starts_at, zone),
                    "ends_at": iso_in_zone(session.ends_at, zone),
                    "timezone": str(zone),
                    "check_in_opens_at": iso_in_zone(opens, zone),
                    "check_in_closes_at": iso_in_zone(closes, zone),
                },
                "public_key": checkin_codes.public_key(),
                "generated_at": iso_in_zone(timezone.now(), zone),
                "registrations": registrations,
            }
        )
