"""Project-level views that belong to no app: the health check and the error handlers."""

import logging
from functools import cache

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection
from rest_framework.exceptions import APIException, ParseError

from trainingops.api.errors import error_body, to_api_exception

logger = logging.getLogger(__name__)


def _database_status() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 — any failure means "down", reported, not raised
        logger.warning("Health check: database down: %s", error)
        return {"status": "down", "vendor": connection.vendor, "error": type(error).__name__}
    return {"status": "ok", "vendor": connection.vendor}


def _broker_status() -> dict:
    transport = settings.CELERY_BROKER_URL.split(":", 1)[0]
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        ) as broker:
            # One attempt with the broker's short socket timeouts: a load balancer's probe must not wait.
            broker.ensure_connection(max_retries=0, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)
    except Exception as error:  # noqa: BLE001 — any failure means "down", reported, not raised
        logger.warning("Health check: broker down: %s", error)
        return {"status": "down", "transport": transport, "error": type(error).__name__}
    return {"status": "ok", "transport": transport}


@never_cache
@require_GET
def healthz(request):
    """200 while the site can serve, naming each dependency's status; 503 when the database is down.

    The broker is named but does not make the site unhealthy: requests are answered without it
    and emails wait in the outbox, so a proxy must not take the web servers out over it.
    """
    checks = {"database": _database_status(), "broker": _broker_status()}
    if checks["database"]["status"] != "ok":
        return JsonResponse({"status": "down", **checks}, status=503)
    status = "ok" if checks["broker"]["status"] == "ok" else "degraded"
    return JsonResponse({"status": status, **checks})


def bench_floor_sessions(request):
    """The benchmark's floor: the same 50 sessions as the API's first page, via .values() and JsonResponse.

    Routed only when BENCH_FLOOR_VIEW is set (see bench/api_bench.py); it checks no permission.
    """
    from sessions.api.serializers import SESSION_ROW_FIELDS
    from sessions.models import TrainingSession

    rows = list(TrainingSession.objects.order_by("starts_at", "id").values(*SESSION_ROW_FIELDS)[:50])
    for row in rows:
        row["timezone"] = str(row["timezone"])
    return JsonResponse({"count": len(rows), "results": rows})


def bench_floor_attendance(request, pk: int):
    """The attendance sheet's floor: the same lines as ``GET /api/v1/sessions/{pk}/attendance`` via .values().

    Routed only when BENCH_FLOOR_VIEW is set (see bench/pages_bench.py); it checks no permission.
    """
    from sessions.api.serializers import ATTENDANCE_ROW_FIELDS
    from sessions.models import Registration

    rows = list(
        Registration.objects.filter(session_id=pk)
        .exclude(status=Registration.Status.CANCELLED)
        .order_by("id")
        .values(*ATTENDANCE_ROW_FIELDS)
    )
    return JsonResponse(rows, safe=False)


_FLOOR_CARDS = (
    "{% load tz %}<!doctype html><html><body>{% for session in sessions %}<article>"
    "{% timezone session.timezone %}{{ session.starts_at|date:'DATETIME_FORMAT' }}{% endtimezone %}"
    "<a href='/sessions/{{ session.id }}/'>{{ session.title }}</a> {{ session.format }} {{ session.language }} "
    "{{ session.city }} {{ session.country_id|default_if_none:'' }} {{ session.seats_taken }}</article>"
    "{% endfor %}</body></html>"
)


@cache
def _floor_cards_template():
    from django.template import engines

    return engines["django"].from_string(_FLOOR_CARDS)


def bench_floor_portal(request, count: int):
    """The portal lists' floor: ``count`` upcoming sessions via .values() and a bare template, no layout or form.

    Routed only when BENCH_FLOOR_VIEW is set (see bench/pages_bench.py); it checks no permission.
    """
    from django.db.models import Count, Q
    from django.utils import timezone

    from sessions.models import Registration, TrainingSession

    confirmed = Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED))
    rows = (
        TrainingSession.objects.filter(status=TrainingSession.Status.PUBLISHED, starts_at__gte=timezone.now())
        .annotate(seats_taken=confirmed)
        .order_by("starts_at", "id")
        .values("id", "title", "starts_at", "timezone", "format", "language", "city", "country_id", "seats_taken")
    )
    return HttpResponse(_floor_cards_template().render({"sessions": list(rows[:count])}, request))


_FLOOR_AGENCY = (
    "<!doctype html><html><body><h1>{{ agency.name }}</h1><p>{% for figure in figures.values %}{{ figure }} "
    "{% endfor %}</p>{% for name, total, rows in lists %}<h2>{{ name }} ({{ total }})</h2><table>"
    "{% for row in rows %}<tr>{% for value in row.values %}<td>{{ value }}</td>{% endfor %}</tr>{% endfor %}"
    "</table>{% endfor %}</body></html>"
)


