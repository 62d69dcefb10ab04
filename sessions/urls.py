from django.urls import path

from sessions import knowledge_check_views, nomination_views, views

app_name = "sessions"

urlpatterns = [
    path("sessions/", views.session_list, name="list"),
    path("sessions/<int:pk>/", views.session_detail, name="detail"),
    path("sessions/<int:pk>/register/", views.register, name="register"),
    path("sessions/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("sessions/<int:pk>/pre-test/", knowledge_check_views.pre_test, name="pre_test"),
    path("sessions/<int:pk>/nominate/", nomination_views.nominate, name="nominate"),
    path("sessions/<int:pk>/calendar.ics", views.calendar_file, name="calendar"),
    path("my-trainings/", views.my_trainings, name="my_trainings"),
    path("my-trainings/<int:registration_id>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<str:code>/", views.certificate_verify, name="certificate_verify"),
]
