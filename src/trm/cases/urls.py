from django.urls import path

from . import pages, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.open_case, name="open"),
    path("<uuid:pk>/", views.case_detail, name="case"),
    path("<uuid:pk>/person/", views.edit_person, name="edit_person"),
    path("<uuid:pk>/emergency-access/", views.emergency_access, name="emergency_access"),
    path("<uuid:pk>/records/<slug:kind>/", pages.record_form, name="record"),
    path("<uuid:pk>/records/<slug:kind>/<uuid:record_id>/", pages.record_form, name="correct"),
    path("<uuid:pk>/steps/<slug:event>/", pages.take_step, name="step"),
    path("<uuid:pk>/approvals/", pages.ask_approval, name="ask_approval"),
    path("approvals/", pages.approvals, name="approvals"),
    path("<uuid:pk>/notes/", pages.add_note, name="add_note"),
    path("<uuid:pk>/attachments/", pages.attach, name="attach"),
    path("<uuid:pk>/attachments/<uuid:attachment>/", pages.download, name="download"),
    path("<uuid:pk>/assign/", pages.assign, name="assign"),
]