@cache
def _floor_agency_template():
    from django.template import engines

    return engines["django"].from_string(_FLOOR_AGENCY)


def _agency_floor_lists(agency_id: int) -> list[tuple[str, int, list[dict]]]:
    """The agency page's lists, each its count and first 25 rows via .values() (same filters and order)."""
    from django.utils import timezone

    from agencies.models import FocalPoint, Officer, TrainingRequest
    from sessions.models import Attendance, Certificate, Registration, TrainingSession

    page = 25
    officers = Officer.objects.filter(agency_id=agency_id)
    querysets = {
        "focal points": FocalPoint.objects.active()
        .filter(agency_id=agency_id)
        .values("officer__user__first_name", "officer__user__last_name", "officer__user__email"),
        "requests": TrainingRequest.objects.filter(agency_id=agency_id)
        .order_by("-created_at", "-pk")
        .values("created_at", "period_start", "period_end", "expected_officers", "state", "decline_reason"),
        "pending": officers.filter(verification_status=Officer.Verification.PENDING)
        .order_by("created_at", "pk")
        .values("user__first_name", "user__last_name", "user__email", "job_title"),
        "officers": officers.order_by("user__last_name", "user__first_name", "user__email", "pk").values(
            "user__first_name", "user__last_name", "user__email", "job_title", "verification_status"
        ),
        "nominations": TrainingSession.objects.filter(
            status=TrainingSession.Status.PUBLISHED, starts_at__gt=timezone.now()
        )
        .exclude(registration_mode=TrainingSession.RegistrationMode.OPEN)
        .order_by("starts_at", "id")
        .values("title", "starts_at", "capacity", "nomination_deadline"),
        "upcoming": Registration.objects.filter(
            agency_id=agency_id,
            officer__isnull=False,
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
            session__status=TrainingSession.Status.PUBLISHED,
            session__starts_at__gte=timezone.now(),
        )
        .order_by("session__starts_at", "session_id", "pk")
        .values("session__title", "session__starts_at", "officer__user__first_name", "officer__user__email", "status"),
        "attendance": Attendance.objects.filter(agency_id=agency_id, registration__officer__isnull=False)
        .order_by("-registration__session__starts_at", "pk")
        .values(
            "registration__session__title",
            "registration__session__starts_at",
            "registration__officer__user__email",
            "status",
        ),
        "certificates": Certificate.objects.filter(registration__agency_id=agency_id)
        .order_by("-issued_at", "pk")
        .values("officer_name", "session_title", "session_date", "code"),
    }
    return [(name, queryset.count(), list(queryset[:page])) for name, queryset in querysets.items()]


def bench_floor_agency(request, pk: int):
    """The agency page's floor: the year's figures by two bare aggregates and each list's count and first
    page via .values(), in a bare template: no layout, no form, no report selector, no role check.

    Routed only when BENCH_FLOOR_VIEW is set (see bench/agency_bench.py); it checks no permission.
    """
    from django.db.models import Avg, Count, Q
    from django.utils import timezone

    from agencies.models import Agency
    from sessions.models import Attendance, SurveyResponse

    year = timezone.localdate().year
    attended = Attendance.objects.filter(
        agency_id=pk, status__in=["present", "partial"], session__starts_at__year=year, session__status="completed"
    )
    figures = attended.aggregate(
        sessions=Count("session_id", distinct=True),
        officers=Count("officer_key", distinct=True),
        attendances=Count("pk"),
    )
    figures |= SurveyResponse.objects.filter(
        Q(registration__agency_id=pk), registration__session__starts_at__year=year, submitted_at__isnull=False
    ).aggregate(
        responses=Count("pk"),
        overall=Avg("overall_rating"),
        usefulness=Avg("usefulness_rating"),
        trainer=Avg("trainer_rating"),
        recommend=Avg("recommend_score"),
    )
    context = {"agency": Agency.objects.get(pk=pk), "figures": figures, "lists": _agency_floor_lists(pk)}
    return HttpResponse(_floor_agency_template().render(context, request))


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception):
    """Django's own 400 (e.g. a body read before an API view, too large or with too many fields).

    Under /api/ it is the API's documented JSON error, so a client never has to parse an HTML page.
    """
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    error = to_api_exception(exception)
    if not isinstance(error, APIException):
        error = ParseError()
    return JsonResponse(error_body(error), status=error.status_code)


def server_error(request):
    """The 500 page; under /api/ the API's documented JSON error instead."""
    if not _is_api(request):
        return defaults.server_error(request)
    body = {"detail": gettext("A server error occurred."), "code": "server_error", "errors": {}}
    return JsonResponse(body, status=500)
