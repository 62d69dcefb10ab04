from django.urls import path

from sessions import token_views

urlpatterns = [
    path("invitations/<str:token>/", token_views.invitation, name="invitation"),
    path("surveys/<str:token>/", token_views.survey, name="survey"),
]
