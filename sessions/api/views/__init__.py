"""The sessions app's API views, one module per noun; the router imports them from here."""

from sessions.api.views.registrations import RegistrationViewSet
from sessions.api.views.sessions import SessionViewSet
from sessions.api.views.trainers import TopicViewSet, TrainerViewSet

__all__ = ["RegistrationViewSet", "SessionViewSet", "TopicViewSet", "TrainerViewSet"]
