from django.urls import path

from sessions import knowledge_check_views, token_views

urlpatterns = [
    path("invitations/<str:token>/", token_views.invitation, name="invitation"),
    path("surveys/<str:token>/", token_views.survey, name="survey"),
    path("surveys/<str:token>/knowledge-check/", knowledge_check_views.post_test, name="post_test"),
]
