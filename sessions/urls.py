from django.urls import path

from sessions import check_in_page_views, check_in_views, knowledge_check_views, nomination_views, views

app_name = "sessions"

urlpatterns = [
    path("sessions/", views.session_list, name="list"),
    path("sessions/<int:pk>/", views.session_detail, name="detail"),
    path("sessions/<int:pk>/register/", views.register, name="register"),
    path("sessions/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("sessions/<int:pk>/pre-test/", knowledge_check_views.pre_test, name="pre_test"),
    path("sessions/<int:pk>/nominate/", nomination_views.nominate, name="nominate"),
    path("sessions/<int:pk>/check-in/", check_in_page_views.check_in_page, name="check_in"),
    path(
        "sessions/<int:pk>/check-in/service-worker.js",
        check_in_page_views.check_in_service_worker,
        name="check_in_worker",
    ),
    path("sessions/<int:pk>/calendar.ics", views.calendar_file, name="calendar"),
    path("my-trainings/", views.my_trainings, name="my_trainings"),
    path("my-trainings/<int:registration_id>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path(
        "my-trainings/<int:registration_id>/check-in-code.<str:kind>",
        check_in_views.personal_code,
        name="check_in_code",
    ),
    path("sessions/<int:pk>/self-check-in/<str:token>/", check_in_views.self_check_in, name="self_check_in"),
]
