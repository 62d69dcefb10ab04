"""Sessions API: sessions and their transitions, registrations, attendance, trainers and topics.

Reads are scoped by role in ``get_queryset``; every change goes through ``sessions.services``,
so the API applies the same rules and sends the same emails as the admin and the portal.
"""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from accounts.roles import has_confirmed_email
from agencies.models import Officer
from sessions import services
from sessions.api.filters import QuickFilterBackend, SessionFilter, StableOrderingFilter, TrainerFilter
from sessions.api.permissions import (
    HasAnyRole,
    IsOfficer,
    IsStaffRole,
    may_manage_session,
    role_of,
    sessions_trained_by_role,
)
from sessions.api.serializers import (
    SESSION_ROW_FIELDS,
    AttendanceItemSerializer,
    AttendanceSerializer,
    RegistrationCreateSerializer,
    RegistrationSerializer,
    SessionCancelSerializer,
    SessionDetailSerializer,
    SessionSerializer,
    SessionWriteSerializer,
    TopicSerializer,
    TrainerSerializer,
    attach_session_relations,
)
from sessions.models import Registration, Topic, Trainer, TrainingSession
from sessions.selectors import sessions_visible_to
from trainingops.api.pagination import ApiPagination, WindowCountPagination

MAX_ATTENDANCE_ITEMS = 1000


def _visible_sessions(request):
    role = role_of(request)
    if role.is_staff_role:
        return TrainingSession.objects.all()
    if role.is_officer:
        # A subquery rather than the selector's DISTINCT: the list counts with a window function.
        visible = sessions_visible_to(role.officer_for_filtering()).values("pk")
        return TrainingSession.objects.filter(pk__in=visible)
    return TrainingSession.objects.none()


def _meeting_link_sessions(request, session_ids) -> set[int] | None:
    """Sessions whose meeting link the caller may see: all for staff, confirmed ones for an officer."""
    role = role_of(request)
    if role.is_staff_role:
        return None
    if not role.is_officer or not session_ids or not has_confirmed_email(request.user):
        return set()
    confirmed = Registration.objects.filter(
        officer_id=role.officer_id, session_id__in=session_ids, status=Registration.Status.CONFIRMED
    )
    return set(confirmed.values_list("session_id", flat=True))


class BulkAttendanceRejected(Exception):
    """Raised inside the bulk transaction to roll every item back."""

    def __init__(self, errors):
        super().__init__("bulk attendance rejected")
        self.errors = errors


