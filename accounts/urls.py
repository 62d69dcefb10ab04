from django.urls import path

from accounts import views

app_name = "privacy"

urlpatterns = [
    path("", views.privacy_notice, name="notice"),
    path("accept/", views.accept_privacy_notice, name="accept"),
]
