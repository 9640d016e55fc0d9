from django.urls import path

from . import views

app_name = "api_tokens"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.organisation_tokens, name="organisation"),
    path("<int:pk>/<int:token_pk>/revoke/", views.revoke, name="revoke"),
]
