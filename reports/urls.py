from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("yearly/", views.yearly_report_page, name="yearly"),
    path("yearly/export.csv", views.yearly_report_csv, name="yearly-csv"),
    path("yearly/export.xlsx", views.yearly_report_xlsx, name="yearly-xlsx"),
    path("yearly/attendances.csv", views.attendance_csv, name="attendances-csv"),
]
