"""A session's nominations: focal points nominate their agency's officers; managers approve or reject."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.roles import focal_point_agency_id
from agencies.models import Officer
from sessions import services
from sessions.api.permissions import HasAnyRole, may_manage_session, role_of
from sessions.api.serializers.nominations import NominationCreateSerializer, NominationSerializer
from sessions.api.views.access import visible_sessions
from sessions.models import Nomination, TrainingSession
from trainingops.api.pagination import ApiPagination

SESSION_PARAMETER = OpenApiParameter("session_pk", int, OpenApiParameter.PATH, description=_("Id of the session."))


@extend_schema_view(
    list=extend_schema(
        summary=_("The nominations of a session"),
        description=_("Focal points see their own agency's; managers and the session's trainers see all."),
        parameters=[SESSION_PARAMETER],
    ),
    create=extend_schema(
        summary=_("Nominate officers of your agency (focal points)"),
        description=_(
            "All or none: officers by id (registered at once, or awaiting a manager's approval) and people "
            "without an account by address (invited; their seat is held until the nomination deadline). "
            "A refusal (another agency's officer, a quota used up, a deadline passed, a nominee twice, a "
            "session open to self-registration or cancelled) is a 409 with its code, and nothing is saved."
        ),
        request=NominationCreateSerializer,
        responses={201: NominationSerializer(many=True)},
        parameters=[SESSION_PARAMETER],
    ),
)
class NominationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NominationSerializer
    pagination_class = ApiPagination
    permission_classes = [HasAnyRole]
    error_codes_by_action = {"create": ["409"], "withdraw": ["409"], "approve": ["409"], "reject": ["409"]}

    def _session(self) -> TrainingSession:
        if not hasattr(self, "_cached_session"):
            self._cached_session = get_object_or_404(visible_sessions(self.request), pk=self.kwargs["session_pk"])
        return self._cached_session

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Nomination.objects.none()
        session = self._session()
        queryset = (
            Nomination.objects.filter(session=session).select_related("officer__user").order_by("created_at", "id")
        )
        if may_manage_session(role_of(self.request), session.pk):
            return queryset
        agency_id = focal_point_agency_id(self.request.user)
        if agency_id is None:
            raise exceptions.PermissionDenied(
                _("Only focal points, the session's trainers and managers see nominations.")
            )
        return queryset.filter(agency_id=agency_id)

    def create(self, request, session_pk=None):
        data = NominationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = self._session()
        ids = data.validated_data["officers"]
        officers = {
            officer.pk: officer for officer in Officer.objects.select_related("user", "agency").filter(pk__in=ids)
        }
        missing = [pk for pk in ids if pk not in officers]
        if missing:
            raise exceptions.ValidationError({"officers": [_("No such officer.")]}, code="invalid")
        nominations = services.nominate(
            session=session,
            officers=[officers[pk] for pk in dict.fromkeys(ids)],
            emails=data.validated_data["emails"],
            language=data.validated_data["language"],
            by=request.user,
        )
        rows = self.get_queryset().filter(pk__in=[nomination.pk for nomination in nominations])
        return Response(NominationSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    def _decide(self, service, pk):
        nomination = get_object_or_404(self.get_queryset(), pk=pk)
        service(nomination=nomination, by=self.request.user)
        return Response(NominationSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(
        summary=_("Withdraw a nomination (its agency's focal points, managers)"),
        request=None,
        responses=NominationSerializer,
        parameters=[SESSION_PARAMETER],
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, session_pk=None, pk=None):
        return self._decide(services.withdraw_nomination, pk)

    @extend_schema(
        summary=_("Approve a nomination awaiting approval (managers)"),
        request=None,
        responses=NominationSerializer,
        parameters=[SESSION_PARAMETER],
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, session_pk=None, pk=None):
        return self._decide(services.approve_nomination, pk)

    @extend_schema(
        summary=_("Reject a nomination awaiting approval (managers)"),
        request=None,
        responses=NominationSerializer,
        parameters=[SESSION_PARAMETER],
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, session_pk=None, pk=None):
        return self._decide(services.reject_nomination, pk)
