from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
    path("organisations/<int:pk>/edit/", views.edit_organisation, name="edit_organisation"),
    path("countries/<str:code>/", views.country, name="country"),
]
