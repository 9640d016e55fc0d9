from django.urls import path

from . import views

app_name = "consent"

urlpatterns = [
    path("cases/<uuid:pk>/", views.case_consent, name="case"),
    path("cases/<uuid:pk>/<uuid:consent>/withdraw/", views.withdraw, name="withdraw"),
]
