"""Training requests in the API: focal points create and read their agency's, managers every agency's.

State changes are actions calling ``agencies.services`` (the same as the back office and the agency
page): ``review``, ``accept``, ``decline`` (with a reason), ``create-session`` for managers,
``withdraw`` for the agency's focal points.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.roles import focal_point_agency_id
from agencies import selectors, services
from agencies.api.serializers import (
    TrainingRequestCreateSerializer,
    TrainingRequestDeclineSerializer,
    TrainingRequestSerializer,
)
from agencies.models import TrainingRequest
from sessions.api.permissions import role_of
from trainingops.api.errors import Conflict, ErrorSerializer
from trainingops.api.pagination import ApiPagination


def _api_error(error: "services.TrainingRequestError") -> exceptions.APIException:
    """400 on the field for content, 403 for who acts, 409 for a state that does not allow it."""
    if error.code == "invalid":
        return exceptions.ValidationError({error.field or "non_field_errors": [error.message]}, code="invalid")
    if error.code == "forbidden":
        return exceptions.PermissionDenied(error.message, code="permission_denied")
    return Conflict(detail=error.message, code="invalid_transition")


ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


@extend_schema_view(
    list=extend_schema(
        summary=_("List training requests"),
        description=_("Newest first. A focal point reads their own agency's requests; managers every agency's."),
    ),
    retrieve=extend_schema(summary=_("Get a training request"), responses={200: TrainingRequestSerializer, **ERRORS}),
    create=extend_schema(
        summary=_("Request a training"),
        description=_(
            "A focal point for their own agency (``agency`` may be left out), a manager for any agency. "
            "The requester is emailed at each change of state."
        ),
        request=TrainingRequestCreateSerializer,
        responses={201: TrainingRequestSerializer, **ERRORS},
    ),
)
class TrainingRequestViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = TrainingRequestSerializer
    pagination_class = ApiPagination
    filter_backends = []

    def _scope(self) -> int | None:
        """None for managers (every agency), the focal point's agency, or 403 for anyone else."""
        if role_of(self.request).is_manager:
            return None
        agency_id = focal_point_agency_id(self.request.user) if self.request.user.is_authenticated else None
        if agency_id is None:
            if not self.request.user.is_authenticated:
                raise exceptions.NotAuthenticated()
            raise exceptions.PermissionDenied(_("Only managers and agencies' focal points may use training requests."))
        return agency_id

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the model for the schema
            return TrainingRequest.objects.none()
        agency_id = self._scope()
        return selectors.training_requests(agency_id=agency_id)

    def create(self, request, *args, **kwargs):
        agency_id = self._scope()
        body = TrainingRequestCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        agency = data.pop("agency", None)
        if agency is None:
            if agency_id is None:
                raise exceptions.ValidationError({"agency": [_("Choose the agency the training is for.")]})
            from agencies.models import Agency

            agency = Agency.objects.get(pk=agency_id)
        try:
            created = services.submit_training_request(agency=agency, by=request.user, **data)
        except services.TrainingRequestError as error:
            raise _api_error(error) from None
        created = selectors.training_requests().get(pk=created.pk)
        return Response(TrainingRequestSerializer(created).data, status=status.HTTP_201_CREATED)

    def _transition(self, request, service, **kwargs) -> Response:
        training_request = self.get_object()
        try:
            service(request=training_request, by=request.user, **kwargs)
        except services.TrainingRequestError as error:
            raise _api_error(error) from None
        return Response(TrainingRequestSerializer(selectors.training_requests().get(pk=training_request.pk)).data)

    @extend_schema(
        summary=_("Take a request under review (managers)"),
        request=None,
        responses={200: TrainingRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self._transition(request, services.review_training_request)

    @extend_schema(
        summary=_("Accept a request (managers)"), request=None, responses={200: TrainingRequestSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._transition(request, services.accept_training_request)

    @extend_schema(
        summary=_("Decline a request, with a reason (managers)"),
        request=TrainingRequestDeclineSerializer,
        responses={200: TrainingRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        body = TrainingRequestDeclineSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._transition(request, services.decline_training_request, reason=body.validated_data["reason"])

    @extend_schema(
        summary=_("Withdraw a request before it is scheduled (the agency's focal points)"),
        request=None,
        responses={200: TrainingRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._transition(request, services.withdraw_training_request)

    @extend_schema(
        summary=_("Create the draft session of an accepted request (managers)"),
        description=_("The request is then scheduled and linked to the new draft session (its id in ``session``)."),
        request=None,
        responses={201: TrainingRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="create-session")
    def create_session(self, request, pk=None):
        response = self._transition(request, services.create_session_from_request)
        response.status_code = status.HTTP_201_CREATED
        return response
