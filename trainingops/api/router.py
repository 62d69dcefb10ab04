"""The one router of the REST API (mounted at /api/v1/)."""

from django.urls import re_path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from agencies.api.requests import TrainingRequestViewSet
from agencies.api.views import AgencyViewSet, CountryViewSet
from sessions.api.views import RegistrationViewSet, SessionViewSet, TopicViewSet, TrainerViewSet
from sessions.api.views.check_ins import CheckInViewSet
from sessions.api.views.nominations import NominationViewSet
from trainingops.api.tokens import TokenViewSet


class ApiRouter(DefaultRouter):
    include_format_suffixes = False


router = ApiRouter()
router.register("sessions", SessionViewSet, basename="session")
router.register(r"sessions/(?P<session_pk>\d+)/nominations", NominationViewSet, basename="session-nomination")
router.register(r"sessions/(?P<session_pk>\d+)/check-ins", CheckInViewSet, basename="session-check-in")
router.register("registrations", RegistrationViewSet, basename="registration")
router.register("agencies", AgencyViewSet, basename="agency")
router.register("countries", CountryViewSet, basename="country")
router.register("trainers", TrainerViewSet, basename="trainer")
router.register("topics", TopicViewSet, basename="topic")
router.register("training-requests", TrainingRequestViewSet, basename="training-request")
router.register("auth/tokens", TokenViewSet, basename="token")


@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
def not_found(request, path=""):
    """Unknown API paths answer in the API's error format rather than an HTML page."""
    raise NotFound()


not_found.cls.schema = None

# ``(?s:…)``: a path with an encoded line break (%0A) is unknown too, not a miss that Django answers in HTML.
urlpatterns = [*router.urls, re_path(r"^(?P<path>(?s:.*))$", not_found, name="api-not-found")]