_BULK_EXAMPLE = OpenApiExample(
    "a walk-in",
    value={"email": "walk.in@policia.gob.mx", "status": "present", "checked_in_at": "2025-01-24T09:02:00-06:00"},
    request_only=True,
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
    }

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [HasAnyRole()]
        return [IsStaffRole()]

    def get_queryset(self):
        return _visible_sessions(self.request)

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return SessionWriteSerializer
        if self.action == "retrieve":
            return SessionDetailSerializer
        return SessionSerializer

    # --- reads -------------------------------------------------------------------------------

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset()).values(*SESSION_ROW_FIELDS)
        rows = list(self.paginate_queryset(queryset))
        attach_session_relations(
            rows, visible_meeting_session_ids=_meeting_link_sessions(request, [row["id"] for row in rows])
        )
        return self.get_paginated_response(SessionSerializer(rows, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self._detail(pk))

    def _detail(self, pk) -> dict:
        row = get_object_or_404(self.get_queryset().values(*SESSION_ROW_FIELDS), pk=pk)
        attach_session_relations(
            [row], visible_meeting_session_ids=_meeting_link_sessions(self.request, [row["id"]]), detail=True
        )
        return SessionDetailSerializer(row).data

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
        summary=_("The attendance sheet of a session (staff)"),
        responses=AttendanceSerializer(many=True),
    )
    @extend_schema(
        methods=["POST", "PUT"],
        summary=_("Record the attendance of many registrations at once"),
        description=_(
            "Each item names a registration by id or the officer's email; an email without a registration "
            "records a walk-in. All items are applied or none: a 400 lists the errors per item index "
            '(e.g. errors["2.email"]). Repeating the same request changes nothing.'
        ),
        request=AttendanceItemSerializer(many=True),
        responses=AttendanceSerializer(many=True),
        examples=[_BULK_EXAMPLE],
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
            _record_attendance_sheet(session=session, items=items.validated_data, by=request.user)
        return Response(AttendanceSerializer(_attendance_sheet(session), many=True).data)


def _assignments(trainers: list[dict]) -> list[tuple[int, str]]:
    return [(item["trainer_id"].pk, item["role"]) for item in trainers]


def _attendance_sheet(session: TrainingSession):
    return (
        Registration.objects.filter(session=session)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("session", "officer__user", "attendance")
        .order_by("id")
    )


def _record_attendance_sheet(*, session: TrainingSession, items: list[dict], by) -> None:
    """Apply every line through the attendance services in one transaction, or none of them."""
    errors: dict[str, list[str]] = {}
    try:
        with transaction.atomic():
            registrations = {
                registration.pk: registration
                for registration in Registration.objects.filter(session=session).select_related("officer__user")
            }
            by_email = {
                registration.officer.user.email.lower(): registration
                for registration in registrations.values()
                if registration.officer_id is not None
            }
            seen: set[str] = set()
            for index, item in enumerate(items):
                try:
                    _record_one(session, item, registrations, by_email, seen, by)
                except services.SessionError as error:
                    errors[f"{index}.{error.field or 'non_field_errors'}"] = [str(error.message)]
            if errors:
                raise BulkAttendanceRejected(errors)
    except BulkAttendanceRejected as rejected:
        raise exceptions.ValidationError(rejected.errors, code="invalid") from rejected


def _record_one(session, item, registrations, by_email, seen, by) -> None:
    if "registration_id" in item:
        key = f"id:{item['registration_id']}"
        registration = registrations.get(item["registration_id"])
        if registration is None:
            raise services.AttendanceError(_("No registration with this id in this session."), field="registration_id")
    else:
        email = item["email"].lower()
        registration = by_email.get(email)
        key = f"id:{registration.pk}" if registration else f"email:{email}"
    if key in seen:
        raise services.AttendanceError(_("This registration is listed twice."), field="non_field_errors")
    seen.add(key)
    if registration is not None:
        registration.session = session
        services.record_attendance(
            registration=registration,
            status=item["status"],
            by=by,
            checked_in_at=item.get("checked_in_at"),
            note=item.get("note", ""),
        )
        return
    officer = Officer.objects.select_related("agency", "user").filter(user__email__iexact=item["email"]).first()
    if officer is None:
        raise services.AttendanceError(_("No officer account has this email."), field="email")
    services.record_walk_in(session=session, officer=officer, status=item["status"], by=by, note=item.get("note", ""))


# --- Registrations ---------------------------------------------------------------------------


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
            trained = Q(session_id__in=sessions_trained_by_role(role))
            return queryset.filter(trained | Q(officer_id=role.officer_id) if role.is_officer else trained)
        if role.is_officer:
            return queryset.filter(officer_id=role.officer_id)
        return queryset.none()

    def create(self, request):
        data = RegistrationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        role = role_of(request)
        session = _visible_sessions(request).filter(pk=data.validated_data["session"]).first()
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


# --- Trainers and topics ---------------------------------------------------------------------


@extend_schema_view(list=extend_schema(summary=_("List trainers")), retrieve=extend_schema(summary=_("Get a trainer")))
class TrainerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TrainerSerializer
    permission_classes = [HasAnyRole]
    pagination_class = ApiPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = TrainerFilter

    def get_queryset(self):
        return (
            Trainer.objects.select_related("user")
            .prefetch_related("topics")
            .order_by("user__last_name", "user__first_name", "id")
        )


@extend_schema_view(list=extend_schema(summary=_("List topics")), retrieve=extend_schema(summary=_("Get a topic")))
class TopicViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TopicSerializer
    permission_classes = [HasAnyRole]
    pagination_class = ApiPagination
    filter_backends = []
    queryset = Topic.objects.order_by("name", "id")
