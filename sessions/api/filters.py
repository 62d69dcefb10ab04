"""Filters of the session list: date range, place, agency, format, status, topic, language, trainer."""

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import OrderingFilter

from sessions.models import SESSION_LANGUAGES, SessionTrainer, Trainer, TrainingSession
from sessions.selectors import audience_includes_country


class IdFilter(django_filters.NumberFilter):
    """A database id: a positive whole number (anything else is a 400, never a silent rounding)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)


class SessionFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__gte", label=_("Sessions starting on or after this date (UTC).")
    )
    date_to = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__lte", label=_("Sessions starting on or before this date (UTC).")
    )
    country = django_filters.CharFilter(method="filter_country", label=_("ISO 3166-1 alpha-2 code of the venue."))
    open_to = django_filters.CharFilter(
        method="filter_open_to",
        validators=[RegexValidator(r"^[A-Za-z]{2}$", _("Enter a two-letter country code, e.g. MX."))],
        label=_(
            "ISO 3166-1 alpha-2 code of the officers' country: sessions open to all, or to that country or one "
            "of its agencies."
        ),
    )
    region = django_filters.CharFilter(
        method="filter_region",
        label=_("UN M49 region, sub-region or intermediate region of the venue, e.g. Europe or South America."),
    )
    agency = IdFilter(method="filter_agency", label=_("Host agency or invited agency id."))
    format = django_filters.ChoiceFilter(choices=TrainingSession.Format.choices)
    status = django_filters.ChoiceFilter(choices=TrainingSession.Status.choices)
    topic = django_filters.CharFilter(method="filter_topic", label=_("Topic slug."))
    language = django_filters.ChoiceFilter(choices=SESSION_LANGUAGES)
    trainer = IdFilter(method="filter_trainer", label=_("Trainer id."))

    class Meta:
        model = TrainingSession
        fields = [
            "date_from",
            "date_to",
            "country",
            "open_to",
            "region",
            "agency",
            "format",
            "status",
            "topic",
            "language",
        ]

    def filter_country(self, queryset, name, value):
        return queryset.filter(country_id=value.strip().upper())

    def filter_open_to(self, queryset, name, value):
        return queryset.filter(audience_includes_country(value.strip().upper()))

    def filter_region(self, queryset, name, value):
        return queryset.filter(
            Q(country__region__iexact=value)
            | Q(country__sub_region__iexact=value)
            | Q(country__intermediate_region__iexact=value)
        )

    def filter_agency(self, queryset, name, value):
        invited = TrainingSession.audience_agencies.through.objects.filter(agency_id=value)
        return queryset.filter(Q(host_agency_id=value) | Q(id__in=invited.values("trainingsession_id")))

    def filter_topic(self, queryset, name, value):
        tagged = TrainingSession.topics.through.objects.filter(topic__slug=value)
        return queryset.filter(id__in=tagged.values("trainingsession_id"))

    def filter_trainer(self, queryset, name, value):
        return queryset.filter(id__in=SessionTrainer.objects.filter(trainer_id=value).values("session_id"))


class QuickFilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the request names none of the filters (building the form costs)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


class StableOrderingFilter(OrderingFilter):
    """Ordering by any allowed field, always ending with the primary key so pages never overlap."""

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if not any(field.lstrip("-") in ("id", "pk") for field in ordering):
            ordering.append("id")
        return ordering


class TrainerFilter(django_filters.FilterSet):
    topic = django_filters.CharFilter(field_name="topics__slug", label=_("Topic slug."))
    language = django_filters.CharFilter(method="filter_language", label=_("Language code, e.g. es."))

    class Meta:
        model = Trainer
        fields = ["topic", "language"]

    def filter_language(self, queryset, name, value):
        # The JSON list is matched as text: works on SQLite and PostgreSQL alike.
        return queryset.filter(languages__icontains=f'"{value}"')
