"""Trainers and topics (read only)."""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from sessions.api.filters import TrainerFilter
from sessions.api.permissions import (
    HasAnyRole,
)
from sessions.api.serializers import (
    TopicSerializer,
    TrainerSerializer,
)
from sessions.models import Topic, Trainer
from trainingops.api.pagination import ApiPagination


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
