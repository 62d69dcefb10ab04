from django.urls import path

from agencies import views

app_name = "agencies"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/personal-data.json", views.personal_data, name="personal_data"),
    path("profile/delete/", views.delete_account, name="delete_account"),
    path("agency/", views.agency, name="agency"),
    path("agency/reconfirmation/", views.reconfirmation, name="reconfirmation"),
    path("agency/officers/<int:pk>/decision/", views.decide_officer, name="decide_officer"),
    path("agency/requests/new/", views.new_training_request, name="new_training_request"),
    path("agency/requests/<int:pk>/withdraw/", views.withdraw_training_request, name="withdraw_training_request"),
]
