from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.open_case, name="open"),
    path("<uuid:pk>/", views.case_detail, name="case"),
    path("<uuid:pk>/person/", views.edit_person, name="edit_person"),
    path("<uuid:pk>/emergency-access/", views.emergency_access, name="emergency_access"),
]
