from django.urls import path

from reports import impact_views, views

app_name = "reports"
urlpatterns = [
    path("yearly/", views.yearly_report_page, name="yearly"),
    path("yearly/export.csv", views.yearly_report_csv, name="yearly-csv"),
    path("yearly/export.xlsx", views.yearly_report_xlsx, name="yearly-xlsx"),
    path("yearly/attendances.csv", views.attendance_csv, name="attendances-csv"),
    path("impact/", impact_views.impact_page, name="impact"),
    path("impact/publish", impact_views.impact_publish, name="impact-publish"),
    path("impact/withdraw/<int:publication_id>", impact_views.impact_withdraw, name="impact-withdraw"),
    path("impact/<str:kind>", impact_views.impact_download, name="impact-download"),
    path("public/impact/<str:token>/", impact_views.public_impact_page, name="impact-public"),
    path("public/impact/<str:token>/<str:kind>", impact_views.public_impact_download, name="impact-public-download"),
]
