"""Registrations: an officer's own, a trainer's sessions', a manager's all; register and cancel."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agencies.models import Officer
from sessions import services
from sessions.api.filters import StableOrderingFilter
from sessions.api.permissions import (
    HasAnyRole,
    IsOfficer,
    may_manage_session,
    role_of,
    sessions_trained_by,
)
from sessions.api.serializers import (
    RegistrationCreateSerializer,
    RegistrationSerializer,
)
from sessions.api.views.access import visible_sessions
from sessions.models import Registration
from trainingops.api.pagination import ApiPagination


@extend_schema_view(
    list=extend_schema(summary=_("List registrations"), description=_("Officers see their own; staff see all.")),
    retrieve=extend_schema(summary=_("Get a registration")),
    create=extend_schema(
        summary=_("Register yourself for a session (officers)"),
        request=RegistrationCreateSerializer,
        responses={201: RegistrationSerializer},
    ),
)
class RegistrationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RegistrationSerializer
    pagination_class = ApiPagination
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_fields = ["status", "source"]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]
    error_codes_by_action = {"create": ["409"], "cancel": ["409"]}

    def get_permissions(self):
        if self.action == "create":
            return [IsOfficer()]
        return [HasAnyRole()]

    def get_queryset(self):
        role = role_of(self.request)
        queryset = Registration.objects.select_related("session", "officer__user", "attendance")
        if role.is_manager:
            return queryset
        if role.is_trainer:
            # Personal data only of the sessions they train (counts are on the sessions themselves).
            trained = Q(session_id__in=sessions_trained_by(role))
            return queryset.filter(trained | Q(officer_id=role.officer_id) if role.is_officer else trained)
        if role.is_officer:
            return queryset.filter(officer_id=role.officer_id)
        return queryset.none()

    def create(self, request):
        data = RegistrationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        role = role_of(request)
        session = visible_sessions(request).filter(pk=data.validated_data["session"]).first()
        if session is None:
            raise exceptions.ValidationError({"session": [_("No such session is open to you.")]}, code="invalid")
        officer = Officer.objects.select_related("agency", "user").get(pk=role.officer_id)
        registration = services.register_officer(
            session=session, officer=officer, source=Registration.Source.API, by=request.user
        )
        registration = self.get_queryset().get(pk=registration.pk)
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary=_("Cancel a registration"), request=None, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        registration = self.get_object()
        role = role_of(request)
        own = role.is_officer and registration.officer_id == role.officer_id
        if not own and not may_manage_session(role, registration.session_id):
            raise exceptions.PermissionDenied(_("Only the officer, the session's trainers and managers may cancel."))
        services.cancel_registration(registration=registration, by=request.user)
        return Response(RegistrationSerializer(self.get_queryset().get(pk=registration.pk)).data)
