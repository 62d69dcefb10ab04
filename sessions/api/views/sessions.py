"""Sessions: list, read, create, edit, the state changes, and each session's registrations and attendance."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from accounts.roles import visible_quota_condition
from sessions import services
from sessions.api.filters import QuickFilterBackend, SessionFilter, StableOrderingFilter
from sessions.api.permissions import (
    HasAnyRole,
    IsStaffRole,
    may_manage_session,
    role_of,
)
from sessions.api.serializers import (
    SESSION_ROW_COLUMNS,
    AttendanceItemSerializer,
    AttendanceSerializer,
    DayAttendanceItemSerializer,
    DayAttendanceSerializer,
    InvitationPlanSerializer,
    InvitationRequestSerializer,
    InvitationSerializer,
    RegistrationSerializer,
    SessionCancelSerializer,
    SessionCopySerializer,
    SessionDaySerializer,
    SessionDetailSerializer,
    SessionSerializer,
    SessionWriteSerializer,
    attach_session_relations,
)
from sessions.api.views.access import meeting_link_visible, visible_sessions
from sessions.api.views.attendance import (
    BULK_ATTENDANCE_EXAMPLE,
    MAX_ATTENDANCE_ITEMS,
    attendance_sheet,
    record_attendance_sheet,
)
from sessions.api.views.days import MAX_DAY_ATTENDANCE_ITEMS, day_of, day_sheet, record_day_sheet
from sessions.api.views.invitations import INVITATION_EXAMPLES, invite_or_preview, session_invitations
from sessions.models import Registration, SessionDay, SessionQuota, TrainingSession
from trainingops.api.pagination import ApiPagination, WindowCountPagination

DAY_ID_PARAMETER = OpenApiParameter(
    "day_id", int, OpenApiParameter.PATH, description=_("A day of the session (see its days).")
)


@extend_schema_view(
    list=extend_schema(summary=_("List sessions"), description=_("Officers see published sessions open to them.")),
    retrieve=extend_schema(summary=_("Get a session"), responses=SessionDetailSerializer),
    create=extend_schema(
        summary=_("Create a draft session"), request=SessionWriteSerializer, responses={201: SessionDetailSerializer}
    ),
    partial_update=extend_schema(
        summary=_("Change a session"), request=SessionWriteSerializer, responses=SessionDetailSerializer
    ),
    update=extend_schema(
        summary=_("Change a session (all given fields)"),
        request=SessionWriteSerializer,
        responses=SessionDetailSerializer,
    ),
)
class SessionViewSet(viewsets.GenericViewSet):
    """Training sessions. Trainers change their own sessions; managers change any."""

    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    filter_backends = [QuickFilterBackend, StableOrderingFilter]
    ordering_fields = ["starts_at", "ends_at", "title", "created_at", "updated_at", "id"]
    ordering = ["starts_at", "id"]
    pagination_class = WindowCountPagination
    error_codes_by_action = {
        "update": ["409"],
        "partial_update": ["409"],
        "publish": ["409"],
        "cancel": ["409"],
        "complete": ["409"],
        "attendance": ["409"],
        "day_attendance": ["409"],
        "invitations": ["409"],
    }

    def get_permissions(self):
        if self.action in ("list", "retrieve", "days"):
            return [HasAnyRole()]
        return [IsStaffRole()]

    def get_queryset(self):
        return visible_sessions(self.request)

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return SessionWriteSerializer
        if self.action == "retrieve":
            return SessionDetailSerializer
        return SessionSerializer

    # --- reads -------------------------------------------------------------------------------

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        rows = list(self.paginate_queryset(self._rows(queryset)))
        attach_session_relations(rows)
        return self.get_paginated_response(SessionSerializer(rows, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self._detail(pk))

    def _detail(self, pk) -> dict:
        row = get_object_or_404(self._rows(self.get_queryset()), pk=pk)
        attach_session_relations([row], detail=True)
        row["quotas"] = self._visible_quotas(row["id"])
        return SessionDetailSerializer(row).data

    def _visible_quotas(self, session_id: int):
        visible = visible_quota_condition(role_of(self.request), self.request.user)
        if visible is None:
            return []
        quotas = SessionQuota.objects.filter(visible, session_id=session_id).order_by("agency_id")
        return [{"agency": agency, "seats": seats} for agency, seats in quotas.values_list("agency_id", "seats")]

    def _rows(self, queryset):
        visible = meeting_link_visible(self.request)
        return queryset.annotate(show_meeting_url=visible).raw_values(*SESSION_ROW_COLUMNS, "show_meeting_url")

    # --- writes ------------------------------------------------------------------------------

    def _session_with_personal_data(self) -> TrainingSession:
        """The session whose officers' names and addresses the caller may read: one they may manage."""
        session = self.get_object()
        if not may_manage_session(role_of(self.request), session.pk):
            raise exceptions.PermissionDenied(
                _("Only managers and the session's own trainers may see who registered."), code="permission_denied"
            )
        return session

    def _session_to_manage(self) -> TrainingSession:
        session = self.get_object()
        if not may_manage_session(role_of(self.request), session.pk):
            raise exceptions.PermissionDenied(_("Only the session's trainers and managers may change it."))
        return session

    def create(self, request):
        data = SessionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        trainers = fields.pop("trainers", [])
        role = role_of(request)
        if not role.is_manager and role.trainer_id is None:
            raise exceptions.PermissionDenied(_("Only trainers with a trainer profile and managers may do this."))
        with transaction.atomic():
            session = services.create_session(by=request.user, **fields)
            services.set_session_trainers(session=session, assignments=_assignments(trainers))
            services.assign_creator_as_trainer(session=session, by=request.user)
        return Response(self._detail(session.pk), status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        session = self._session_to_manage()
        data = SessionWriteSerializer(session, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        trainers = fields.pop("trainers", None)
        with transaction.atomic():
            services.update_session(session=session, by=request.user, **fields)
            if trainers is not None:
                services.set_session_trainers(session=session, assignments=_assignments(trainers))
        return Response(self._detail(session.pk))

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    @extend_schema(summary=_("Publish a draft session"), request=None, responses=SessionDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        session = self._session_to_manage()
        services.publish_session(session=session, by=request.user)
        return Response(self._detail(session.pk))

    @extend_schema(
        summary=_("Cancel a session and tell everyone registered"),
        request=SessionCancelSerializer,
        responses=SessionDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        session = self._session_to_manage()
        data = SessionCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.cancel_session(session=session, by=request.user, reason=data.validated_data["reason"])
        return Response(self._detail(session.pk))

    @extend_schema(
        summary=_("Run a session again: a new draft with its topics, trainers, audience and capacity"),
        request=SessionCopySerializer,
        responses={201: SessionDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        session = self._session_to_manage()
        data = SessionCopySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        copy = services.copy_session(session=session, starts_at=data.validated_data["starts_at"], by=request.user)
        return Response(self._detail(copy.pk), status=status.HTTP_201_CREATED)

    @extend_schema(summary=_("Mark a session as held"), request=None, responses=SessionDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        session = self._session_to_manage()
        services.complete_session(session=session, by=request.user)
        return Response(self._detail(session.pk))

    # --- registrations and attendance of one session --------------------------------------

    @extend_schema(summary=_("The registrations of a session (staff)"), responses=RegistrationSerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        url_path="registrations",
        filter_backends=[],
        pagination_class=ApiPagination,
        serializer_class=RegistrationSerializer,
    )
    def registrations(self, request, pk=None):
        session = self._session_with_personal_data()
        queryset = (
            Registration.objects.filter(session=session)
            .select_related("session", "officer__user", "attendance")
            .order_by("status", "waitlist_position", "id")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(RegistrationSerializer(page, many=True).data)

    @extend_schema(
        methods=["GET"],
        summary=_("The invitations of a session (its trainers and managers)"),
        responses=InvitationSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Invite people to a session, or preview what would happen to each address"),
        description=_(
            "The same service as the back office's invitation form. Each entry is classified as new (will be "
            "invited), invited (already invited), registered (already registered) or invalid (with the reason: "
            "not an email address, a duplicate in the list, needs an agency…); only the new ones are invited, "
            "by email in the background (202). With dry_run the classification is returned (200) and nothing "
            "is saved; its fingerprint, sent back as previewed, makes the real request send only if nothing changed "
            "meanwhile (409 preview_stale otherwise). A session that is not published or whose registration has "
            "closed is a 409."
        ),
        request=InvitationRequestSerializer,
        responses={200: InvitationPlanSerializer, 202: InvitationPlanSerializer},
        examples=INVITATION_EXAMPLES,
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="invitations",
        filter_backends=[],
        pagination_class=ApiPagination,
        serializer_class=InvitationSerializer,
    )
    def invitations(self, request, pk=None):
        if request.method == "GET":
            session = self._session_with_personal_data()
            page = self.paginate_queryset(session_invitations(session))
            return self.get_paginated_response(InvitationSerializer(page, many=True).data)
        session = self._session_to_manage()
        data = InvitationRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan, http_status = invite_or_preview(session=session, by=request.user, **data.validated_data)
        return Response(InvitationPlanSerializer((plan, data.validated_data["dry_run"])).data, status=http_status)

    @extend_schema(
        methods=["GET"],
        summary=_("The attendance sheet of a session (staff)"),
        responses=AttendanceSerializer(many=True),
    )
    @extend_schema(
        methods=["POST", "PUT"],
        summary=_("Record the attendance of many registrations at once"),
        description=_(
            "Each item names a registration by id or the officer's email; an email without a registration "
            "records a walk-in. All items are applied or none: a 400 lists the errors per item index "
            '(e.g. errors["2.email"]). Repeating the same request changes nothing. A session of several days '
            'is refused with a 400 (errors["day"]): its attendance is taken per day, at '
            "sessions/{id}/days/{day_id}/attendance/."
        ),
        request=AttendanceItemSerializer(many=True),
        responses=AttendanceSerializer(many=True),
        examples=[BULK_ATTENDANCE_EXAMPLE],
    )
    @action(
        detail=True,
        methods=["get", "post", "put"],
        url_path="attendance",
        filter_backends=[],
        pagination_class=None,
        serializer_class=AttendanceSerializer,
    )
    def attendance(self, request, pk=None):
        if request.method == "GET":
            session = self._session_with_personal_data()
        else:
            session = self._session_to_manage()
            items = AttendanceItemSerializer(data=request.data, many=True, max_length=MAX_ATTENDANCE_ITEMS)
            items.is_valid(raise_exception=True)
            record_attendance_sheet(session=session, items=items.validated_data, by=request.user)
        sheet = AttendanceSerializer(attendance_sheet(session), many=True, context={"timezone": session.timezone})
        return Response(sheet.data)

    @extend_schema(
        summary=_("The days of a session of several days (empty for a one-day session)"),
        responses=SessionDaySerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="days",
        filter_backends=[],
        pagination_class=None,
        serializer_class=SessionDaySerializer,
    )
    def days(self, request, pk=None):
        session = self.get_object()
        days = SessionDay.objects.filter(session=session).order_by("date")
        return Response(SessionDaySerializer(days, many=True, context={"timezone": session.timezone}).data)

    @extend_schema(
        methods=["GET"],
        summary=_("The attendance sheet of one day of a session (staff)"),
        parameters=[DAY_ID_PARAMETER],
        responses=DayAttendanceSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Record the attendance of many registrations on one day"),
        description=_(
            "For a session of several days: each item names a registration by id, with present, partial or "
            "absent for that day. The session's attendance follows from its days (all present: present; some: "
            "partial; none: absent) and its hours attended are the sum of the days'. All items are applied or "
            "none: a 400 lists the errors per item index. Repeating the same request changes nothing."
        ),
        parameters=[DAY_ID_PARAMETER],
        request=DayAttendanceItemSerializer(many=True),
        responses=DayAttendanceSerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path=r"days/(?P<day_id>[^/.]+)/attendance",
        filter_backends=[],
        pagination_class=None,
        serializer_class=DayAttendanceSerializer,
    )
    def day_attendance(self, request, pk=None, day_id=None):
        if request.method == "GET":
            session = self._session_with_personal_data()
            day = day_of(session, day_id)
        else:
            session = self._session_to_manage()
            day = day_of(session, day_id)
            items = DayAttendanceItemSerializer(data=request.data, many=True, max_length=MAX_DAY_ATTENDANCE_ITEMS)
            items.is_valid(raise_exception=True)
            record_day_sheet(session=session, day=day, items=items.validated_data, by=request.user)
        rows = DayAttendanceSerializer(day_sheet(session, day), many=True, context={"timezone": session.timezone})
        return Response(rows.data)


def _assignments(trainers: list[dict]) -> list[tuple[int, str]]:
    return [(item["trainer_id"].pk, item["role"]) for item in trainers]
