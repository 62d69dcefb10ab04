from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from reports.api.views import ImpactSummaryView, YearlyReportView
from sessions import views as sessions_views
from trainingops import views

# Staff sign in through allauth, so its rate limits and multi-factor authentication apply.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # The yearly report's API endpoint; it must stay above any include of the /api/v1/ router.
    path("api/v1/reports/yearly", YearlyReportView.as_view(), name="api-reports-yearly"),
    path("api/v1/reports/impact", ImpactSummaryView.as_view(), name="api-reports-impact"),
    path("reports/", include("reports.urls")),
    path("accounts/", include("allauth.urls")),
    path("privacy/", include("accounts.urls")),
    # REST API v1 (one router in trainingops/api/router.py), its schema and docs.
    path("api/v1/", include("trainingops.api.router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", sessions_views.landing, name="landing"),
    path("", include("sessions.urls")),
    path("", include("sessions.token_urls")),
    path("", include("agencies.urls")),
]

handler400 = "trainingops.views.bad_request"
handler500 = "trainingops.views.server_error"

if settings.BENCH_FLOOR_VIEW:
    urlpatterns += [
        path("bench/floor/sessions", views.bench_floor_sessions, name="bench-floor-sessions"),
        path("bench/floor/attendance/<int:pk>", views.bench_floor_attendance, name="bench-floor-attendance"),
        path("bench/floor/portal/<int:count>", views.bench_floor_portal, name="bench-floor-portal"),
        path("bench/floor/agency/<int:pk>", views.bench_floor_agency, name="bench-floor-agency"),
    ]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

__all__ = ["handler400", "handler500", "i18n_patterns", "urlpatterns"]
