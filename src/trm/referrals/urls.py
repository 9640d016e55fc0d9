from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<uuid:pk>/", views.referral, name="referral"),
    path("<uuid:pk>/answers/<uuid:message>/", views.answer_question, name="answer"),
    path("send/<uuid:pk>/", views.send, name="send"),
]
