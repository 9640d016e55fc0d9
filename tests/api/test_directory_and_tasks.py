"""The directory (read only) and the caller's tasks: open deadlines and notifications."""

import datetime

import pytest
from django.utils import timezone

from tests.api.conftest import token_api
from trm.deadlines.models import Deadline, DeadlineKind, Notification, NotificationEvent
from trm.deadlines.tracking import open_deadline
from trm.directory.models import Organisation

pytestmark = pytest.mark.django_db


def test_psychosocial_support_for_a_child_in_lviv_in_ukrainian(journey):
    api = token_api(journey.sender, ["directory:read"])
    found = api.get("/api/directory/organisations", {
        "country": "ua", "service": "psychosocial", "area": "Lviv", "language": "uk",
        "children": "true"}).json()  # fmt: skip
    assert found["count"] >= 1
    for organisation in found["items"]:
        assert organisation["country"] == "UA"
        assert organisation["serves_children"]
        assert "uk" in organisation["languages"]
        assert "psychosocial" in [service["kind"] for service in organisation["services"]]


def test_the_directory_is_paginated_and_each_entry_readable(journey):
    api = token_api(journey.sender, ["directory:read"])
    focal_points = api.get("/api/directory/organisations", {"focal_point": "true", "limit": 3})
    body = focal_points.json()
    assert (body["count"], len(body["items"])) == (8, 3)
    albania = Organisation.objects.get(slug="iom-albania")
    entry = api.get(f"/api/directory/organisations/{albania.pk}").json()
    assert (entry["slug"], entry["country"], entry["hosted_here"]) == ("iom-albania", "AL", True)
    assert api.get("/api/directory/organisations/999999").status_code == 404
    countries = api.get("/api/directory/countries").json()
    ukraine = next(c for c in countries["items"] if c["code"] == "UA")
    assert ukraine["identification_abroad_recognised"] is True
    assert ukraine["reflection_period_days"] >= 30


def test_a_directory_filter_that_is_not_valid_is_refused(journey):
    api = token_api(journey.sender, ["directory:read"])
    response = api.get("/api/directory/organisations", {"country": "XX"})
    assert response.status_code == 422
    assert response.json()["reasons"] == ["country: There is no such country in the directory."]
    assert api.get("/api/directory/organisations", {"language": "klingon"}).status_code == 422


def test_the_receiving_side_sees_the_answer_it_owes_among_its_deadlines(journey):
    case = journey.to_referral()
    referral = journey.send(case)
    albania, spain = token_api(journey.receiver, ["tasks:read"]), token_api(journey.sender)
    [due] = albania.get("/api/tasks/deadlines").json()["items"]
    assert (due["kind"], due["referral_id"], due["overdue"]) == (
        "referral_response",
        str(referral.pk),
        False,
    )
    assert due["case_reference"] == case.reference
    assert spain.get("/api/tasks/deadlines").json()["count"] == 0, "Spain owes nothing here"
    assert albania.get("/api/tasks/deadlines", {"overdue": "true"}).json()["count"] == 0


def test_overdue_deadlines_and_notifications_of_the_caller(journey, as_user):
    case = journey.open()
    deadline = open_deadline(
        case,
        DeadlineKind.REFLECTION_PERIOD_END,
        country=journey.sender.country,
        starts_at=timezone.now() - datetime.timedelta(days=31),
        due_at=timezone.now() - datetime.timedelta(hours=2),
        organisations=[journey.sender],
    )
    Notification.objects.create(
        user=journey.worker, kind=deadline.kind, event=NotificationEvent.OVERDUE, case=case,
        deadline=deadline,
    )  # fmt: skip
    api = as_user(journey.worker)
    [overdue] = api.get("/api/tasks/deadlines", {"overdue": "true"}).json()["items"]
    assert overdue["id"] == str(deadline.pk)
    assert overdue["overdue"] is True
    [notification] = api.get("/api/tasks/notifications", {"unread": "true"}).json()["items"]
    assert notification["case_id"] == str(case.pk)
    assert case.reference in notification["text"]
    assert api.get("/api/tasks/notifications", {"unread": "false"}).json()["count"] == 0
    others = as_user(journey.receiving_worker)
    assert others.get("/api/tasks/notifications").json()["count"] == 0
    assert others.get("/api/tasks/deadlines").json()["count"] == 0
    assert Deadline.objects.count() == 1
