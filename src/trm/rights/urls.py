from django.urls import path

from . import views

app_name = "rights"

urlpatterns = [
    path("", views.index, name="index"),
    path("cases/<uuid:pk>/", views.case_rights, name="case"),
    path("cases/<uuid:pk>/export.json", views.export_json, name="export_json"),
    path("cases/<uuid:pk>/export/", views.export_printable, name="export"),
    path("cases/<uuid:pk>/erase/", views.erase, name="erase"),
    path("retention/", views.retention_reports, name="retention"),
]
